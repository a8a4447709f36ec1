/**
 * The pure half of mlflow's `upsert_dataset_records`: reading the client's records, the hash that makes two
 * records with the same inputs one record, merging a record into an existing one, and the dataset schema
 * inferred from the fields records carry. Nothing here touches the database.
 */
import { createHash } from "node:crypto";
import { invalidParameter } from "../../errors.js";
import { PythonFloat, pythonJsonDumps, type PythonJsonValue } from "../../pythonJson.js";
import { datasetJsonText, parseDatasetJson, type JsonDict, type RecordSource } from "./entities.js";

export { pythonStr } from "../../pythonJson.js";

export const MLFLOW_USER_TAG = "mlflow.user";
const SOURCE_TYPES = ["UNSPECIFIED", "TRACE", "HUMAN", "DOCUMENT", "CODE"] as const;

/** One record as the client sent it; `outputs` keeps "absent" apart from an explicit null. */
export interface IncomingRecord {
  inputs: JsonDict;
  hasOutputs: boolean;
  outputs: unknown;
  expectations?: JsonDict;
  tags?: JsonDict;
  source?: RecordSource;
}

/** A dict as parseDatasetJson reads one (every JSON object there is a Map). */
export function isJsonDict(value: unknown): value is JsonDict {
  return value instanceof Map;
}

/**
 * The `records` field: JSON text of a list of objects, read as Python's json.loads reads it (parseDatasetJson).
 * mlflow answers a 500 for text it cannot read or records of the wrong shape; a 400 naming the problem tells
 * the caller more.
 */
