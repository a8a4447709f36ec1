/**
 * SearchEvaluationDatasets' filter_string and order_by as mlflow reads them (SearchEvaluationDatasetsUtils
 * and `_get_search_datasets_filter_clauses`), with its error messages: they differ from the shared run search
 * parser's, as mlflow's dataset search words its own. Clauses are `<attribute> <op> <value>` or
 * `tags.<key> <op> '<value>'` joined by AND; time values are int64s compared to the last digit.
 */
import { invalidParameter } from "../../errors.js";
import { pythonFloatRepr } from "../../pythonRepr.js";
import { closingParen, excerpt, tokenize, type Token } from "../search/filterTokenizer.js";
import { int64Value, type Int64 } from "../exactInt64.js";

export const STRING_ATTRIBUTES = ["name", "created_by", "last_updated_by"] as const;
export const TIME_ATTRIBUTES = ["created_time", "last_update_time"] as const;
/** mlflow prints its key sets as Python sets, whose order changes with each server process; this is one. */
const SEARCH_KEYS = ["name", "created_time", "last_update_time", "created_by", "last_updated_by"];
const ORDER_BY_KEYS = ["name", "created_time", "last_update_time"];
const TAG_COMPARATORS = ["=", "!=", "LIKE", "ILIKE"];
const TIME_COMPARATORS = ["=", "!=", ">", ">=", "<", "<="];
const INT64_LIMIT = 2n ** 63n;

export type DatasetComparator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE" | "RLIKE" | "IN";

export type DatasetClause =
  | { type: "attribute"; key: string; comparator: DatasetComparator; value: string | readonly string[] }
  | { type: "time"; key: string; comparator: DatasetComparator; value: Int64 }
  | { type: "tag"; key: string; comparator: DatasetComparator; value: string };

/** One comparison as written: its parts' tokens, before anything is checked. */
interface Comparison {
  identifier: string;
  comparator: string;
  /** Undefined for IS NULL / IS NOT NULL. */
  value?: { tokens: readonly Token[]; raw: string };
}

const WHAT = "filter";

export function parseDatasetFilter(filter: string | undefined): DatasetClause[] {
  if (filter === undefined || filter === "") return [];
  const comparisons = splitComparisons(filter);
  // mlflow reads every comparison before it checks any comparator or time value, so its errors come first.
  const read = comparisons.map(readComparison);
  return read.map(checkComparison);
}

/**
 * Groups the tokens into comparisons as sqlparse does for mlflow, and refuses what is neither a comparison nor
 * AND with mlflow's message listing those pieces as written: `OR`, `(name = 'b')`, a bare `name`.
 */
function splitComparisons(filter: string): Comparison[] {
  const tokens = tokenize(filter, WHAT);
  const raw = (from: Token, to: Token) => filter.slice(from.start, to.end);
  const comparisons: Comparison[] = [];
  const invalid: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    if (isWord(token, "AND")) {
      i += 1;
      continue;
    }
    if (token.kind === "lparen") {
      const close = closingParen(tokens, i);
      invalid.push(raw(token, tokens[close] ?? (tokens[tokens.length - 1] as Token)));
      i = close + 1;
      continue;
    }
    if (!isIdentifierStart(token)) {
      invalid.push(raw(token, token));
      i += 1;
      continue;
    }
    // `tags.` followed by a quoted key is one identifier.
    let last = i;
    if (token.kind === "word" && token.text.endsWith(".") && isQuoted(tokens[i + 1])) last = i + 1;
    const identifier = raw(token, tokens[last] as Token);
    const comparator = readComparator(tokens, last + 1);
    if (comparator === undefined) {
      invalid.push(identifier);
      i = last + 1;
      continue;
    }
    const comparatorText = raw(tokens[last + 1] as Token, tokens[comparator.end - 1] as Token);
    if (comparator.nullCheck) {
      comparisons.push({ identifier, comparator: comparatorText.toUpperCase().replace(/\s+/g, " ") });
      i = comparator.end;
      continue;
    }
    const valueStart = tokens[comparator.end];
    if (valueStart === undefined || isWord(valueStart, "AND")) {
      invalid.push(identifier, comparatorText);
      i = comparator.end;
      continue;
    }
    const valueEnd = valueStart.kind === "lparen" ? closingParen(tokens, comparator.end) : comparator.end;
    const valueTokens = tokens.slice(comparator.end, valueEnd + 1);
    comparisons.push({
      identifier,
      comparator: comparatorText,
      value: { tokens: valueTokens, raw: raw(valueStart, valueTokens[valueTokens.length - 1] as Token) },
    });
    i = valueEnd + 1;
  }
  if (invalid.length > 0) {
    throw invalidParameter(`Invalid clause(s) in filter string: ${invalid.join(", ")}`);
  }
  return comparisons;
}

