/**
 * Evaluation datasets and their records as the store returns them, and their wire forms as mlflow's
 * handlers write them: a dataset's `tags` is JSON text inside the JSON answer, and records travel as one
 * JSON text of `DatasetRecord.to_dict()` values.
 */
import { parsePythonJson, pythonJsonDumps, type PythonJsonValue } from "../../pythonJson.js";

export interface EvaluationDataset {
  datasetId: string;
  name: string;
  digest: string;
  createdTime: number;
  lastUpdateTime: number;
  tags: DatasetTags;
  /** JSON text, absent until records are merged. */
  schema?: string;
  profile?: string;
  createdBy?: string;
  lastUpdatedBy?: string;
  /** Only create answers carry them, as in mlflow; the rest leave them to `experiment-ids`. */
  experimentIds?: string[];
}

/**
 * Tag values are text; create keeps a null value as SQL NULL (set_dataset_tags skips nulls). A Map, in the
 * order mlflow answers them: a plain object would move keys like "10" to the front.
 */
export type DatasetTags = Map<string, string | null>;

/**
 * A Python dict read from JSON: a Map keeps the keys in the order the JSON had them, as a dict does, where a
 * plain object would move integer-like keys ("10") to the front and answer records in another order.
 */
export type JsonDict = Map<string, unknown>;

/** A dict the caller built in code or read from JSON; either keeps its own key order. */
export type DictLike = ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;

/**
 * Record values as MLflow's server holds them: it reads a `records` text with Python's `json.loads`, keeps the
 * Python values in JSON columns and writes them back with `json.dumps`. So `1.0` stays a float (the dataset
 * schema would otherwise call it "integer"), an integer of any size keeps every digit, NaN and Infinity are
 * read, and every dict is a JsonDict.
 */
export function parseDatasetJson(text: string): unknown {
  return parsePythonJson(text);
}

/** A nullable JSON column as parseDatasetJson reads it; SQL NULL is mlflow's None (undefined here). */
export function parseStoredJson<T>(text: string | null): T | undefined {
  return text === null ? undefined : (parseDatasetJson(text) as T);
}

/** `json.dumps(value)` of what parseDatasetJson built (a Map keeps its insertion order, as a dict). */
export function datasetJsonText(value: unknown): string {
  return pythonJsonDumps(value as PythonJsonValue);
}

export interface RecordSource {
  source_type: string;
  source_data: JsonDict;
}

export interface DatasetRecord {
  datasetRecordId: string;
  datasetId: string;
  inputs: JsonDict;
  /** `undefined` when the record holds none (mlflow's None); a record merged without outputs holds `{}`. */
  outputs?: unknown;
  expectations?: JsonDict;
  tags: JsonDict;
  source?: RecordSource;
  sourceId?: string;
  sourceType?: string;
  createdTime: number;
  lastUpdateTime: number;
  createdBy?: string;
  lastUpdatedBy?: string;
}

export function toDatasetWire(d: EvaluationDataset): object {
  return {
    dataset_id: d.datasetId,
    name: d.name,
    tags: pythonJsonDumps(d.tags),
    ...(d.schema !== undefined && { schema: d.schema }),
    ...(d.profile !== undefined && { profile: d.profile }),
    digest: d.digest,
    created_time: d.createdTime,
    last_update_time: d.lastUpdateTime,
    ...(d.createdBy !== undefined && { created_by: d.createdBy }),
    ...(d.lastUpdatedBy !== undefined && { last_updated_by: d.lastUpdatedBy }),
    ...(d.experimentIds !== undefined && d.experimentIds.length > 0 && { experiment_ids: d.experimentIds }),
  };
}

/** `DatasetRecord.to_dict()`: unset optional fields are left out, `tags` is always there. */
export function toRecordDict(r: DatasetRecord): Record<string, unknown> {
  return {
    dataset_record_id: r.datasetRecordId,
    dataset_id: r.datasetId,
    inputs: r.inputs,
    ...(r.expectations !== undefined && { expectations: r.expectations }),
    tags: r.tags,
    ...(r.source !== undefined && { source: r.source }),
    ...(r.sourceId !== undefined && { source_id: r.sourceId }),
    ...(r.sourceType !== undefined && { source_type: r.sourceType }),
    ...(r.createdBy !== undefined && { created_by: r.createdBy }),
    ...(r.lastUpdatedBy !== undefined && { last_updated_by: r.lastUpdatedBy }),
    created_time: r.createdTime,
    last_update_time: r.lastUpdateTime,
    ...(r.outputs !== undefined && { outputs: r.outputs }),
  };
}

/** The `records` text of GetDatasetRecords, as Python's `json.dumps` writes it (floats keep their `.0`). */
export function recordsText(records: readonly DatasetRecord[]): string {
  return datasetJsonText(records.map(toRecordDict));
}
