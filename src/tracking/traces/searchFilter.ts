/**
 * MLflow's trace search grammar (`SearchTraceUtils` in mlflow/utils/search_utils.py): `<entity>.<key>
 * <comparator> <value>` joined by AND, where the entity is an attribute of the trace (`attribute`,
 * `attributes`, `trace`, or none), a tag (`tag`, `tags`) or request metadata (`request_metadata`,
 * `metadata`). `name` means the `mlflow.traceName` tag, `run_id` the `mlflow.sourceRun` metadata and, in
 * filters, `prompt` the `mlflow.linkedPrompts` tag (read from the prompt links), as in MLflow. `feedback.<name>`
 * and `expectation.<name>` compare a trace's valid assessments of that name (assessmentFilterSql.ts): `=`,
 * `!=`, LIKE, ILIKE and RLIKE take a quoted string, `<`, `<=`, `>`, `>=` a number. `span.<key>` and the `text`
 * attribute compare the trace's spans (spanFilter.ts, spanFilterSql.ts). `issue.id = '<issue id>'` finds the
 * traces linked to an issue (issueFilterSql.ts). As in MLflow, the clauses sqlparse cannot group are refused
 * first, all together (ungroupedClauses.ts); then each clause's key and value are read in turn; comparators are
 * checked only when the SQL is built (search.ts), as mlflow's store checks them. order_by is traceOrderBy.ts.
 */
import { invalidParameter } from "../../errors.js";
import { COMPARATORS, isKeyword, TokenCursor, type Comparator } from "../search/filterSyntax.js";
import { excerpt, tokenize, type Token } from "../search/filterTokenizer.js";
import {
  parseSpanClause,
  pythonSetRepr,
  SPAN_ATTRIBUTES_PREFIX,
  SPAN_CONTENT_KEY,
  type SpanFilterClause,
} from "./spanFilter.js";
import {
  entityNamed,
  renamedKey,
  VALID_ENTITY_NAMES,
  type AssessmentFilterEntity,
  type ParsedEntity,
  type TraceFilterEntity,
} from "./traceFilterEntities.js";
import { readClauseValue, type ValueEntity } from "./traceFilterValue.js";
import { refuseUngroupedClauses } from "./ungroupedClauses.js";

export type { AssessmentFilterEntity, TraceFilterEntity } from "./traceFilterEntities.js";

export interface TraceFilterClause {
  entity: TraceFilterEntity | AssessmentFilterEntity | "issue";
  /** Column name for attributes (`timestamp_ms`), the tag or metadata key otherwise. */
  key: string;
  comparator: Comparator;
  value: string | number | string[];
}

/** `VALID_SEARCH_ATTRIBUTE_KEYS`, in mlflow's source order. */
const FILTER_ATTRIBUTE_KEYS = [
  "request_id",
  "timestamp",
  "timestamp_ms",
  "execution_time",
  "execution_time_ms",
  "end_time",
  "end_time_ms",
  "status",
  "client_request_id",
  "name",
  "run_id",
  "prompt",
  "text",
];

const WHAT = "filter";

/** A filter's comparisons: on the trace's fields and assessments, or on its spans. */
export type TraceFilterTerm = TraceFilterClause | SpanFilterClause;

export function parseTraceFilter(filter: string | undefined): TraceFilterTerm[] {
  if (filter === undefined || filter.trim() === "") return [];
  const tokens = tokenize(filter, WHAT);
  // mlflow refuses every clause sqlparse groups no comparison around before it reads any clause.
  refuseUngroupedClauses(filter, tokens);
  const cursor = new TokenCursor(filter, tokens, WHAT);
  const clauses: TraceFilterTerm[] = [];
  for (;;) {
    while (cursor.peek() !== undefined && isKeyword(cursor.peek() as Token, "AND")) cursor.next();
    if (cursor.peek() === undefined) return clauses;
    clauses.push(parseClause(cursor));
    const next = cursor.peek();
    if (next === undefined) return clauses;
    if (!isKeyword(next, "AND")) throw cursor.errorAt(next, "only AND is supported between comparisons");
  }
}