const isWord = (token: Token | undefined, word: string): boolean =>
  token?.kind === "word" && token.text.toUpperCase() === word;
const isQuoted = (token: Token | undefined): boolean =>
  token !== undefined && (token.kind === "quoted" || token.kind === "backtick" || token.kind === "string");
const isIdentifierStart = (token: Token): boolean =>
  (token.kind === "word" && !isWord(token, "OR") && !isWord(token, "NOT")) ||
  token.kind === "quoted" ||
  token.kind === "backtick";

function readComparator(
  tokens: readonly Token[],
  at: number,
): { end: number; nullCheck: boolean } | undefined {
  const token = tokens[at];
  if (token === undefined) return undefined;
  if (token.kind === "operator") return { end: at + 1, nullCheck: false };
  if (["LIKE", "ILIKE", "RLIKE", "IN"].some((word) => isWord(token, word)))
    return { end: at + 1, nullCheck: false };
  if (isWord(token, "NOT") && isWord(tokens[at + 1], "IN")) return { end: at + 2, nullCheck: false };
  if (isWord(token, "IS")) {
    const not = isWord(tokens[at + 1], "NOT") ? 1 : 0;
    if (isWord(tokens[at + 1 + not], "NULL")) return { end: at + 2 + not, nullCheck: true };
  }
  return undefined;
}

type ReadComparison =
  | { type: "attribute" | "tag"; key: string; comparator: string; value: string | readonly string[] }
  | { type: "time"; key: string; comparator: string; value: string; float: boolean };