export function parseRecords(text: string): IncomingRecord[] {
  let parsed: unknown;
  try {
    parsed = parseDatasetJson(text);
  } catch {
    throw invalidParameter("Invalid value for parameter 'records': not valid JSON.");
  }
  if (!Array.isArray(parsed)) throw invalidParameter("Parameter 'records' must be a JSON list of records.");
  return parsed.map((item: unknown, index) => {
    if (!isJsonDict(item)) throw invalidParameter(`Record ${index} must be a JSON object.`);
    const field = (name: string): JsonDict | undefined => {
      const value = item.get(name);
      if (value === undefined || value === null) return undefined;
      if (!isJsonDict(value)) throw invalidParameter(`Field '${name}' of record ${index} must be an object.`);
      return value;
    };
    const source = item.get("source");
    return {
      inputs: field("inputs") ?? new Map(),
      hasOutputs: item.has("outputs"),
      outputs: item.get("outputs"),
      ...optional("expectations", field("expectations")),
      ...optional("tags", field("tags")),
      ...optional(
        "source",
        source === undefined || source === null ? undefined : recordSource(source, index),
      ),
    };
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** `DatasetRecordSource.from_dict`: the type is upper-cased and checked, with mlflow's message. */
function recordSource(value: unknown, index: number): RecordSource {
  const sourceType = isJsonDict(value) ? value.get("source_type") : undefined;
  if (!isJsonDict(value) || typeof sourceType !== "string") {
    throw invalidParameter(`Field 'source' of record ${index} must be an object with a 'source_type'.`);
  }
  const type = sourceType.toUpperCase();
  if (!(SOURCE_TYPES as readonly string[]).includes(type)) {
    throw invalidParameter(
      `Invalid dataset record source type: ${type}. Valid source types: ['${SOURCE_TYPES.join("', '")}']`,
    );
  }
  const data = value.get("source_data");
  return { source_type: type, source_data: isJsonDict(data) ? data : new Map() };
}

/** mlflow's source id: the trace id of a TRACE source, `source_data.source_id` otherwise. */
export function sourceIdOf(source: RecordSource): string | undefined {
  const id = source.source_data.get(source.source_type === "TRACE" ? "trace_id" : "source_id");
  return typeof id === "string" ? id : undefined;
}

/** Keys sorted at every depth, as `json.dumps(inputs, sort_keys=True)`, so key order never splits a record. */
export function inputHash(inputs: JsonDict): string {
  return createHash("sha256")
    .update(datasetJsonText(sortKeys(inputs)))
    .digest("hex");
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isJsonDict(value)) return value;
  const sorted = new Map<string, unknown>();
  for (const key of [...value.keys()].sort()) sorted.set(key, sortKeys(value.get(key)));
  return sorted;
}

/**
 * What merging `incoming` into a stored record changes (mlflow's `SqlEvaluationDatasetRecord.merge`).
 * Expectations and tags merge as `dict.update`: a key already there keeps its place and takes the new value,
 * new keys follow in the order they came.
 */
export function mergeRecord(
  existing: { outputs: unknown; expectations?: JsonDict; tags?: JsonDict },
  incoming: IncomingRecord,
): { outputs: unknown; expectations?: JsonDict; tags?: JsonDict } {
  const update = (into: JsonDict | undefined, from: JsonDict | undefined): JsonDict | undefined =>
    from === undefined || from.size === 0 ? into : new Map([...(into ?? []), ...from]);
  const expectations = update(existing.expectations, incoming.expectations);
  const tags = update(existing.tags, incoming.tags);
  return {
    outputs: incoming.hasOutputs ? nullToUndefined(incoming.outputs) : existing.outputs,
    ...optional("expectations", expectations),
    ...optional("tags", tags),
  };
}

function nullToUndefined(value: unknown): unknown {
  return value === null ? undefined : value;
}

/** A new record's outputs: `{}` when the client sent none, as mlflow's `record_dict.get("outputs", {})`. */
export function insertedOutputs(incoming: IncomingRecord): unknown {
  return incoming.hasOutputs ? nullToUndefined(incoming.outputs) : {};
}

/** `_infer_field_type`, for values as parseDatasetJson reads them: `1.0` is a float, `1` an integer. */
function fieldType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return "boolean";
  if (value instanceof PythonFloat) return "float";
  if (typeof value === "bigint") return "integer";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "float";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  return "unknown";
}

/**
 * `_update_dataset_schema`: the first type seen for each field wins, in the order fields were first seen, and
 * non-object outputs set the outputs type once. Returns the JSON text to store, or undefined when there is
 * nothing to record.
 */
export function updatedSchema(
  existing: string | null,
  records: readonly IncomingRecord[],
): string | undefined {
  if (records.length === 0 && existing === null) return undefined;
  const schema =
    existing === null
      ? new Map<string, unknown>([
          ["inputs", new Map()],
          ["outputs", new Map()],
          ["expectations", new Map()],
          ["version", "1.0"],
        ])
      : (parseDatasetJson(existing) as JsonDict);
  const section = (name: string): JsonDict => {
    const value = schema.get(name);
    if (isJsonDict(value)) return value;
    const fresh: JsonDict = new Map();
    schema.set(name, fresh);
    return fresh;
  };
  const addFields = (known: JsonDict, fields: JsonDict): void => {
    for (const [key, value] of fields) if (!known.has(key)) known.set(key, fieldType(value));
  };
  for (const record of records) {
    addFields(section("inputs"), record.inputs);
    const outputs = record.hasOutputs ? record.outputs : undefined;
    if (outputs !== undefined && outputs !== null) {
      const known = schema.get("outputs");
      if (isJsonDict(outputs)) {
        if (isJsonDict(known)) addFields(known, outputs);
      } else if (isJsonDict(known) && known.size === 0) {
        schema.set("outputs", fieldType(outputs));
      }
    }
    addFields(section("expectations"), record.expectations ?? new Map());
  }
  return pythonJsonDumps(schema as PythonJsonValue);
}

/** The `tags` field of a request: JSON text of an object, read as mlflow reads it. */
export function parseJsonObjectField(name: string, text: string): JsonDict {
  let parsed: unknown;
  try {
    parsed = parseDatasetJson(text);
  } catch {
    throw invalidParameter(`Invalid value for parameter '${name}': not valid JSON.`);
  }
  if (!isJsonDict(parsed)) throw invalidParameter(`Parameter '${name}' must be a JSON object.`);
  return parsed;
}