function parseClause(cursor: TokenCursor): TraceFilterTerm {
  const clauseStart = cursor.peek()?.start ?? cursor.input.length;
  const { entity, key } = parseIdentifier(cursor);
  const comparatorStart = cursor.peek()?.start ?? cursor.input.length;
  const comparator = parseComparator(cursor);
  const valueStart = cursor.peek()?.start ?? cursor.input.length;
  const written = {
    identifier: cursor.input.slice(clauseStart, comparatorStart).trim(),
    comparator: cursor.input.slice(comparatorStart, valueStart).trim(),
  };
  if (entity === "span") return parseSpanClause(cursor, key, comparator, written);
  const value = readClauseValue(cursor, valueEntity(entity), key, comparator);
  const renamed = renamedKey(entity, key);
  if (renamed.entity === "text") {
    // Its comparator is checked when the query is built (spanFilterSql.ts), as mlflow's store checks it.
    const text = Array.isArray(value) ? value : String(value);
    return { entity: "span", key: SPAN_CONTENT_KEY, comparator, value: text };
  }
  // Comparators are checked, and lists bound, when the query is built (search.ts): mlflow's store does so
  // once every clause is read.
  return { entity: renamed.entity, key: renamed.key, comparator, value };
}

function valueEntity(entity: Exclude<ParsedEntity, "span">): ValueEntity {
  return entity === "metadata" ? "request_metadata" : entity;
}

/** The entity and the key, as written. */
function parseIdentifier(cursor: TokenCursor): { entity: ParsedEntity; key: string } {
  const token = cursor.next();
  if (token === undefined) throw cursor.error("expected an identifier");
  let entity: ParsedEntity = "attribute";
  let key: string;
  if (token.kind === "quoted" || token.kind === "backtick") {
    key = token.text;
  } else if (token.kind === "word") {
    const dot = token.text.indexOf(".");
    if (dot < 0) {
      key = token.text;
    } else {
      const prefix = token.text.slice(0, dot);
      // MLflow matches entity names exactly: `TAG.x` and `Feedback.x` are refused.
      const known = entityNamed(prefix);
      if (known === undefined) {
        throw invalidParameter(
          `Invalid entity type '${prefix}'. Valid values are ${pythonSetRepr(VALID_ENTITY_NAMES)}`,
        );
      }
      entity = known;
      key = token.text.slice(dot + 1);
      const quoted = cursor.peek();
      if (key === "" && quoted !== undefined && (quoted.kind === "quoted" || quoted.kind === "backtick")) {
        cursor.next();
        key = quoted.text;
      } else if (
        entity === "span" &&
        key === SPAN_ATTRIBUTES_PREFIX &&
        quoted !== undefined &&
        (quoted.kind === "quoted" || quoted.kind === "backtick")
      ) {
        // mlflow keeps the quotes here: backticks come off when it builds the query, double quotes never.
        cursor.next();
        key += quoted.kind === "backtick" ? `\`${quoted.text}\`` : `"${quoted.text}"`;
      }
    }
  } else {
    throw cursor.errorAt(token, `expected an identifier, found '${excerpt(token.text)}'`);
  }
  if (entity === "feedback" || entity === "expectation") {
    if (key === "") throw invalidParameter("Assessment field name cannot be empty");
    return { entity, key };
  }
  // Span keys are checked with the clause's comparator (spanFilter.ts) and an issue's by its store
  // (issueFilterSql.ts), an empty one among them.
  if (entity === "span" || entity === "issue") return { entity, key };
  if (key.trim() === "") throw cursor.errorAt(token, "empty key");
  if (entity !== "attribute") return { entity, key };
  // Exactly as written: mlflow checks the key case-sensitively, and renames it (renamedKey) only after.
  if (!FILTER_ATTRIBUTE_KEYS.includes(key)) {
    throw invalidParameter(
      `Invalid attribute key '${key}' specified. Valid keys are '${pythonSetRepr(FILTER_ATTRIBUTE_KEYS)}'`,
    );
  }
  return { entity, key };
}

function parseComparator(cursor: TokenCursor): Comparator {
  const token = cursor.next();
  if (token === undefined) throw cursor.error("expected a comparator");
  const upper = token.text.toUpperCase();
  if (token.kind === "operator" && (COMPARATORS as readonly string[]).includes(token.text)) {
    return token.text as Comparator;
  }
  if (token.kind === "word") {
    if (upper === "LIKE" || upper === "ILIKE" || upper === "RLIKE" || upper === "IN") return upper;
    const second = cursor.next();
    if (upper === "NOT" && second !== undefined && isKeyword(second, "IN")) return "NOT IN";
    if (upper === "IS" && second !== undefined) {
      if (isKeyword(second, "NULL")) return "IS NULL";
      const third = cursor.next();
      if (isKeyword(second, "NOT") && third !== undefined && isKeyword(third, "NULL")) return "IS NOT NULL";
    }
  }
  throw cursor.errorAt(
    token,
    `expected a comparator (${COMPARATORS.join(", ")}), found '${excerpt(token.text)}'`,
  );
}