/** mlflow's `_get_comparison`: the identifier, then the value's type, then lists only for `name IN`. */
function readComparison(comparison: Comparison): ReadComparison {
  const { identifier, comparator, value } = comparison;
  const dot = identifier.indexOf(".");
  let type: "attribute" | "tag" = "attribute";
  let key = identifier;
  if (dot >= 0) {
    const prefix = identifier.slice(0, dot);
    if (prefix !== "tags") throw invalidParameter(`Invalid identifier token '${prefix}' specified`);
    type = "tag";
    key = unquote(identifier.slice(dot + 1));
  } else if (!SEARCH_KEYS.includes(key)) {
    throw invalidParameter(
      `Invalid attribute key '${key}' specified. Valid keys are: ${pythonSet(SEARCH_KEYS)}`,
    );
  }
  if (value === undefined) {
    if (type === "attribute") {
      throw invalidParameter(
        `IS NULL / IS NOT NULL is only supported for tags and params, not for 'attribute' '${key}'`,
      );
    }
    throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
  }
  const first = value.tokens[0] as Token;
  const isList = first.kind === "lparen";
  if (type === "attribute" && (TIME_ATTRIBUTES as readonly string[]).includes(key)) {
    if (first.kind !== "number" || value.tokens.length > 1) {
      throw invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found ${value.raw}`);
    }
    return { type: "time", key, comparator, value: first.text, float: !/^[+-]?\d+$/.test(first.text) };
  }
  let read: string | readonly string[];
  if (first.kind === "string" || first.kind === "quoted") read = first.text;
  else if (first.kind === "word" || first.kind === "backtick") {
    throw invalidParameter(
      `Parameter value is either not quoted or unidentified quote types used for string value ${value.raw}. Use either single or double quotes.`,
    );
  } else if (type === "tag") {
    throw invalidParameter(
      `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${value.raw}`,
    );
  } else if (isList) {
    if (key !== "name") {
      throw invalidParameter(
        `Only ['name'] attributes support comparison with a list of quoted string values.`,
      );
    }
    read = listItems(value.tokens);
  } else {
    throw invalidParameter(`Expected a quoted string value for attributes. Got value ${value.raw}`);
  }
  if (Array.isArray(read) && comparator !== "IN") {
    throw invalidParameter("List values for 'name' are only supported with the IN comparator.");
  }
  return { type, key, comparator, value: read };
}

/** The checks `_get_search_datasets_filter_clauses` makes of each read comparison, in order. */
function checkComparison(read: ReadComparison): DatasetClause {
  const comparator = read.comparator;
  if (read.type === "tag") {
    if (!TAG_COMPARATORS.includes(comparator))
      throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
    return {
      type: "tag",
      key: read.key,
      comparator: comparator as DatasetComparator,
      value: read.value as string,
    };
  }
  if (read.type === "time") {
    if (!TIME_COMPARATORS.includes(comparator)) {
      throw invalidParameter(`Invalid comparator for numeric attribute: ${comparator}`);
    }
    if (read.float) {
      throw invalidParameter(
        `Invalid value for numeric attribute '${read.key}': '${pythonFloatRepr(Number(read.value))}'`,
      );
    }
    const exact = BigInt(read.value);
    // mlflow hands such a value to the database, which fails (a 500); no bigint column holds it.
    if (exact >= INT64_LIMIT || exact < -INT64_LIMIT) {
      throw invalidParameter(
        `Invalid value for numeric attribute '${read.key}': ${read.value} is out of int64 range`,
      );
    }
    return {
      type: "time",
      key: read.key,
      comparator: comparator as DatasetComparator,
      value: int64Value(exact),
    };
  }
  const upper = comparator.toUpperCase();
  if (!["=", "!=", ">", ">=", "<", "<=", "LIKE", "ILIKE", "RLIKE", "IN"].includes(upper)) {
    throw invalidParameter(`Invalid comparator for string attribute: ${comparator}`);
  }
  return { type: "attribute", key: read.key, comparator: upper as DatasetComparator, value: read.value };
}

function listItems(tokens: readonly Token[]): string[] {
  const items: string[] = [];
  for (const token of tokens.slice(1, -1)) {
    if (token.kind === "comma") continue;
    if (token.kind !== "string" && token.kind !== "quoted") {
      throw invalidParameter(
        "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: " +
          `(${excerpt(token.text)})`,
      );
    }
    items.push(token.text);
  }
  if (items.length === 0) {
    throw invalidParameter(
      "While parsing a list in the query, expected a non-empty list of string values, but got empty list",
    );
  }
  return items;
}

function unquote(key: string): string {
  const quoted = /^(["'`])(.*)\1$/s.exec(key);
  return quoted === null ? key : (quoted[2] as string);
}

function pythonSet(keys: readonly string[]): string {
  return `{${keys.map((k) => `'${k}'`).join(", ")}}`;
}

/** `parse_order_by_for_search_evaluation_datasets`: `<key> [ASC|DESC]`, attributes only. */
export function parseDatasetOrderBy(clause: string): { key: string; ascending: boolean } {
  const parts = clause.trim() === "" ? [] : clause.trim().split(/\s+/);
  if (parts.length === 0 || parts.length > 2) {
    throw invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  }
  let ascending = true;
  if (parts.length === 2) {
    const direction = (parts[1] as string).toLowerCase();
    if (direction !== "asc" && direction !== "desc") {
      throw invalidParameter(`Invalid ordering key in order_by clause '${clause}'.`);
    }
    ascending = direction === "asc";
  }
  const identifier = parts[0] as string;
  const dot = identifier.indexOf(".");
  if (dot >= 0) {
    const prefix = identifier.slice(0, dot);
    if (prefix === "tags") throw invalidParameter("Invalid order_by entity: tag");
    throw invalidParameter(`Invalid identifier token '${prefix}' specified`);
  }
  if (!ORDER_BY_KEYS.includes(identifier)) {
    throw invalidParameter(
      `Invalid attribute key '${identifier}' specified. Valid keys are: ${pythonSet(ORDER_BY_KEYS)}`,
    );
  }
  return { key: identifier, ascending };
}
