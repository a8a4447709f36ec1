/**
 * Python's tokenizer, as much of it as reading a params.py file needs: names, numbers, operators, string
 * literals (prefixes, quotes, escapes) and INDENT/DEDENT from leading whitespace. It is kept apart from the
 * literal parser (pythonParams.ts) because Python's lexical rules (line joining inside brackets, tab stops,
 * escape decoding) are a concern of their own, testable without any statement grammar. Syntax errors at this
 * level fail the read, naming the file and line, as Python itself would refuse the file; it does not judge
 * statements or values.
 */
import { malformedFile } from "../data/yamlFile.js";

export interface Token {
  kind: "name" | "number" | "string" | "op" | "newline" | "indent" | "dedent" | "end";
  text: string;
  line: number;
  /** For strings: the decoded value, and whether it is bytes or an f-string. */
  value?: string;
  prefix?: string;
}

/** Longest first, so `**=` is not read as `**` then `=`. */
const OPERATORS = (
  "**= //= >>= <<= ... -> := ** // << >> <= >= == != += -= *= /= %= &= |= ^= @= " +
  "+ - * / % @ & | ^ ~ < > ( ) [ ] { } , : . ; ="
).split(" ");

/** Python's tokenizer, enough to find statements: strings, numbers, names, operators and indentation. */
export function tokenize(path: string, text: string): Token[] {
  const tokens: Token[] = [];
  const indents = [0];
  let i = 0;
  let line = 1;
  let depth = 0;
  let atLineStart = true;
  const fail = (message: string): never => {
    throw malformedFile(path, line, `invalid Python: ${message}`);
  };
  while (i < text.length) {
    if (atLineStart && depth === 0) {
      let width = 0;
      let j = i;
      while (text[j] === " " || text[j] === "\t" || text[j] === "\f")
        width += text[j++] === "\t" ? 8 - (width % 8) : 1;
      const next = text[j];
      if (next === "\n" || next === "\r" || next === "#" || next === undefined) {
        i = j;
      } else {
        const top = indents[indents.length - 1] ?? 0;
        if (width > top) {
          indents.push(width);
          tokens.push({ kind: "indent", text: "", line });
        }
        while (width < (indents[indents.length - 1] ?? 0)) {
          indents.pop();
          tokens.push({ kind: "dedent", text: "", line });
        }
        if (width !== (indents[indents.length - 1] ?? 0))
          fail("unindent does not match any outer indentation level");
        i = j;
      }
      atLineStart = false;
    }
    const ch = text[i] ?? "";
    const rest = text.slice(i);
    if (ch === "\n" || ch === "\r") {
      if (depth === 0 && tokens.length > 0 && tokens[tokens.length - 1]?.kind !== "newline") {
        tokens.push({ kind: "newline", text: "", line });
      }
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      // Inside brackets a line break continues the statement: no indentation to measure.
      atLineStart = depth === 0;
    } else if (ch === " " || ch === "\t" || ch === "\f") {
      i++;
    } else if (ch === "#") {
      while (i < text.length && text[i] !== "\n" && text[i] !== "\r") i++;
    } else if (ch === "\\" && /^\\\r?\n/.test(rest)) {
      i += rest[1] === "\r" ? 3 : 2;
      line++;
    } else if (/^[A-Za-z]{0,2}["']/.test(rest) && /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?["']/.test(rest)) {
      const prefix = /^[A-Za-z]*/.exec(rest)?.[0] ?? "";
      const start = line;
      const { raw, length, lines } = readString(rest.slice(prefix.length), fail);
      const lower = prefix.toLowerCase();
      const value = lower.includes("r")
        ? raw
        : unescape(raw, lower.includes("b"), () => fail("invalid escape"));
      tokens.push({
        kind: "string",
        text: rest.slice(0, prefix.length + length),
        line: start,
        value,
        prefix: lower,
      });
      i += prefix.length + length;
      line += lines;
    } else if (/^[A-Za-z_\u0080-\uffff]/.test(ch)) {
      const name = /^[A-Za-z_0-9\u0080-\uffff]+/.exec(rest)?.[0] ?? ch;
      tokens.push({ kind: "name", text: name, line });
      i += name.length;
    } else if (/^(?:[0-9]|\.[0-9])/.test(rest)) {
      const number =
        /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][-+]?[0-9](?:_?[0-9])*)?[jJ]?)/.exec(
          rest,
        )?.[0] ?? ch;
      if (/^[A-Za-z_0-9]/.test(rest.slice(number.length)))
        fail(`invalid number '${rest.slice(0, number.length + 1)}'`);
      tokens.push({ kind: "number", text: number, line });
      i += number.length;
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (op === undefined) fail(`unexpected character '${ch}'`);
      const text2 = op ?? "";
      if ("([{".includes(text2)) depth++;
      if (")]}".includes(text2)) {
        if (depth === 0) fail(`unmatched '${text2}'`);
        depth--;
      }
      tokens.push({ kind: "op", text: text2, line });
      i += text2.length;
    }
  }
  if (depth > 0) fail("unexpected end of file: an opening bracket is never closed");
  tokens.push({ kind: "newline", text: "", line });
  for (let k = 1; k < indents.length; k++) tokens.push({ kind: "dedent", text: "", line });
  tokens.push({ kind: "end", text: "", line });
  return tokens;
}

function readString(
  text: string,
  fail: (message: string) => never,
): { raw: string; length: number; lines: number } {
  const quote = text.startsWith('"""') || text.startsWith("'''") ? text.slice(0, 3) : text.slice(0, 1);
  let j = quote.length;
  let lines = 0;
  while (j < text.length) {
    const c = text[j];
    if (c === "\\") {
      if (text[j + 1] === "\n") lines++;
      j += 2;
      continue;
    }
    if (text.startsWith(quote, j))
      return { raw: text.slice(quote.length, j), length: j + quote.length, lines };
    if (c === "\n") {
      if (quote.length === 1) break;
      lines++;
    }
    j++;
  }
  return fail(quote.length === 3 ? "unterminated triple-quoted string" : "unterminated string literal");
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** Python's escape sequences; an unknown one stays as written, as Python keeps it. */
function unescape(raw: string, bytes: boolean, fail: () => never): string {
  return raw.replace(
    /\\(\r\n|[\n\\'"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|x|u|U|N)?/g,
    (whole, esc: string | undefined) => {
      if (esc === undefined) return whole;
      if (esc === "\r\n") return "";
      const simple = SIMPLE_ESCAPES[esc];
      if (simple !== undefined) return simple;
      if (/^[0-7]/.test(esc)) return String.fromCodePoint(parseInt(esc, 8));
      if (bytes && /^[uUN]/.test(esc)) return whole;
      if (/^[xuU][0-9a-fA-F]/.test(esc)) return String.fromCodePoint(parseInt(esc.slice(1), 16));
      // \N{name} needs Unicode's name table; FlowOps reports it rather than guess.
      return fail();
    },
  );
}
