/**
 * Reading a dataset's records back a page at a time, as mlflow's `_load_dataset_records`: ordered by
 * (created_time, record id), with its cursor token and its fallback to a plain offset.
 */
import type { Kysely } from "kysely";
import type { EvaluationDatasetDatabase, EvaluationDatasetRecordTable } from "../../db/schema.js";
import { invalidParameter } from "../../errors.js";
import { optionalField, orUndefined } from "./datasetReader.js";
import { parseDatasetJson, parseStoredJson } from "./entities.js";
import type { DatasetRecord, JsonDict, RecordSource } from "./entities.js";
import { isJsonDict } from "./recordMerge.js";

export const RECORDS_MAX_RESULTS_DEFAULT = 1000;

type RecordRow = EvaluationDatasetRecordTable;

/**
 * A page of records ordered by (created_time, id). The token is mlflow's cursor, base64 of
 * "<created_time>:<record id>"; like mlflow, a token that is not one is read as a plain offset.
 */
export async function readRecordPage(
  db: Kysely<EvaluationDatasetDatabase>,
  datasetId: string,
  maxResults = RECORDS_MAX_RESULTS_DEFAULT,
  pageToken?: string,
): Promise<{ records: DatasetRecord[]; nextPageToken?: string }> {
  let query = db
    .selectFrom("evaluation_dataset_records")
    .selectAll()
    .where("dataset_id", "=", datasetId)
    .orderBy("created_time", "asc")
    .orderBy("dataset_record_id", "asc");
  if (pageToken !== undefined && pageToken !== "") {
    const cursor = decodeCursor(pageToken);
    if (cursor !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb("created_time", ">", cursor.createdTime),
          eb.and([
            eb("created_time", "=", cursor.createdTime),
            eb("dataset_record_id", ">", cursor.recordId),
          ]),
        ]),
      );
    } else {
      query = query.offset(offsetToken(pageToken));
    }
  }
  const rows = await query.limit(maxResults + 1).execute();
  if (rows.length <= maxResults) return { records: rows.map(toRecord) };
  const page = rows.slice(0, maxResults);
  const last = page[page.length - 1] as RecordRow;
  const cursor = `${Number(last.created_time)}:${last.dataset_record_id}`;
  return { records: page.map(toRecord), nextPageToken: Buffer.from(cursor, "utf8").toString("base64") };
}

function toRecord(row: RecordRow): DatasetRecord {
  const source = storedSource(parseStoredJson<JsonDict>(row.source));
  return {
    datasetRecordId: row.dataset_record_id,
    datasetId: row.dataset_id,
    inputs: parseDatasetJson(row.inputs) as JsonDict,
    outputs: parseStoredJson<unknown>(row.outputs),
    ...optionalField("expectations", parseStoredJson<JsonDict>(row.expectations)),
    tags: parseStoredJson<JsonDict>(row.tags) ?? new Map(),
    ...optionalField("source", source),
    ...optionalField("sourceId", orUndefined(row.source_id)),
    ...optionalField("sourceType", orUndefined(row.source_type)),
    createdTime: Number(row.created_time),
    lastUpdateTime: Number(row.last_update_time),
    ...optionalField("createdBy", orUndefined(row.created_by)),
    ...optionalField("lastUpdatedBy", orUndefined(row.last_updated_by)),
  };
}

/** The source column as the merge wrote it: `{"source_type": ..., "source_data": {...}}`. */
function storedSource(stored: JsonDict | undefined): RecordSource | undefined {
  if (stored === undefined) return undefined;
  const data = stored.get("source_data");
  return { source_type: String(stored.get("source_type")), source_data: isJsonDict(data) ? data : new Map() };
}

function decodeCursor(token: string): { createdTime: number; recordId: string } | undefined {
  const text = Buffer.from(token, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0 || !/^-?\d+$/.test(text.slice(0, colon))) return undefined;
  return { createdTime: Number(text.slice(0, colon)), recordId: text.slice(colon + 1) };
}

function offsetToken(token: string): number {
  if (!/^\s*\d+\s*$/.test(token)) throw invalidParameter(`Invalid page token '${token}'.`);
  return Number(token);
}
