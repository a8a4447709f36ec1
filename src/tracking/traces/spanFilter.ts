/**
 * MLflow 3.17's span filters on traces (`SearchTraceUtils.is_span` and `_get_value` in
 * mlflow/utils/search_utils.py): `span.name`, `span.type` and `span.status` with `=`, `!=`, IN, NOT IN, LIKE,
 * ILIKE and RLIKE; `span.content` with LIKE and ILIKE; `span.attributes.<name>` with the comparators of the
 * columns; and the `text` attribute (`trace.text`), which MLflow reads as `span.content`. The messages are
 * MLflow's, its Python sets written in one fixed order (Python's own order changes from process to process).
 * MLflow checks the comparator of a `span.` clause as written, so `span.name like 'x'` is refused while
 * `trace.text like 'x'` is not: that one is checked only when the query is built, comparator upper-cased.
 */
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { pythonFloatRepr, pythonStrRepr } from "../../pythonRepr.js";
import type { Comparator, TokenCursor } from "../search/filterSyntax.js";
import type { Token } from "../search/filterTokenizer.js";
import { pythonStringListRepr } from "../validationMessages.js";

export interface SpanFilterClause {
  entity: "span";
  /** `name`, `type`, `status`, `content` or `attributes.<name>`, as written after `span.`. */
  key: string;
  comparator: Comparator;
  /** A parenthesised list is kept as a list whatever the comparator, as MLflow keeps its tuple. */
  value: string | string[];
}

export const SPAN_CONTENT_KEY = "content";
export const SPAN_ATTRIBUTES_PREFIX = "attributes.";
export const SPAN_COLUMNS: ReadonlySet<string> = new Set(["name", "type", "status"]);

const SPAN_ATTRIBUTE_COMPARATORS = ["!=", "=", "IN", "NOT IN", "LIKE", "ILIKE", "RLIKE"];
const SPAN_CONTENT_COMPARATORS = ["LIKE", "ILIKE"];

/**
 * Python's repr of a set of plain strings, in the order given: Python's own order changes from process to
 * process (string hashing is salted per process), so no order is the one MLflow prints; callers pass the
 * order of MLflow's source literal.
 */
export function pythonSetRepr(items: readonly string[]): string {
  return `{${items.map((item) => `'${item}'`).join(", ")}}`;
}

/**
 * `is_span`: the key first, then the comparator (as written for a `span.` clause). Runs again, with the
 * comparator upper-cased, when the query is built, which is where a `text` clause meets it first.
 */
export function checkSpanComparison(key: string, comparator: string): void {
  let allowed: readonly string[];
  if (key.startsWith(SPAN_ATTRIBUTES_PREFIX)) {
    if (key.length === SPAN_ATTRIBUTES_PREFIX.length) {
      throw invalidParameter("Span attribute name cannot be empty after 'attributes.'");
    }
    allowed = SPAN_ATTRIBUTE_COMPARATORS;
  } else if (SPAN_COLUMNS.has(key)) {
    allowed = SPAN_ATTRIBUTE_COMPARATORS;
  } else if (key === SPAN_CONTENT_KEY) {
    allowed = SPAN_CONTENT_COMPARATORS;
  } else {
    throw invalidParameter(
      `Invalid span attribute '${key}'. Supported attributes: ${[...SPAN_COLUMNS].sort().join(", ")}, attributes.<attribute_name>.`,
    );
  }
  if (!allowed.includes(comparator)) {
    throw invalidParameter(`span.${key} comparator '${comparator}' not one of '${pythonSetRepr(allowed)}'`);
  }
}

/** Where a clause starts in the filter: the identifier and the comparator as written, for messages. */
export interface ClauseText {
  identifier: string;
  comparator: string;
}

