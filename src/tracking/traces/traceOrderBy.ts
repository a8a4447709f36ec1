/**
 * order_by entries of a trace search (`timestamp_ms DESC`, `tags.k`, `name ASC`), read as MLflow 3.17 reads
 * them (`SearchUtils._parse_order_by_string`, `SearchTraceUtils.parse_order_by_for_search_traces`, then the SQL
 * store's `_get_orderby_clauses_for_search_traces`), one entry after the other, each checked before the next
 * is read. sqlparse must see one identifier, with an optional direction: a bare SQL keyword (`text`,
 * `TIMESTAMP`, `Timestamp`) is none, a bare lower-case `timestamp` the one exception. Entity and attribute
 * keys are matched exactly, and the key is then renamed by its lower-cased form as in filters, so `tag.NAME`
 * sorts by the trace name while `Name` is refused.
 */
import { invalidParameter } from "../../errors.js";
import { tokenize, type Token } from "../search/filterTokenizer.js";
import { pythonStringListRepr } from "../validationMessages.js";
import { pythonSetRepr } from "./spanFilter.js";
import { isSqlKeywordKey } from "./sqlKeywordKeys.js";
import {
  entityNamed,
  renamedKey,
  VALID_ENTITY_NAMES,
  type ParsedEntity,
  type TraceFilterEntity,
} from "./traceFilterEntities.js";

export interface TraceOrderBy {
  entity: TraceFilterEntity;
  key: string;
  ascending: boolean;
}

/** `VALID_ORDER_BY_ATTRIBUTE_KEYS`, in mlflow's source order. */
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
/** Metadata mlflow keeps as several columns (`TRACE_ANALYTICS_COLUMNS_BY_METADATA_KEY`), so sorts by none. */
const RESERVED_METADATA = ["mlflow.trace.tokenUsage", "mlflow.trace.cost"];
const BARE_TIMESTAMP = "timestamp";

export function parseTraceOrderBy(clauses: readonly string[] | undefined): TraceOrderBy[] {
  const terms: TraceOrderBy[] = [];
  const seen = new Set<string>();
  for (const clause of clauses ?? []) {
    const term = parseOrderByClause(clause);
    // mlflow refuses a field named twice with this message (as a 500); it is the caller's mistake, so a 400.
    const field = `${term.entity}\u0000${term.key}`;
    if (seen.has(field)) {
      throw invalidParameter(
        `\`order_by\` contains duplicate fields: ${pythonStringListRepr(clauses ?? [])}`,
      );
    }
    seen.add(field);
    terms.push(term);
  }
  return terms;
}

function parseOrderByClause(clause: string): TraceOrderBy {
  const unparsable = () => invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  // sqlparse keeps surrounding whitespace as tokens of their own, and then finds more than one identifier.
  if (clause.trim() === "" || clause.trim() !== clause) throw unparsable();
  let tokens: Token[];
  try {
    tokens = tokenize(clause, "order_by clause");
  } catch {
    throw unparsable();
  }
  const [head, direction, ...rest] = identifierParts(tokens);
  if (head === undefined || rest.length > 0) throw unparsable();
  if (direction !== undefined && direction.kind !== "word") throw unparsable();
  const bareKeyword = head.kind === "word" && isSqlKeywordKey(head.text);
  if (bareKeyword && head.text !== BARE_TIMESTAMP) throw unparsable();
  if (head.kind !== "word" && head.kind !== "quoted" && head.kind !== "backtick") throw unparsable();
  const order = direction?.text.toLowerCase();
  if (order !== undefined && order !== "asc" && order !== "desc") {
    // After `timestamp`, sqlparse groups nothing with a word that is no direction.
    if (bareKeyword) throw unparsable();
    throw invalidParameter(`Invalid ordering key in order_by clause '${clause}'.`);
  }
  const { entity, key } = orderByKey(identifier(head, direction === undefined));
  return { entity, key, ascending: order !== "desc" };
}

/** The clause's tokens, with `<entity>.` and the quoted key after it as one (`tags."my key"`). */
function identifierParts(tokens: readonly Token[]): Token[] {
  const parts: Token[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1];
    const quoted = next?.kind === "quoted" || next?.kind === "backtick" || next?.kind === "string";
    if (token.kind === "word" && token.text.endsWith(".") && next !== undefined && quoted) {
      parts.push({ kind: "word", text: `${token.text}${next.text}`, start: token.start, end: next.end });
      i += 1;
    } else {
      parts.push(token);
    }
  }
  return parts;
}

/**
 * `_get_identifier`: the entity exactly as written, then an attribute key from mlflow's set, exactly. mlflow
 * unquotes a clause with a direction first (shlex), so `"tags.k" DESC` names the tag `k`, while alone
 * `"tags.k"` keeps its opening quote in the entity it names.
 */
function identifier(head: Token, alone: boolean): { entity: ParsedEntity; key: string } {
  const dot = head.text.indexOf(".");
  const quote = head.kind === "quoted" ? '"' : head.kind === "backtick" ? "`" : "";
  const prefix = `${alone ? quote : ""}${head.text.slice(0, dot)}`;
  const entity = dot < 0 ? "attribute" : entityNamed(prefix);
  if (entity === undefined) {
    throw invalidParameter(
      `Invalid entity type '${prefix}'. Valid values are ${pythonSetRepr(VALID_ENTITY_NAMES)}`,
    );
  }
  const key = dot < 0 ? head.text : head.text.slice(dot + 1);
  if (entity === "attribute" && !ORDER_BY_ATTRIBUTE_KEYS.includes(key)) {
    throw invalidParameter(
      `Invalid attribute key '${key}' specified. Valid keys are '${pythonSetRepr(ORDER_BY_ATTRIBUTE_KEYS)}'`,
    );
  }
  return { entity, key };
}

/** The renamed key, then the store's checks: mlflow sorts by attributes, tags and metadata only. */
function orderByKey(parsed: { entity: ParsedEntity; key: string }): {
  entity: TraceFilterEntity;
  key: string;
} {
  const renamed = parsed.entity === "span" ? parsed : renamedKey(parsed.entity, parsed.key);
  const entity = renamed.entity === "text" ? "span" : renamed.entity;
  if (entity === "metadata" && RESERVED_METADATA.includes(renamed.key)) {
    throw invalidParameter(
      `Ordering by reserved metadata '${renamed.key}' is not supported because it is represented by multiple columns.`,
    );
  }
  if (entity !== "attribute" && entity !== "tag" && entity !== "metadata") {
    throw invalidParameter(`Invalid identifier type '${entity}'`);
  }
  return { entity, key: renamed.key };
}
