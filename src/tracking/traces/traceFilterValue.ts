/**
 * How MLflow 3.17 reads and checks a trace filter clause that is not on spans (`SearchTraceUtils._get_value`
 * and `_validate_assessment_comparison_value`, then the SQL store's `is_tag`, `is_request_metadata` and
 * `is_attribute`). The value is read by the entity as written, before `name`, `run_id`, `prompt`, `text` and
 * the timestamp aliases rename the key, so `issue.name IN ('a')` is refused as an issue's value even though
 * `name IN ('a')` is read; the comparator is checked against the renamed entity. MLflow's sets are written in
 * its source's order (see pythonSetRepr), and each message keeps its quotes as MLflow's f-string has them,
 * the tag and numeric-attribute ones without the closing quote.
 */
import { invalidParameter } from "../../errors.js";
import { NULL_COMPARATORS, type Comparator, type TokenCursor } from "../search/filterSyntax.js";
import type { Token } from "../search/filterTokenizer.js";
import { parseList, pythonSetRepr, unquotedValue } from "./spanFilter.js";

/** The entity as MLflow names it in its value messages (`metadata.x` is `request_metadata`). */
export type ValueEntity = "attribute" | "tag" | "request_metadata" | "issue" | "feedback" | "expectation";

/** `SearchTraceUtils.NUMERIC_ATTRIBUTES`. */
export const NUMERIC_ATTRIBUTE_KEYS: readonly string[] = [
  "timestamp_ms",
  "timestamp",
  "execution_time_ms",
  "execution_time",
  "end_time_ms",
  "end_time",
];
/** `SUPPORT_IN_COMPARISON_ATTRIBUTE_KEYS`, checked on the key as written (`name`, `run_id` included). */
const IN_LIST_ATTRIBUTE_KEYS = ["name", "status", "request_id", "run_id", "client_request_id"];
const NUMERIC_ASSESSMENT_COMPARATORS: readonly Comparator[] = ["<", "<=", ">", ">="];

const TAG_COMPARATORS: readonly Comparator[] = [
  "!=",
  "=",
  "LIKE",
  "ILIKE",
  "RLIKE",
  "IS NULL",
  "IS NOT NULL",
];
const METADATA_COMPARATORS = TAG_COMPARATORS;
const STRING_ATTRIBUTE_COMPARATORS: readonly Comparator[] = [
  "!=",
  "=",
  "IN",
  "NOT IN",
  "LIKE",
  "ILIKE",
  "RLIKE",
];
const NUMERIC_ATTRIBUTE_COMPARATORS: readonly Comparator[] = [">", ">=", "!=", "=", "<", "<="];

/** A clause's value: `""` for IS NULL and IS NOT NULL, which take none. */
export function readClauseValue(
  cursor: TokenCursor,
  entity: ValueEntity,
  key: string,
  comparator: Comparator,
): string | number | string[] {
  if (NULL_COMPARATORS.includes(comparator)) return "";
  const token = cursor.next();
  if (token === undefined) throw cursor.error(`expected a value after '${comparator}'`);
  const text = cursor.input.slice(token.start, token.end);
  if (entity === "feedback" || entity === "expectation") {
    return readAssessmentValue(cursor, token, entity, comparator);
  }
  if (token.kind === "string" || token.kind === "quoted") return token.text;
  // sqlparse reads a bare word as an identifier, whose quotes MLflow then finds missing.
  if (token.kind === "word" || token.kind === "backtick") throw unquotedValue(text);
  if (token.kind === "lparen") {
    if (entity === "tag") return parseList(cursor, token);
    if (entity === "attribute") {
      if (!IN_LIST_ATTRIBUTE_KEYS.includes(key)) {
        throw invalidParameter(
          `Only attributes in ${pythonSetRepr(IN_LIST_ATTRIBUTE_KEYS)} supports comparison with a list of quoted string values.`,
        );
      }
      return parseList(cursor, token);
    }
  }
  if (entity === "attribute" && token.kind === "number") {
    if (!NUMERIC_ATTRIBUTE_KEYS.includes(key)) {
      throw invalidParameter(
        `Only the '${pythonSetRepr(NUMERIC_ATTRIBUTE_KEYS)}' attributes support comparison with numeric values.`,
      );
    }
    return Number(token.text);
  }
  const value = token.kind === "lparen" ? parenthesised(cursor, token) : text;
  throw invalidParameter(
    entity === "attribute"
      ? `Expected a quoted string value or a list of quoted string values for attributes. Got value ${value}`
      : `Expected a quoted string value for ${entity} (e.g. 'my-value'). Got value ${value}`,
  );
}

/**
 * mlflow checks an assessment value's kind before the comparator: a number for `<`, `<=`, `>`, `>=`, a
 * quoted string for the rest, so `IN ('a')` is refused for its list. Its messages quote the value as written.
 */
function readAssessmentValue(
  cursor: TokenCursor,
  token: Token,
  entity: "feedback" | "expectation",
  comparator: Comparator,
): string | number {
  const numeric = NUMERIC_ASSESSMENT_COMPARATORS.includes(comparator);
  const written =
    token.kind === "lparen" ? parenthesised(cursor, token) : cursor.input.slice(token.start, token.end);
  const quoted = token.kind === "string" || token.kind === "quoted";
  if (numeric && token.kind === "number") return Number(token.text);
  if (!numeric && quoted) return token.text;
  if (!numeric && token.kind === "word") throw unquotedValue(written);
  throw invalidParameter(
    numeric
      ? `Expected a numeric value for ${entity} when using comparator '${comparator}'. Got value ${written}`
      : `Expected a quoted string value for ${entity} (e.g. 'my-value'). Got value ${written}`,
  );
}

/** The text of a parenthesised value from its opening parenthesis on, consumed. */
function parenthesised(cursor: TokenCursor, open: Token): string {
  while (cursor.peek() !== undefined && cursor.peek()?.kind !== "rparen") cursor.next();
  return cursor.input.slice(open.start, cursor.next()?.end ?? cursor.input.length);
}

/**
 * The store's comparator check for the renamed entity. A numeric attribute's message lists the string
 * attributes' comparators, as MLflow's does.
 */
export function checkClauseComparator(
  entity: "attribute" | "tag" | "metadata",
  key: string,
  comparator: Comparator,
): void {
  if (entity === "tag") {
    if (TAG_COMPARATORS.includes(comparator)) return;
    throw invalidParameter(
      `Invalid comparator '${comparator}' not one of '${pythonSetRepr(TAG_COMPARATORS)}`,
    );
  }
  if (entity === "metadata") {
    if (METADATA_COMPARATORS.includes(comparator)) return;
    throw invalidParameter(
      `Invalid comparator '${comparator}' not one of '${pythonSetRepr(METADATA_COMPARATORS)}'`,
    );
  }
  if (NUMERIC_ATTRIBUTE_KEYS.includes(key)) {
    if (NUMERIC_ATTRIBUTE_COMPARATORS.includes(comparator)) return;
    throw invalidParameter(
      `Invalid comparator '${comparator}' not one of '${pythonSetRepr(STRING_ATTRIBUTE_COMPARATORS)}`,
    );
  }
  if (STRING_ATTRIBUTE_COMPARATORS.includes(comparator)) return;
  throw invalidParameter(
    `Invalid comparator '${comparator}' not one of '${pythonSetRepr(STRING_ATTRIBUTE_COMPARATORS)}'`,
  );
}