/** The value of a `span.` clause, then the key and the comparator as written, in MLflow's order. */
export function parseSpanClause(
  cursor: TokenCursor,
  key: string,
  comparator: Comparator,
  written: ClauseText,
): SpanFilterClause {
  if (comparator === "IS NULL" || comparator === "IS NOT NULL") {
    // MLflow reads no value here and checks the clause only when it builds the query, upper-cased.
    checkSpanComparison(key, comparator);
    return { entity: "span", key, comparator, value: "" };
  }
  const value = parseSpanValue(cursor, comparator);
  // `NOT IN` is the one comparator MLflow joins (and so upper-cases) before it checks it.
  checkSpanComparison(key, comparator === "NOT IN" ? comparator : written.comparator);
  return { entity: "span", key, comparator, value };
}

function parseSpanValue(cursor: TokenCursor, comparator: Comparator): string | string[] {
  const token = cursor.next();
  if (token === undefined) throw cursor.error(`expected a value after '${comparator}'`);
  if (token.kind === "lparen") return parseList(cursor, token);
  const text = cursor.input.slice(token.start, token.end);
  if (token.kind === "string" || token.kind === "quoted") return token.text;
  if (token.kind === "word") throw unquotedValue(text);
  throw invalidParameter(`Expected a quoted string value for span (e.g. 'my-value'). Got value ${text}`);
}

export function unquotedValue(text: string): FlowOpsError {
  return invalidParameter(
    `Parameter value is either not quoted or unidentified quote types used for string value ${text}. Use either single or double quotes.`,
  );
}

/** `_parse_list_from_sql_token`: quoted strings between commas, at least one. */
export function parseList(cursor: TokenCursor, open: Token): string[] {
  const items: Token[] = [];
  let close: Token | undefined;
  for (let token = cursor.next(); token !== undefined; token = cursor.next()) {
    if (token.kind === "rparen") {
      close = token;
      break;
    }
    items.push(token);
  }
  if (close === undefined) throw cursor.errorAt(open, "unbalanced parenthesis");
  const values = items.filter((t) => t.kind !== "comma");
  if (values.some((t) => t.kind !== "string" && t.kind !== "quoted")) {
    const literal = pythonTupleRepr(values) ?? cursor.input.slice(open.start, close.end);
    throw invalidParameter(
      `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${literal}`,
    );
  }
  if (values.length === 0) {
    throw invalidParameter(
      "While parsing a list in the query, expected a non-empty list of string values, but got empty list",
    );
  }
  return values.map((t) => t.text);
}

/**
 * The tuple MLflow reads a list as (`ast.literal_eval`), as Python prints it: `(1,)`, `('a', 2.5)`. Undefined
 * for an item Python reads as no literal (a bare name), which MLflow fails on before printing anything.
 */
function pythonTupleRepr(items: readonly Token[]): string | undefined {
  const reprs: string[] = [];
  for (const item of items) {
    if (item.kind === "string" || item.kind === "quoted") reprs.push(pythonStrRepr(item.text));
    else if (item.kind === "number" && /^[+-]?\d+$/.test(item.text)) reprs.push(BigInt(item.text).toString());
    else if (item.kind === "number") reprs.push(pythonFloatRepr(Number(item.text)));
    else if (item.kind === "word" && PYTHON_CONSTANTS.has(item.text)) reprs.push(item.text);
    else return undefined;
  }
  return reprs.length === 1 ? `(${reprs[0]},)` : `(${reprs.join(", ")})`;
}

const PYTHON_CONSTANTS: ReadonlySet<string> = new Set(["True", "False", "None"]);

/**
 * MLflow splices a `span.attributes.` clause's value into a LIKE pattern with an f-string, so a list becomes
 * its tuple's repr (`('a', 'b')`), which IN and NOT IN then refuse as SQLAlchemy does.
 */
export function attributeValueText(value: string | string[]): string {
  if (typeof value === "string") return value;
  const items = value.map((v) => pythonStringListRepr([v]).slice(1, -1));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

export function attributeInListError(pattern: string): FlowOpsError {
  return new FlowOpsError(
    "BAD_REQUEST",
    `IN expression list, SELECT construct, or bound parameter object expected, got ${pythonStringListRepr([pattern]).slice(1, -1)}.`,
  );
}
