/**
 * Hand-written tokenizer for MLflow's search filter and order_by strings. It scans each character once and
 * uses no regular expressions, so hostile input (long strings, unbalanced quotes) costs linear time. It knows
 * only lexical shapes; what a sequence of tokens means is the parser's business.
 */
import { invalidParameter } from "../../errors.js";

export type TokenKind =
  | "word" // bare identifier or keyword: letters, digits, `_`, `.`, `-`, `/`, `:`
  | "string" // single-quoted
  | "quoted" // double-quoted: an identifier in key position, a string in value position
  | "backtick" // backtick-quoted identifier
  | "number"
  | "operator"
  | "comma"
  | "lparen"
  | "rparen";

export interface Token {
  kind: TokenKind;
  /** Unquoted text for quoted tokens, the raw text otherwise. */
  text: string;
  /** Character offset of the token's first character in the input. */
  start: number;
  /** Offset just past the token's last character. */
  end: number;
}

const OPERATOR_CHARS = new Set(["=", "!", "<", ">"]);

function isWordStart(ch: string): boolean {
  return ch === "_" || isLetter(ch);
}

function isWordPart(ch: string): boolean {
  return isWordStart(ch) || isDigit(ch) || ch === "." || ch === "-" || ch === "/" || ch === ":" || ch === "@";
}

function isDigit(ch: string): boolean {
  return ch >= "0" && ch <= "9";
}

/** ASCII letters plus any non-ASCII letter, so unicode keys work without quoting. */
function isLetter(ch: string): boolean {
  if ((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z")) return true;
  return ch.charCodeAt(0) > 127 && ch.toLowerCase() !== ch.toUpperCase();
}

function isSpace(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\f" || ch === "\v";
}

/** Quotes the offending text for an error message, shortened so a huge input does not make a huge error. */
export function excerpt(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

export function syntaxError(what: string, input: string, position: number, detail: string) {
  const rest = excerpt(input.slice(position));
  return invalidParameter(
    `Invalid ${what} '${excerpt(input)}': ${detail} at position ${position}` +
      (rest === "" ? " (end of input)" : ` near '${rest}'`),
  );
}

/** The index of the `)` closing the `(` at `open`, or the last token's when it is never closed. */
export function closingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const kind = (tokens[i] as Token).kind;
    if (kind === "lparen") depth += 1;
    else if (kind === "rparen" && --depth === 0) return i;
  }
  return tokens.length - 1;
}

export function tokenize(input: string, what: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (isSpace(ch)) {
      i += 1;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"' || ch === "`") {
      const { text, end } = readQuoted(input, i, ch, what);
      tokens.push({ kind: ch === "'" ? "string" : ch === '"' ? "quoted" : "backtick", text, start, end });
      i = end;
    } else if (isDigit(ch) || ((ch === "-" || ch === "+" || ch === ".") && startsNumber(input, i))) {
      const end = readNumber(input, i, what);
      tokens.push({ kind: "number", text: input.slice(start, end), start, end });
      i = end;
    } else if (isWordStart(ch)) {
      let end = i + 1;
      while (end < input.length && isWordPart(input.charAt(end))) end += 1;
      tokens.push({ kind: "word", text: input.slice(start, end), start, end });
      i = end;
    } else if (OPERATOR_CHARS.has(ch)) {
      let end = i + 1;
      while (end < input.length && OPERATOR_CHARS.has(input.charAt(end))) end += 1;
      tokens.push({ kind: "operator", text: input.slice(start, end), start, end });
      i = end;
    } else if (ch === ",") {
      tokens.push({ kind: "comma", text: ch, start, end: i + 1 });
      i += 1;
    } else if (ch === "(") {
      tokens.push({ kind: "lparen", text: ch, start, end: i + 1 });
      i += 1;
    } else if (ch === ")") {
      tokens.push({ kind: "rparen", text: ch, start, end: i + 1 });
      i += 1;
    } else {
      throw syntaxError(what, input, i, `unexpected character '${ch}'`);
    }
  }
  return tokens;
}

function startsNumber(input: string, i: number): boolean {
  const next = input.charAt(i + 1);
  if (isDigit(next)) return true;
  return (input.charAt(i) === "-" || input.charAt(i) === "+") && next === "." && isDigit(input.charAt(i + 2));
}

/** Reads `[+-]digits[.digits][e[+-]digits]`; a letter glued to the number (`1abc`) is an error. */
function readNumber(input: string, start: number, what: string): number {
  let i = start;
  if (input.charAt(i) === "-" || input.charAt(i) === "+") i += 1;
  while (isDigit(input.charAt(i))) i += 1;
  if (input.charAt(i) === ".") {
    i += 1;
    while (isDigit(input.charAt(i))) i += 1;
  }
  if (input.charAt(i) === "e" || input.charAt(i) === "E") {
    let j = i + 1;
    if (input.charAt(j) === "-" || input.charAt(j) === "+") j += 1;
    if (isDigit(input.charAt(j))) {
      while (isDigit(input.charAt(j))) j += 1;
      i = j;
    }
  }
  if (i < input.length && isWordPart(input.charAt(i))) {
    throw syntaxError(what, input, start, "malformed number");
  }
  return i;
}

/**
 * MLflow reads quoted text with sqlparse's patterns (`'(''|\\'|[^'])*'`, likewise for `"`, and
 * `` `(``|[^`])*` ``) and then only trims the outer quotes: a doubled quote or a backslash-quote does not end
 * the token, but it is kept as written, never unescaped (`'It''s'` is the five characters `It''s`).
 * Where the input ends inside the token, the regex backtracks to the last such pair and lets its quote close
 * the token; this scan does the same in one pass.
 */
function readQuoted(
  input: string,
  start: number,
  quote: string,
  what: string,
): { text: string; end: number } {
  const backslashEscapes = quote !== "`";
  let lastPairQuote = -1;
  let i = start + 1;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (ch === quote && input.charAt(i + 1) === quote) {
      lastPairQuote = i;
      i += 2;
    } else if (backslashEscapes && ch === "\\" && input.charAt(i + 1) === quote) {
      lastPairQuote = i + 1;
      i += 2;
    } else if (ch === quote) {
      return { text: input.slice(start + 1, i), end: i + 1 };
    } else {
      i += 1;
    }
  }
  if (lastPairQuote < 0) throw syntaxError(what, input, start, `unterminated ${quote} quote`);
  return { text: input.slice(start + 1, lastPairQuote), end: lastPairQuote + 1 };
}
