/**
 * Parses MLflow's search filter grammar (`mlflow/utils/search_utils.py`) into clauses: comparisons of
 * `<entity>.<key>` with a literal, joined by AND only. The parser is generic: it knows the syntax, the
 * entity aliases and that metrics compare with numbers and params/tags/datasets with strings. Which keys and
 * comparators a given search allows is checked afterwards (`filterValidation.ts`), and values are always
 * bound as SQL parameters by the searches, never spliced into SQL text.
 *
 * This module is also the one import point for other searches: it re-exports validation, order_by and
 * page tokens.
 */
import { invalidParameter } from "../../errors.js";
import { excerpt, tokenize, type Token } from "./filterTokenizer.js";
import {
  COMPARATORS,
  isKeyword,
  NULL_COMPARATORS,
  parseIdentifier,
  TokenCursor,
  type Comparator,
  type FilterClause,
  type Identifier,
} from "./filterSyntax.js";

export * from "./filterSyntax.js";
export * from "./filterValidation.js";
export * from "./orderBy.js";

const SYMBOL_COMPARATORS: ReadonlySet<string> = new Set(["=", "!=", ">", ">=", "<", "<="]);
const WHAT = "filter";

/**
 * Parses a filter; an absent or blank filter has no clauses. MLflow's parser (sqlparse) drops every AND
 * keyword and keeps what lies between, so a leading, doubled or trailing AND joins nothing and is skipped:
 * `metrics.m > 1 and` is `metrics.m > 1`, and a filter of ANDs alone has no clauses.
 */
export function parseSearchFilter(filter: string | undefined): FilterClause[] {
  if (filter === undefined || filter.trim() === "") return [];
  const tokens = tokenize(filter, WHAT);
  const cursor = new TokenCursor(filter, tokens, WHAT);
  const clauses: FilterClause[] = [];
  for (;;) {
    skipAnds(cursor);
    if (cursor.peek() === undefined) return clauses;
    clauses.push(parseClause(cursor));
    const next = cursor.peek();
    if (next === undefined) return clauses;
    if (!isKeyword(next, "AND")) throw invalidClause(filter, next);
  }
}

function skipAnds(cursor: TokenCursor): void {
  for (let token = cursor.peek(); token !== undefined && isKeyword(token, "AND"); token = cursor.peek()) {
    cursor.next();
  }
}

/** MLflow's wording for OR, parentheses and anything else that is not `AND <comparison>`. */
function invalidClause(filter: string, token: Token) {
  const hint = isKeyword(token, "OR")
    ? "only AND is supported between comparisons"
    : token.kind === "lparen" || token.kind === "rparen"
      ? "parentheses are not supported"
      : "expected AND between comparisons";
  return invalidParameter(
    `Invalid clause(s) in filter string: '${excerpt(filter)}': ${hint}; found '${excerpt(token.text)}' at position ${token.start}`,
  );
}

function parseClause(cursor: TokenCursor): FilterClause {
  const first = cursor.peek();
  if (first !== undefined && (first.kind === "lparen" || isKeyword(first, "OR"))) {
    throw invalidClause(cursor.input, first);
  }
  const identifier = parseIdentifier(cursor);
  const comparator = parseComparator(cursor);
  if (NULL_COMPARATORS.includes(comparator)) return { ...identifier, comparator, value: "" };
  const valueToken = cursor.peek();
  if (valueToken === undefined) throw cursor.error(`expected a value after '${comparator}'`);
  const value = parseValue(cursor, identifier, comparator);
  // Only where the double is not already exact, so ordinary clauses stay as they were.
  if (typeof value === "number" && identifier.type === "attribute" && !Number.isSafeInteger(value)) {
    return { ...identifier, comparator, value, literal: valueToken.text };
  }
  return { ...identifier, comparator, value };
}

