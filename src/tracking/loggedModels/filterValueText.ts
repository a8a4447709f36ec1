/**
 * The values MLflow 3.17's logged-model filter (`search_logged_model_utils.parse_filter_string`) compares
 * against a string column: not a parsed literal but the value token as written with its single quotes
 * stripped (`value.strip("'")`). So `name = m1` and `tags.k = 1` compare with "m1" and "1", `tags.k = "a"`
 * with the three characters `"a"`, and `'it''s'` with `it''s`. An IN list is read by Python's
 * `ast.literal_eval`, where a number item compares as its text and a backslash escape is undone.
 *
 * The shared filter parser reads values the run-search way, so each such value token is swapped for a
 * placeholder string before parsing and the clause gets MLflow's text back afterwards.
 */
import { tokenize, type Token } from "../search/filterTokenizer.js";

/** Words sqlparse reads as keywords and groups no comparison around: MLflow refuses them as values. */
const NOT_VALUES: ReadonlySet<string> = new Set([
  "AND",
  "OR",
  "NOT",
  "IN",
  "IS",
  "LIKE",
  "ILIKE",
  "RLIKE",
  "TRUE",
  "FALSE",
  "NONE",
]);
const LIST_COMPARATORS: ReadonlySet<string> = new Set(["IN", "NOT"]);
// A character no filter value plausibly holds brackets each placeholder's index.
const MARK = "\u0001";

export interface ValueTexts {
  /** The filter with each string value token replaced by a placeholder string. */
  filter: string;
  /** MLflow's value for each placeholder, by index. */
  values: string[];
}

/**
 * Finds each clause's value tokens; `isNumericKey` says, from the identifier as written, whether MLflow
 * compares that key as a number (float(value)), where the token is left for the shared parser.
 */
export function substituteValueTexts(
  filter: string,
  isNumericKey: (identifier: string) => boolean,
): ValueTexts {
  const tokens = tokenize(filter, "filter");
  const values: string[] = [];
  const replacements: { start: number; end: number; value: string }[] = [];
  let clauseStart = 0;
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    if (isWord(token, "AND")) {
      clauseStart = i + 1;
      continue;
    }
    if (!isComparator(token) || i === clauseStart) continue;
    const identifier = filter.slice((tokens[clauseStart] as Token).start, token.start).trim();
    if (isNumericKey(identifier)) continue;
    if (token.kind === "word" && LIST_COMPARATORS.has(token.text.toUpperCase())) {
      i = collectListItems(filter, tokens, token.text.toUpperCase() === "NOT" ? i + 2 : i + 1, replacements);
    } else {
      const value = tokens[i + 1];
      if (value !== undefined && isScalar(value)) {
        replacements.push({ start: value.start, end: value.end, value: stripQuotes(raw(filter, value)) });
        i += 1;
      }
    }
    clauseStart = i + 1;
  }
  let rewritten = "";
  let at = 0;
  for (const { start, end, value } of replacements) {
    rewritten += `${filter.slice(at, start)}'${MARK}${values.length}${MARK}'`;
    values.push(value);
    at = end;
  }
  return { filter: rewritten + filter.slice(at), values };
}

/** MLflow's text for a parsed value: the placeholder's, or the value itself. */
export function restoreValueText<T>(value: T, values: readonly string[]): T | string {
  if (typeof value !== "string") return value;
  if (value.length < 3 || !value.startsWith(MARK) || !value.endsWith(MARK)) return value;
  const index = value.slice(1, -1);
  return /^\d+$/.test(index) ? (values[Number(index)] ?? value) : value;
}

/** Items of `( ... )` from `open`: numbers as their text, strings with backslash escapes undone. */
function collectListItems(
  filter: string,
  tokens: readonly Token[],
  open: number,
  replacements: { start: number; end: number; value: string }[],
): number {
  if (tokens[open]?.kind !== "lparen") return open - 1;
  let i = open + 1;
  for (; i < tokens.length && tokens[i]?.kind !== "rparen"; i += 1) {
    const item = tokens[i] as Token;
    if (item.kind === "number") replacements.push({ start: item.start, end: item.end, value: item.text });
    else if (item.kind === "string" || item.kind === "quoted") {
      replacements.push({ start: item.start, end: item.end, value: pythonUnescape(item.text) });
    }
  }
  return i;
}

function isComparator(token: Token): boolean {
  if (token.kind === "operator") return true;
  return token.kind === "word" && ["LIKE", "ILIKE", "RLIKE", "IN", "NOT"].includes(token.text.toUpperCase());
}

function isScalar(token: Token): boolean {
  if (token.kind === "word") return !NOT_VALUES.has(token.text.toUpperCase());
  return token.kind === "number" || token.kind === "string" || token.kind === "quoted";
}

function isWord(token: Token, word: string): boolean {
  return token.kind === "word" && token.text.toUpperCase() === word;
}

function raw(filter: string, token: Token): string {
  return filter.slice(token.start, token.end);
}

function stripQuotes(text: string): string {
  return text.replace(/^'+/, "").replace(/'+$/, "");
}

/** The escapes a quote-delimited Python literal most plausibly holds here: `\'`, `\"` and `\\`. */
function pythonUnescape(text: string): string {
  return text.replace(/\\(['"\\])/g, "$1");
}
