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
import {
  COMPARATORS,
  isKeyword,
  NULL_COMPARATORS,
  TokenCursor,
  type Comparator,
} from "../search/filterSyntax.js";
import { excerpt, tokenize, type Token } from "../search/filterTokenizer.js";
import { pythonStringListRepr } from "../validationMessages.js";
import { LINKED_PROMPTS_TAG, SOURCE_RUN_METADATA, TRACE_NAME_TAG } from "./entities.js";
import {
  parseSpanClause,
  parseTextValue,
  refuseBareTextClauses,
  SPAN_ATTRIBUTES_PREFIX,
  type SpanFilterClause,
} from "./spanFilter.js";

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
const TAG_ALIASES: Readonly<Record<string, string>> = { name: TRACE_NAME_TAG };
// mlflow filters on `prompt` (promptLinks.ts) but does not sort by it.
const FILTER_TAG_ALIASES: Readonly<Record<string, string>> = { ...TAG_ALIASES, prompt: LINKED_PROMPTS_TAG };
const METADATA_ALIASES: Readonly<Record<string, string>> = { run_id: SOURCE_RUN_METADATA };
const VALID_ATTRIBUTE_KEYS = [...Object.keys(NUMERIC_ATTRIBUTES), ...STRING_ATTRIBUTES, "name", "run_id"];
const VALID_FILTER_ATTRIBUTE_KEYS = [...VALID_ATTRIBUTE_KEYS, "prompt", "text"];
// mlflow reads the `text` attribute as `span.content`, a full-text search over the spans' JSON.
const TEXT_ATTRIBUTE = "text";

const NUMERIC_COMPARATORS: readonly Comparator[] = ["=", "!=", ">", ">=", "<", "<="];
// RLIKE is a regular-expression search; MLflow 3.17.2 takes it in trace filters only.
const STRING_ATTRIBUTE_COMPARATORS: readonly Comparator[] = [
  "=",
  "!=",
  "LIKE",
  "ILIKE",
  "RLIKE",
  "IN",
  "NOT IN",
];
const KEY_VALUE_COMPARATORS: readonly Comparator[] = [
  "=",
  "!=",
  "LIKE",
  "ILIKE",
  "RLIKE",
  "IS NULL",
  "IS NOT NULL",
];
const NUMERIC_ASSESSMENT_COMPARATORS: readonly Comparator[] = ["<", "<=", ">", ">="];

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
  if (entity === "span") {
    return parseSpanClause(cursor, key, comparator, {
      identifier: cursor.input.slice(clauseStart, comparatorStart).trim(),
      comparator: cursor.input.slice(comparatorStart, valueStart).trim(),
    });
  }
  if (entity === "text") return parseTextValue(cursor, comparator);
  if (entity === "feedback" || entity === "expectation" || entity === "issue") {
    return { entity, key, comparator, value: parseAssessmentValue(cursor, entity, comparator) };
  }
  const allowed =
    entity !== "attribute"
      ? KEY_VALUE_COMPARATORS
      : key in NUMERIC_ATTRIBUTES || Object.values(NUMERIC_ATTRIBUTES).includes(key)
        ? NUMERIC_COMPARATORS
        : STRING_ATTRIBUTE_COMPARATORS;
  if (!allowed.includes(comparator)) {
    throw invalidParameter(`Invalid comparator '${comparator}' not one of '${allowed.join("', '")}'`);
  }
  if (NULL_COMPARATORS.includes(comparator)) return { entity, key, comparator, value: "" };
  const numeric = allowed === NUMERIC_COMPARATORS;
  return { entity, key, comparator, value: parseValue(cursor, numeric, comparator) };
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

/**
 * mlflow checks the value's kind before the comparator: a number for `<`, `<=`, `>`, `>=`, a quoted string
 * for the rest, so `IN ('a')` is refused for its list. Its messages quote the value as written. An issue's
 * value is always a quoted string, whatever the comparator (which its store then refuses unless `=`).
 */
function parseAssessmentValue(
  cursor: TokenCursor,
  entity: AssessmentFilterEntity | "issue",
  comparator: Comparator,
): string | number {
  if (NULL_COMPARATORS.includes(comparator)) return "";
  const numeric = entity !== "issue" && NUMERIC_ASSESSMENT_COMPARATORS.includes(comparator);
  const token = cursor.next();
  if (token === undefined) throw cursor.error(`expected a value after '${comparator}'`);
  let written = cursor.input.slice(token.start, token.end);
  if (token.kind === "lparen") {
    while (cursor.peek() !== undefined && cursor.peek()?.kind !== "rparen") cursor.next();
    written = cursor.input.slice(token.start, cursor.next()?.end ?? cursor.input.length);
  }
  const quoted = token.kind === "string" || token.kind === "quoted";
  if (numeric && token.kind === "number") return Number(token.text);
  if (!numeric && quoted) return token.text;
  if (!numeric && token.kind === "word") {
    throw invalidParameter(
      `Parameter value is either not quoted or unidentified quote types used for string value ${written}. Use either single or double quotes.`,
    );
  }
  throw invalidParameter(
    numeric
      ? `Expected a numeric value for ${entity} when using comparator '${comparator}'. Got value ${written}`
      : `Expected a quoted string value for ${entity} (e.g. 'my-value'). Got value ${written}`,
  );
}

