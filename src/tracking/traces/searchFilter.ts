/**
 * MLflow's trace search grammar (`SearchTraceUtils` in mlflow/utils/search_utils.py): `<entity>.<key>
 * <comparator> <value>` joined by AND, where the entity is an attribute of the trace (`attribute`,
 * `attributes`, `trace`, or none), a tag (`tag`, `tags`) or request metadata (`request_metadata`,
 * `metadata`). `name` means the `mlflow.traceName` tag, `run_id` the `mlflow.sourceRun` metadata and, in
 * filters, `prompt` the `mlflow.linkedPrompts` tag (read from the prompt links), as in MLflow. `feedback.<name>`
 * and `expectation.<name>` compare a trace's valid assessments of that name (assessmentFilterSql.ts): `=`,
 * `!=`, LIKE, ILIKE and RLIKE take a quoted string, `<`, `<=`, `>`, `>=` a number. `span.<key>` and the `text`
 * attribute compare the trace's spans (spanFilter.ts, spanFilterSql.ts). `issue.id = '<issue id>'` finds the
 * traces linked to an issue (issueFilterSql.ts); here only its value is read, its key and comparator are
 * checked when the SQL is built, as mlflow's store checks them.
 */
import { invalidParameter } from "../../errors.js";
import { COMPARATORS, isKeyword, TokenCursor, type Comparator } from "../search/filterSyntax.js";
import { excerpt, tokenize, type Token } from "../search/filterTokenizer.js";
import { pythonStringListRepr } from "../validationMessages.js";
import { LINKED_PROMPTS_TAG, SOURCE_RUN_METADATA, TRACE_NAME_TAG } from "./entities.js";
import {
  parseSpanClause,
  pythonSetRepr,
  refuseBareTextClauses,
  SPAN_ATTRIBUTES_PREFIX,
  SPAN_CONTENT_KEY,
  type SpanFilterClause,
} from "./spanFilter.js";
import { checkClauseComparator, readClauseValue, type ValueEntity } from "./traceFilterValue.js";

export type TraceFilterEntity = "attribute" | "tag" | "metadata";
export type AssessmentFilterEntity = "feedback" | "expectation";

export interface TraceFilterClause {
  entity: TraceFilterEntity | AssessmentFilterEntity | "issue";
  /** Column name for attributes (`timestamp_ms`), the tag or metadata key otherwise. */
  key: string;
  comparator: Comparator;
  value: string | number | string[];
}

export interface TraceOrderBy {
  entity: TraceFilterEntity;
  key: string;
  ascending: boolean;
}

type ParsedEntity = TraceFilterEntity | AssessmentFilterEntity | "span" | "issue";

const ENTITIES: Readonly<Record<string, ParsedEntity>> = {
  attribute: "attribute",
  attributes: "attribute",
  trace: "attribute",
  tag: "tag",
  tags: "tag",
  request_metadata: "metadata",
  metadata: "metadata",
  span: "span",
  feedback: "feedback",
  expectation: "expectation",
  issue: "issue",
};

const NUMERIC_ATTRIBUTES: Readonly<Record<string, string>> = {
  timestamp: "timestamp_ms",
  timestamp_ms: "timestamp_ms",
  execution_time: "execution_time_ms",
  execution_time_ms: "execution_time_ms",
  end_time: "end_time_ms",
  end_time_ms: "end_time_ms",
};
const STRING_ATTRIBUTES = new Set(["request_id", "status", "client_request_id"]);
/** mlflow's `SEARCH_KEY_TO_ATTRIBUTE`: the aliases a filter's key is renamed by, whatever its entity. */
const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  timestamp: "timestamp_ms",
  execution_time: "execution_time_ms",
  end_time: "end_time_ms",
};
/** `VALID_SEARCH_ATTRIBUTE_KEYS` and `VALID_ORDER_BY_ATTRIBUTE_KEYS`, in mlflow's source order. */
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
const ORDER_BY_ATTRIBUTE_KEYS = [
  "experiment_id",
  "timestamp",
  "timestamp_ms",
  "execution_time",
  "execution_time_ms",
  "end_time",
  "end_time_ms",
  "status",
  "request_id",
  "name",
  "run_id",
];
/** `_VALID_IDENTIFIERS` (`_IDENTIFIERS | set(_ALTERNATE_IDENTIFIERS)`), each part in mlflow's source order. */
const VALID_ENTITY_NAMES = [
  "tag",
  "request_metadata",
  "attribute",
  "span",
  "feedback",
  "expectation",
  "issue",
  "tags",
  "attributes",
  "trace",
  "metadata",
];
const TAG_ALIASES: Readonly<Record<string, string>> = { name: TRACE_NAME_TAG };
// mlflow filters on `prompt` (promptLinks.ts) but does not sort by it.
const FILTER_TAG_ALIASES: Readonly<Record<string, string>> = { ...TAG_ALIASES, prompt: LINKED_PROMPTS_TAG };
const METADATA_ALIASES: Readonly<Record<string, string>> = { run_id: SOURCE_RUN_METADATA };
// mlflow reads the `text` attribute as `span.content`, a full-text search over the spans' JSON.
const TEXT_ATTRIBUTE = "text";