function parseComparator(cursor: TokenCursor): Comparator {
  const token = cursor.next();
  if (token === undefined) throw cursor.error("expected a comparator");
  if (token.kind === "operator") {
    if (SYMBOL_COMPARATORS.has(token.text)) return token.text as Comparator;
    throw cursor.errorAt(
      token,
      `invalid comparator '${excerpt(token.text)}'; valid comparators are ${COMPARATORS.join(", ")}`,
    );
  }
  if (token.kind === "word") {
    const upper = token.text.toUpperCase();
    if (upper === "LIKE" || upper === "ILIKE" || upper === "RLIKE" || upper === "IN") return upper;
    if (upper === "NOT") {
      const inToken = cursor.next();
      if (inToken !== undefined && isKeyword(inToken, "IN")) return "NOT IN";
      throw cursor.errorAt(inToken ?? token, "expected IN after NOT");
    }
    if (upper === "IS") return parseNullComparator(cursor, token);
  }
  throw cursor.errorAt(
    token,
    `expected a comparator (${COMPARATORS.join(", ")}), found '${excerpt(token.text)}'`,
  );
}

/** `IS NULL` or `IS NOT NULL`, after the IS. */
function parseNullComparator(cursor: TokenCursor, is: Token): Comparator {
  let token = cursor.next();
  const negated = token !== undefined && isKeyword(token, "NOT");
  if (negated) token = cursor.next();
  if (token !== undefined && isKeyword(token, "NULL")) return negated ? "IS NOT NULL" : "IS NULL";
  throw cursor.errorAt(
    token ?? is,
    `expected ${negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS"}`,
  );
}

function parseValue(
  cursor: TokenCursor,
  identifier: Identifier,
  comparator: Comparator,
): FilterClause["value"] {
  const token = cursor.next() as Token;
  const wantsList = comparator === "IN" || comparator === "NOT IN";
  if (wantsList) {
    if (token.kind !== "lparen") {
      throw cursor.errorAt(token, `'${comparator}' expects a parenthesised list of quoted strings`);
    }
    return parseList(cursor, token);
  }
  if (token.kind === "lparen") throw cursor.errorAt(token, `a list is only allowed with IN and NOT IN`);
  if (token.kind === "number") {
    if (identifier.type !== "metric" && identifier.type !== "attribute") {
      throw cursor.errorAt(
        token,
        `${identifier.type} values must be quoted strings (use single or double quotes), found ${token.text}`,
      );
    }
    const value = Number(token.text);
    // MLflow reads a metric's value with float(), where 1e400 is inf and compares as such; an attribute's
    // goes through int(), which cannot hold it.
    if (!Number.isFinite(value) && identifier.type !== "metric") {
      throw cursor.errorAt(token, `number out of range '${excerpt(token.text)}'`);
    }
    return value;
  }
  if (token.kind === "string" || token.kind === "quoted") {
    if (identifier.type === "metric") {
      throw cursor.errorAt(token, `expected a numeric value for metric '${excerpt(identifier.key)}'`);
    }
    return token.text;
  }
  throw cursor.errorAt(
    token,
    `expected a value (a quoted string or a number), found '${excerpt(token.text)}'; strings must be quoted with ' or "`,
  );
}

function parseList(cursor: TokenCursor, open: Token): string[] {
  const values: string[] = [];
  for (;;) {
    const item = cursor.next();
    if (item === undefined) throw cursor.errorAt(open, "unclosed '(' in list");
    if (item.kind === "rparen" && values.length === 0) throw cursor.errorAt(item, "empty list");
    if (item.kind !== "string" && item.kind !== "quoted") {
      throw cursor.errorAt(item, `list items must be quoted strings, found '${excerpt(item.text)}'`);
    }
    values.push(item.text);
    const separator = cursor.next();
    if (separator === undefined) throw cursor.errorAt(open, "unclosed '(' in list");
    if (separator.kind === "rparen") return values;
    if (separator.kind !== "comma") {
      throw cursor.errorAt(separator, `expected ',' or ')' in list, found '${excerpt(separator.text)}'`);
    }
  }
}
