/**
 * The entities and key aliases MLflow 3.17's trace search shares between filters and order_by
 * (`SearchTraceUtils` in mlflow/utils/search_utils.py): which `<entity>.` prefixes name what, and how a key
 * is renamed after it is read (`_replace_key_to_tag_or_metadata`).
 */
import { LINKED_PROMPTS_TAG, SOURCE_RUN_METADATA, TRACE_NAME_TAG } from "./entities.js";
import { SPAN_CONTENT_KEY } from "./spanFilter.js";

export type TraceFilterEntity = "attribute" | "tag" | "metadata";
export type AssessmentFilterEntity = "feedback" | "expectation";
export type ParsedEntity = TraceFilterEntity | AssessmentFilterEntity | "span" | "issue";

/** Each entity prefix MLflow knows, aliases included; matched exactly (`TAG.x` is refused). */
export const ENTITIES: Readonly<Record<string, ParsedEntity>> = {
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

/** `_VALID_IDENTIFIERS` (`_IDENTIFIERS | set(_ALTERNATE_IDENTIFIERS)`), each part in mlflow's source order. */
export const VALID_ENTITY_NAMES = [
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

/** The entity a prefix names, or undefined; own keys only, so `constructor` finds no Object member. */
export function entityNamed(prefix: string): ParsedEntity | undefined {
  return Object.hasOwn(ENTITIES, prefix) ? ENTITIES[prefix] : undefined;
}

// `SEARCH_KEY_TO_TAG`, `SEARCH_KEY_TO_METADATA` and `SEARCH_KEY_TO_ATTRIBUTE`.
const TAG_ALIASES: Readonly<Record<string, string>> = { name: TRACE_NAME_TAG, prompt: LINKED_PROMPTS_TAG };
const METADATA_ALIASES: Readonly<Record<string, string>> = { run_id: SOURCE_RUN_METADATA };
const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  timestamp: "timestamp_ms",
  execution_time: "execution_time_ms",
  end_time: "end_time_ms",
};
// mlflow reads the `text` key as `span.content`, a full-text search over the spans' JSON.
const TEXT_KEY = "text";

const own = (table: Readonly<Record<string, string>>, key: string): string | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

/**
 * mlflow renames a key by its lower-cased form whatever its entity (span aside), after reading the value:
 * `issue.name` and `tag.NAME` mean the trace name as `name` does, `feedback.text` the spans' content, and
 * `tag.Timestamp` the tag `timestamp_ms` while `tag.TIMESTAMP_MS` stays as written. `text` comes back as
 * the span entity, which only a filter takes.
 */
export function renamedKey(
  entity: Exclude<ParsedEntity, "span">,
  key: string,
): { entity: Exclude<ParsedEntity, "span"> | "text"; key: string } {
  const lower = key.toLowerCase();
  const tagKey = own(TAG_ALIASES, lower);
  if (tagKey !== undefined) return { entity: "tag", key: tagKey };
  const metadataKey = own(METADATA_ALIASES, lower);
  if (metadataKey !== undefined) return { entity: "metadata", key: metadataKey };
  if (lower === TEXT_KEY) return { entity: "text", key: SPAN_CONTENT_KEY };
  return { entity, key: own(ATTRIBUTE_ALIASES, lower) ?? key };
}