const WHAT = "filter";

/** A filter's comparisons: on the trace's fields and assessments, or on its spans. */
export type TraceFilterTerm = TraceFilterClause | SpanFilterClause;

export function parseTraceFilter(filter: string | undefined): TraceFilterTerm[] {
  if (filter === undefined || filter.trim() === "") return [];
  const tokens = tokenize(filter, WHAT);
  refuseBareTextClauses(filter, tokens);
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

/** `order_by` entries (`timestamp_ms DESC`, `tags.k`, `name ASC`); ASC by default. */
export function parseTraceOrderBy(clauses: readonly string[] | undefined): TraceOrderBy[] {
  const terms = (clauses ?? []).map((clause) => parseOrderByClause(clause));
  // mlflow refuses a field named twice with this message (as a 500); it is the caller's mistake, so a 400.
  const seen = new Set<string>();
  for (const term of terms) {
    const field = `${term.entity}\u0000${term.key}`;
    if (seen.has(field)) {
      throw invalidParameter(
        `\`order_by\` contains duplicate fields: ${pythonStringListRepr(clauses ?? [])}`,
      );
    }
    seen.add(field);
  }
  return terms;
}

function parseOrderByClause(clause: string): TraceOrderBy {
  const cursor = new TokenCursor(clause, tokenize(clause, "order_by clause"), "order_by clause");
  const { entity, key } = parseIdentifier(cursor, true);
  // mlflow sorts traces by attributes, tags and metadata only.
  if (entity !== "attribute" && entity !== "tag" && entity !== "metadata") {
    throw invalidParameter(`Invalid identifier type '${entity}'`);
  }
  const direction = cursor.next();
  let ascending = true;
  if (direction !== undefined) {
    const upper = direction.kind === "word" ? direction.text.toUpperCase() : "";
    if (upper !== "ASC" && upper !== "DESC") {
      throw invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
    }
    ascending = upper === "ASC";
  }
  if (cursor.peek() !== undefined)
    throw invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  return { entity, key, ascending };
}

function parseClause(cursor: TokenCursor): TraceFilterTerm {
  const clauseStart = cursor.peek()?.start ?? cursor.input.length;
  const { entity, key } = parseIdentifier(cursor, false);
  const comparatorStart = cursor.peek()?.start ?? cursor.input.length;
  const comparator = parseComparator(cursor);
  const valueStart = cursor.peek()?.start ?? cursor.input.length;
  refuseKeywordValue(cursor, clauseStart, comparatorStart);
  const written = {
    identifier: cursor.input.slice(clauseStart, comparatorStart).trim(),
    comparator: cursor.input.slice(comparatorStart, valueStart).trim(),
  };
  if (entity === "span") return parseSpanClause(cursor, key, comparator, written);
  const value = readClauseValue(cursor, valueEntity(entity), key, comparator, written);
  const renamed = renamedKey(entity, key);
  if (renamed.entity === "text") {
    // Its comparator is checked when the query is built (spanFilterSql.ts), as mlflow's store checks it.
    const text = Array.isArray(value) ? value : String(value);
    return { entity: "span", key: SPAN_CONTENT_KEY, comparator, value: text };
  }
  if (renamed.entity === "feedback" || renamed.entity === "expectation" || renamed.entity === "issue") {
    return { entity: renamed.entity, key: renamed.key, comparator, value };
  }
  checkClauseComparator(renamed.entity, renamed.key, comparator);
  if (Array.isArray(value) && comparator !== "IN" && comparator !== "NOT IN") {
    // mlflow hands the tuple to its database driver, which cannot bind it.
    throw invalidParameter(`A parenthesised list is compared with IN or NOT IN only, not '${comparator}'`);
  }
  return { entity: renamed.entity, key: renamed.key, comparator, value };
}

function valueEntity(entity: Exclude<ParsedEntity, "span">): ValueEntity {
  return entity === "metadata" ? "request_metadata" : entity;
}

/**
 * mlflow renames a filter's key by its lower-cased form whatever its entity (span aside), after reading the
 * value: `issue.name` and `tag.NAME` filter on the trace name as `name` does, `feedback.text` searches the
 * spans, and `issue.timestamp` is the issue attribute `timestamp_ms` while `issue.TIMESTAMP_MS` stays as
 * written. Own keys only: `constructor` or `__proto__` must not find Object's members.
 */
function renamedKey(
  entity: Exclude<ParsedEntity, "span">,
  key: string,
): { entity: Exclude<ParsedEntity, "span"> | "text"; key: string } {
  const lower = key.toLowerCase();
  const tagKey = Object.hasOwn(FILTER_TAG_ALIASES, lower) ? FILTER_TAG_ALIASES[lower] : undefined;
  if (tagKey !== undefined) return { entity: "tag", key: tagKey };
  const metadataKey = Object.hasOwn(METADATA_ALIASES, lower) ? METADATA_ALIASES[lower] : undefined;
  if (metadataKey !== undefined) return { entity: "metadata", key: metadataKey };
  if (lower === TEXT_ATTRIBUTE) return { entity: "text", key: SPAN_CONTENT_KEY };
  const attribute = Object.hasOwn(ATTRIBUTE_ALIASES, lower) ? ATTRIBUTE_ALIASES[lower] : undefined;
  return { entity, key: attribute ?? key };
}

/**
 * Words sqlparse reads as keywords (and so as no comparison operand) in value position. NULL is the one
 * keyword sqlparse does group into a comparison; these are the ones a filter plausibly holds.
 */
const KEYWORD_VALUES: ReadonlySet<string> = new Set(["TRUE", "FALSE", "NONE"]);

/**
 * sqlparse groups no comparison around a keyword such as True, so mlflow finds the three tokens ungrouped and
 * names each as written: `feedback.x > True` is "Invalid clause(s) in filter string: 'feedback.x', '>', 'True'".
 */
function refuseKeywordValue(cursor: TokenCursor, clauseStart: number, comparatorStart: number): void {
  const value = cursor.peek();
  if (value === undefined || value.kind !== "word" || !KEYWORD_VALUES.has(value.text.toUpperCase())) return;
  const written = [
    cursor.input.slice(clauseStart, comparatorStart).trim(),
    cursor.input.slice(comparatorStart, value.start).trim(),
    value.text,
  ];
  throw invalidParameter(`Invalid clause(s) in filter string: ${written.map((t) => `'${t}'`).join(", ")}`);
}

/** The entity and the key: as written in a filter, resolved (order_by) in an order_by clause. */
function parseIdentifier(cursor: TokenCursor, forOrderBy: boolean): { entity: ParsedEntity; key: string } {
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
      const known = Object.hasOwn(ENTITIES, prefix) ? ENTITIES[prefix] : undefined;
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
  if (forOrderBy) return orderByAttribute(key);
  // Exactly as written: mlflow checks the key case-sensitively, and renames it (renamedKey) only after.
  if (!FILTER_ATTRIBUTE_KEYS.includes(key)) {
    throw invalidParameter(
      `Invalid attribute key '${key}' specified. Valid keys are '${pythonSetRepr(FILTER_ATTRIBUTE_KEYS)}'`,
    );
  }
  return { entity, key };
}

/** An order_by attribute, by its lower-cased name; `name` and `run_id` resolve to their tag and metadata. */
function orderByAttribute(key: string): { entity: TraceFilterEntity; key: string } {
  const lower = key.toLowerCase();
  // Own keys only: `constructor` or `__proto__` must not find Object's members.
  const tagKey = Object.hasOwn(TAG_ALIASES, lower) ? TAG_ALIASES[lower] : undefined;
  if (tagKey !== undefined) return { entity: "tag", key: tagKey };
  const metadataKey = Object.hasOwn(METADATA_ALIASES, lower) ? METADATA_ALIASES[lower] : undefined;
  if (metadataKey !== undefined) return { entity: "metadata", key: metadataKey };
  const column = Object.hasOwn(NUMERIC_ATTRIBUTES, lower) ? NUMERIC_ATTRIBUTES[lower] : undefined;
  if (column !== undefined) return { entity: "attribute", key: column };
  if (STRING_ATTRIBUTES.has(lower) || lower === "experiment_id") return { entity: "attribute", key: lower };
  throw invalidParameter(
    `Invalid attribute key '${key}' specified. Valid keys are '${pythonSetRepr(ORDER_BY_ATTRIBUTE_KEYS)}'`,
  );
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
