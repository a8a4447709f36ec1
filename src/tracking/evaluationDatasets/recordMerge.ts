/**
 * The pure half of mlflow's `upsert_dataset_records`: reading the client's records, the hash that makes two
 * records with the same inputs one record, merging a record into an existing one, and the dataset schema
 * inferred from the fields records carry. Nothing here touches the database.
 */
import { createHash } from "node:crypto";
import { invalidParameter } from "../../errors.js";
import { PythonFloat, pythonJsonDumps, type PythonJsonValue } from "../../pythonJson.js";
import { datasetJsonText, parseDatasetJson, type JsonObject, type RecordSource } from "./entities.js";

export { pythonStr } from "../../pythonJson.js";

export const MLFLOW_USER_TAG = "mlflow.user";
const SOURCE_TYPES = ["UNSPECIFIED", "TRACE", "HUMAN", "DOCUMENT", "CODE"] as const;

/** One record as the client sent it; `outputs` keeps "absent" apart from an explicit null. */
export interface IncomingRecord {
  inputs: JsonObject;
  hasOutputs: boolean;
  outputs: unknown;
  expectations?: JsonObject;
  tags?: JsonObject;
  source?: RecordSource;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PythonFloat)
  );
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
    if (!isJsonObject(item)) throw invalidParameter(`Record ${index} must be a JSON object.`);
    const field = (name: string): JsonObject | undefined => {
      const value = item[name];
      if (value === undefined || value === null) return undefined;
      if (!isJsonObject(value))
        throw invalidParameter(`Field '${name}' of record ${index} must be an object.`);
      return value;
    };
    const source = item["source"];
    return {
      inputs: field("inputs") ?? {},
      hasOutputs: Object.hasOwn(item, "outputs"),
      outputs: item["outputs"],
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
  if (!isJsonObject(value) || typeof value["source_type"] !== "string") {
    throw invalidParameter(`Field 'source' of record ${index} must be an object with a 'source_type'.`);
  }
  const type = value["source_type"].toUpperCase();
  if (!(SOURCE_TYPES as readonly string[]).includes(type)) {
    throw invalidParameter(
      `Invalid dataset record source type: ${type}. Valid source types: ['${SOURCE_TYPES.join("', '")}']`,
    );
  }
  const data = value["source_data"];
  return { source_type: type, source_data: isJsonObject(data) ? data : {} };
}

/** mlflow's source id: the trace id of a TRACE source, `source_data.source_id` otherwise. */
export function sourceIdOf(source: RecordSource): string | undefined {
  const id =
    source.source_type === "TRACE" ? source.source_data["trace_id"] : source.source_data["source_id"];
  return typeof id === "string" ? id : undefined;
}

/** Keys sorted at every depth, as `json.dumps(inputs, sort_keys=True)`, so key order never splits a record. */
export function inputHash(inputs: JsonObject): string {
  return createHash("sha256")
    .update(datasetJsonText(sortKeys(inputs)))
    .digest("hex");
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isJsonObject(value)) return value;
  const sorted = new Map<string, unknown>();
  for (const key of Object.keys(value).sort()) sorted.set(key, sortKeys(value[key]));
  return sorted;
}

/** What merging `incoming` into a stored record changes (mlflow's `SqlEvaluationDatasetRecord.merge`). */
export function mergeRecord(
  existing: { outputs: unknown; expectations?: JsonObject; tags?: JsonObject },
  incoming: IncomingRecord,
): { outputs: unknown; expectations?: JsonObject; tags?: JsonObject } {
  const hasAny = (o: JsonObject | undefined): o is JsonObject => o !== undefined && Object.keys(o).length > 0;
  const expectations = hasAny(incoming.expectations)
    ? { ...existing.expectations, ...incoming.expectations }
    : existing.expectations;
  const tags = hasAny(incoming.tags) ? { ...existing.tags, ...incoming.tags } : existing.tags;
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

type DatasetSchema = { inputs: JsonObject; outputs: unknown; expectations: JsonObject; version: string };

/**
 * `_update_dataset_schema`: the first type seen for each field wins, and non-object outputs set the outputs
 * type once. Returns the JSON text to store, or undefined when there is nothing to record.
 */
export function updatedSchema(
  existing: string | null,
  records: readonly IncomingRecord[],
): string | undefined {
  if (records.length === 0 && existing === null) return undefined;
  const schema: DatasetSchema =
    existing === null
      ? { inputs: {}, outputs: {}, expectations: {}, version: "1.0" }
      : (JSON.parse(existing) as DatasetSchema);
  for (const record of records) {
    for (const [key, value] of Object.entries(record.inputs)) {
      if (!Object.hasOwn(schema.inputs, key)) schema.inputs[key] = fieldType(value);
    }
    const outputs = record.hasOutputs ? record.outputs : undefined;
    if (outputs !== undefined && outputs !== null) {
      if (isJsonObject(outputs)) {
        if (isJsonObject(schema.outputs)) {
          const known = schema.outputs;
          for (const [key, value] of Object.entries(outputs)) {
            if (!Object.hasOwn(known, key)) known[key] = fieldType(value);
          }
        }
      } else if (isJsonObject(schema.outputs) && Object.keys(schema.outputs).length === 0) {
        schema.outputs = fieldType(outputs);
      }
    }
    for (const [key, value] of Object.entries(record.expectations ?? {})) {
      if (!Object.hasOwn(schema.expectations, key)) schema.expectations[key] = fieldType(value);
    }
  }
  return pythonJsonDumps(schema as unknown as PythonJsonValue);
}

/** The `tags` field of a request: JSON text of an object, read as mlflow reads it. */
export function parseJsonObjectField(name: string, text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = parseDatasetJson(text);
  } catch {
    throw invalidParameter(`Invalid value for parameter '${name}': not valid JSON.`);
  }
  if (!isJsonObject(parsed)) throw invalidParameter(`Parameter '${name}' must be a JSON object.`);
  return parsed;
}