/** The entity and canonical key; `name` and `run_id` resolve to their tag and metadata keys. */
function parseIdentifier(
  cursor: TokenCursor,
  forOrderBy: boolean,
): { entity: ParsedEntity | "text"; key: string } {
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
          `Invalid entity type '${prefix}'. Valid values are ${Object.keys(ENTITIES).join(", ")}`,
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
  if (entity === "issue") return issueIdentifier(key, forOrderBy);
  // Span keys are checked with the clause's comparator (spanFilter.ts), an empty one among them.
  if (entity === "span") return { entity, key };
  if (key.trim() === "") throw cursor.errorAt(token, "empty key");
  if (entity !== "attribute") return { entity, key };
  const lower = key.toLowerCase();
  // Own keys only: `constructor` or `__proto__` must not find Object's members.
  const aliases = forOrderBy ? TAG_ALIASES : FILTER_TAG_ALIASES;
  const tagKey = Object.hasOwn(aliases, lower) ? aliases[lower] : undefined;
  if (tagKey !== undefined) return { entity: "tag", key: tagKey };
  const metadataKey = Object.hasOwn(METADATA_ALIASES, lower) ? METADATA_ALIASES[lower] : undefined;
  if (metadataKey !== undefined) return { entity: "metadata", key: metadataKey };
  const column = Object.hasOwn(NUMERIC_ATTRIBUTES, lower) ? NUMERIC_ATTRIBUTES[lower] : undefined;
  if (column !== undefined) return { entity, key: column };
  if (STRING_ATTRIBUTES.has(lower)) return { entity, key: lower };
  if (forOrderBy && lower === "experiment_id") return { entity, key: lower };
  // Exactly as written: mlflow maps `text` after checking the key, which it does case-sensitively.
  if (!forOrderBy && key === TEXT_ATTRIBUTE) return { entity: "text", key };
  throw invalidParameter(
    `Invalid attribute key '${key}' specified. Valid keys are '${(forOrderBy ? [...VALID_ATTRIBUTE_KEYS, "experiment_id"] : VALID_FILTER_ATTRIBUTE_KEYS).join("', '")}'`,
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

function parseValue(
  cursor: TokenCursor,
  numeric: boolean,
  comparator: Comparator,
): string | number | string[] {
  const token = cursor.next();
  if (token === undefined) throw cursor.error(`expected a value after '${comparator}'`);
  if (comparator === "IN" || comparator === "NOT IN") {
    if (token.kind !== "lparen")
      throw cursor.errorAt(token, `'${comparator}' expects a parenthesised list of quoted strings`);
    const values: string[] = [];
    for (;;) {
      const item = cursor.next();
      if (item === undefined || (item.kind !== "string" && item.kind !== "quoted")) {
        throw cursor.errorAt(item ?? token, "list items must be quoted strings");
      }
      values.push(item.text);
      const separator = cursor.next();
      if (separator?.kind === "rparen") return values;
      if (separator?.kind !== "comma")
        throw cursor.errorAt(separator ?? token, "expected ',' or ')' in list");
    }
  }
  if (numeric) {
    if (token.kind !== "number" || !Number.isSafeInteger(Number(token.text))) {
      throw invalidParameter(
        `Expected an integer value for a numeric attribute, found '${excerpt(token.text)}'`,
      );
    }
    return Number(token.text);
  }
  if (token.kind !== "string" && token.kind !== "quoted") {
    throw invalidParameter(
      `Expected a quoted string value (use single or double quotes), found '${excerpt(token.text)}'`,
    );
  }
  return token.text;
}

/**
 * mlflow renames a filter's key by its lower-cased form whatever its entity, so `issue.name`, `issue.prompt`,
 * `issue.run_id` and `issue.text` filter as the bare keys do, and `issue.timestamp` is refused as the issue
 * attribute `timestamp_ms`. Other keys stay as written for the store's check, which knows `id` only.
 */
function issueIdentifier(key: string, forOrderBy: boolean): { entity: ParsedEntity | "text"; key: string } {
  const lower = key.toLowerCase();
  if (forOrderBy) return { entity: "issue", key };
  const tagKey = Object.hasOwn(FILTER_TAG_ALIASES, lower) ? FILTER_TAG_ALIASES[lower] : undefined;
  if (tagKey !== undefined) return { entity: "tag", key: tagKey };
  const metadataKey = Object.hasOwn(METADATA_ALIASES, lower) ? METADATA_ALIASES[lower] : undefined;
  if (metadataKey !== undefined) return { entity: "metadata", key: metadataKey };
  if (lower === TEXT_ATTRIBUTE) return { entity: "text", key: lower };
  // NUMERIC_ATTRIBUTES holds mlflow's SEARCH_KEY_TO_ATTRIBUTE (`timestamp` is `timestamp_ms`).
  const attribute = Object.hasOwn(NUMERIC_ATTRIBUTES, lower) ? NUMERIC_ATTRIBUTES[lower] : undefined;
  return { entity: "issue", key: attribute ?? key };
}
