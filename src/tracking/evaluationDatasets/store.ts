/**
 * Evaluation datasets with the semantics of mlflow's SqlAlchemyStore: ids `d-<hex>`, a digest of the name
 * and last update time, records merged by a hash of their inputs, and the schema and profile a dataset
 * carries recomputed on each merge. Reads of a missing dataset's records or links answer empty, and deletes
 * of missing things succeed, as mlflow's do; this store never reads or runs the records' contents.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type {
  EvaluationDatasetDatabase,
  EvaluationDatasetExperimentTable,
  EvaluationDatasetRecordTable,
  EvaluationDatasetTable,
  EvaluationDatasetTagTable,
} from "../../db/schema.js";
import { FlowOpsError, invalidParameter, notFound } from "../../errors.js";
import { inChunks } from "../inChunks.js";
import { datasetTags, findDataset, optionalField, toDataset } from "./datasetReader.js";
import { linkedExperimentIds, linkToExperiments, unlinkFromExperiments } from "./experimentLinks.js";
import { isUniqueViolation } from "../uniqueViolation.js";
import { pythonDictEntries, PythonFloat } from "../../pythonJson.js";
import type { SqlDialectName } from "../../db/dialect.js";
import { datasetJsonText, parseStoredJson } from "./entities.js";
import type { DatasetRecord, DictLike, EvaluationDataset, JsonDict } from "./entities.js";
import { readRecordPage, RECORDS_MAX_RESULTS_DEFAULT } from "./recordPage.js";
import {
  insertedOutputs,
  mergeRecord,
  MLFLOW_USER_TAG,
  pythonStr,
  sourceIdOf,
  updatedSchema,
  inputHash,
  type IncomingRecord,
} from "./recordMerge.js";

const UPSERT_ATTEMPTS = 3;

type Db = Kysely<EvaluationDatasetDatabase>;
type DatasetRow = EvaluationDatasetTable;

export function withEvaluationDatasets(meta: MetadataDb): Db {
  return meta.db.withTables<{
    evaluation_datasets: EvaluationDatasetTable;
    evaluation_dataset_tags: EvaluationDatasetTagTable;
    evaluation_dataset_records: EvaluationDatasetRecordTable;
    evaluation_dataset_experiments: EvaluationDatasetExperimentTable;
  }>();
}

/** `_compute_dataset_digest`: the first 8 hex digits of sha256("<name>:<last_update_time>"). */
export function datasetDigest(name: string, lastUpdateTime: number): string {
  return createHash("sha256").update(`${name}:${lastUpdateTime}`).digest("hex").slice(0, 8);
}

// Record columns hold Python's JSON text, so a float 1.0 and a 20-digit integer come back as they were sent.
const jsonOrNull = (value: unknown): string | null => (value === undefined ? null : datasetJsonText(value));

export class EvaluationDatasetStore {
  private readonly db: Db;
  private readonly dialect: SqlDialectName;

  constructor(
    meta: MetadataDb,
    private readonly now: () => number = Date.now,
  ) {
    this.db = withEvaluationDatasets(meta);
    this.dialect = meta.dialect;
  }

  /** Tags are stored in the order given, which is the order get and search answer them in. */
  async create(
    name: string,
    tags: DictLike = {},
    experimentIds: readonly string[] = [],
  ): Promise<EvaluationDataset> {
    const datasetId = `d-${randomUUID().replaceAll("-", "")}`;
    const time = this.now();
    const tagEntries = pythonDictEntries(tags);
    const user = tagEntries.find(([key]) => key === MLFLOW_USER_TAG)?.[1];
    const by = user === undefined || user === null ? null : pythonStr(user);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("evaluation_datasets")
        .values({
          dataset_id: datasetId,
          name,
          schema: null,
          profile: null,
          digest: datasetDigest(name, time),
          created_time: time,
          last_update_time: time,
          created_by: by,
          last_updated_by: by,
        })
        .execute();
      const tagRows = tagEntries.map(([key, value]) => ({
        dataset_id: datasetId,
        key,
        value: createdTagValue(key, value),
      }));
      if (tagRows.length > 0) await trx.insertInto("evaluation_dataset_tags").values(tagRows).execute();
      const links = [...new Set(experimentIds.map(String))];
      if (links.length > 0) {
        await trx
          .insertInto("evaluation_dataset_experiments")
          .values(
            links.map((experiment_id) => ({ dataset_id: datasetId, experiment_id, created_time: time })),
          )
          .execute();
      }
    });
    return { ...(await this.get(datasetId)), experimentIds: [...experimentIds] };
  }

  async get(datasetId: string): Promise<EvaluationDataset> {
    const found = await findDataset(this.db, this.dialect, datasetId);
    if (found === undefined) throw notFound(`Evaluation dataset with id '${datasetId}' not found`);
    return found;
  }

  /** Datasets by id in the order given, skipping ids that name none. */
  async getMany(datasetIds: readonly string[]): Promise<EvaluationDataset[]> {
    const rows: DatasetRow[] = [];
    for (const chunk of inChunks(datasetIds)) {
      if (chunk.length === 0) continue;
      rows.push(
        ...(await this.db
          .selectFrom("evaluation_datasets")
          .selectAll()
          .where("dataset_id", "in", chunk)
          .execute()),
      );
    }
    const tags = await datasetTags(
      this.db,
      this.dialect,
      rows.map((r) => r.dataset_id),
    );
    const byId = new Map(rows.map((r) => [r.dataset_id, r]));
    return datasetIds.flatMap((id) => {
      const row = byId.get(id);
      return row === undefined ? [] : [toDataset(row, tags.get(id) ?? new Map())];
    });
  }

  async delete(datasetId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("evaluation_dataset_experiments").where("dataset_id", "=", datasetId).execute();
      await trx.deleteFrom("evaluation_dataset_records").where("dataset_id", "=", datasetId).execute();
      await trx.deleteFrom("evaluation_dataset_tags").where("dataset_id", "=", datasetId).execute();
      await trx.deleteFrom("evaluation_datasets").where("dataset_id", "=", datasetId).execute();
    });
  }

  /**
   * Upserts tags; a null value leaves its tag as it is, as mlflow's `set_dataset_tags` does. A tag set again
   * keeps its place among the others; new ones come after them.
   */
  async setTags(datasetId: string, tags: DictLike): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if ((await findDataset(trx, this.dialect, datasetId)) === undefined) {
        throw notFound(`Could not find evaluation dataset with ID ${datasetId}`);
      }
      for (const [key, value] of pythonDictEntries(tags)) {
        if (value === null || value === undefined) continue;
        await trx
          .insertInto("evaluation_dataset_tags")
          .values({ dataset_id: datasetId, key, value: pythonStr(value) })
          .onConflict((oc) => oc.columns(["dataset_id", "key"]).doUpdateSet({ value: pythonStr(value) }))
          .execute();
      }
    });
  }

  async deleteTag(datasetId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom("evaluation_dataset_tags")
      .where("dataset_id", "=", datasetId)
      .where("key", "=", key)
      .execute();
  }

  /** Merges records into the dataset; a retry after a unique violation sees the racing insert and updates it. */
  async upsertRecords(
    datasetId: string,
    records: readonly IncomingRecord[],
  ): Promise<{ inserted: number; updated: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute((trx) => this.upsertIn(trx, datasetId, records));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (attempt >= UPSERT_ATTEMPTS) {
          throw new FlowOpsError("INTERNAL_ERROR", `Could not merge records into dataset ${datasetId}.`, {
            cause: error,
          });
        }
      }
    }
  }

  private async upsertIn(
    trx: Transaction<EvaluationDatasetDatabase>,
    datasetId: string,
    records: readonly IncomingRecord[],
  ): Promise<{ inserted: number; updated: number }> {
    const dataset = await trx
      .selectFrom("evaluation_datasets")
      .selectAll()
      .where("dataset_id", "=", datasetId)
      .executeTakeFirst();
    if (dataset === undefined) {
      // mlflow answers an empty merge into a missing dataset with zero counts; records would be orphans.
      if (records.length === 0) return { inserted: 0, updated: 0 };
      throw notFound(`Evaluation dataset with id '${datasetId}' not found`);
    }
    const time = this.now();
    let inserted = 0;
    let updated = 0;
    let updatedBy: string | null = null;
    for (const record of records) {
      const hash = inputHash(record.inputs);
      const user = record.tags?.get(MLFLOW_USER_TAG);
      const by = user === undefined || user === null ? null : pythonStr(user);
      if (by !== null) updatedBy = by;
      const existing = await trx
        .selectFrom("evaluation_dataset_records")
        .selectAll()
        .where("dataset_id", "=", datasetId)
        .where("input_hash", "=", hash)
        .executeTakeFirst();
      if (existing !== undefined) {
        const merged = mergeRecord(
          {
            outputs: parseStoredJson<unknown>(existing.outputs),
            ...optionalField("expectations", parseStoredJson<JsonDict>(existing.expectations)),
            ...optionalField("tags", parseStoredJson<JsonDict>(existing.tags)),
          },
          record,
        );
        await trx
          .updateTable("evaluation_dataset_records")
          .set({
            outputs: jsonOrNull(merged.outputs),
            expectations: jsonOrNull(merged.expectations),
            tags: jsonOrNull(merged.tags),
            last_update_time: time,
            ...(by !== null && { last_updated_by: by }),
          })
          .where("dataset_record_id", "=", existing.dataset_record_id)
          .execute();
        updated += 1;
        continue;
      }
      await trx
        .insertInto("evaluation_dataset_records")
        .values({
          dataset_record_id: `dr-${randomUUID().replaceAll("-", "")}`,
          dataset_id: datasetId,
          inputs: datasetJsonText(record.inputs),
          outputs: jsonOrNull(insertedOutputs(record)),
          expectations: jsonOrNull(record.expectations),
          tags: jsonOrNull(record.tags),
          source: jsonOrNull(record.source),
          source_id: record.source === undefined ? null : (sourceIdOf(record.source) ?? null),
          source_type: record.source?.source_type ?? null,
          created_time: time,
          last_update_time: time,
          created_by: by,
          last_updated_by: by,
          input_hash: hash,
        })
        .execute();
      inserted += 1;
    }
    const schema = updatedSchema(dataset.schema, records);
    const count = await this.recordCount(trx, datasetId);
    await trx
      .updateTable("evaluation_datasets")
      .set({
        last_update_time: time,
        last_updated_by: updatedBy,
        digest: datasetDigest(dataset.name, time),
        ...(schema !== undefined && { schema }),
        ...(count > 0 && { profile: `{"num_records": ${count}}` }),
      })
      .where("dataset_id", "=", datasetId)
      .execute();
    return { inserted, updated };
  }

  /** A page of records ordered by (created_time, id), with mlflow's page token. */
  async records(
    datasetId: string,
    maxResults = RECORDS_MAX_RESULTS_DEFAULT,
    pageToken?: string,
  ): Promise<{ records: DatasetRecord[]; nextPageToken?: string }> {
    return readRecordPage(this.db, datasetId, maxResults, pageToken);
  }

  /** Deletes the named records; the profile's count drops with them (to JSON `null` at zero, as mlflow). */
  async deleteRecords(datasetId: string, recordIds: readonly string[]): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      let deleted = 0;
      for (const chunk of inChunks(recordIds)) {
        if (chunk.length === 0) continue;
        const result = await trx
          .deleteFrom("evaluation_dataset_records")
          .where("dataset_id", "=", datasetId)
          .where("dataset_record_id", "in", chunk)
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      if (deleted === 0) return 0;
      const dataset = await findDataset(trx, this.dialect, datasetId);
      if (dataset !== undefined) {
        const before = parseStoredJson<JsonDict | null>(dataset.profile ?? null);
        const left = Math.max(0, Number(before?.get("num_records") ?? 0) - deleted);
        await trx
          .updateTable("evaluation_datasets")
          .set({ profile: left > 0 ? `{"num_records": ${left}}` : "null" })
          .where("dataset_id", "=", datasetId)
          .execute();
      }
      return deleted;
    });
  }

  async experimentIds(datasetId: string): Promise<string[]> {
    return linkedExperimentIds(this.db, datasetId);
  }

  async addToExperiments(datasetId: string, experimentIds: readonly string[]): Promise<EvaluationDataset> {
    await linkToExperiments(this.db, this.now(), datasetId, experimentIds);
    return this.get(datasetId);
  }

  async removeFromExperiments(
    datasetId: string,
    experimentIds: readonly string[],
  ): Promise<EvaluationDataset> {
    await unlinkFromExperiments(this.db, this.now, datasetId, experimentIds);
    return this.get(datasetId);
  }

  private async recordCount(db: Db, datasetId: string): Promise<number> {
    const { count } = await db
      .selectFrom("evaluation_dataset_records")
      .select((eb) => eb.fn.countAll().as("count"))
      .where("dataset_id", "=", datasetId)
      .executeTakeFirstOrThrow();
    return Number(count);
  }
}

/**
 * A tag value as mlflow's `create_dataset` stores it: the JSON value goes to the TEXT column unconverted, so a
 * number reads back in Python's spelling ("1", "1.0"), null stays null and a boolean is the integer SQLite
 * keeps for it ("1", "0"; mlflow's SQLite store, the one compared with, while set_dataset_tags writes "True").
 * A list or dict cannot be bound at all: mlflow answers a 400 with the driver's message; this one names the tag.
 */
function createdTagValue(key: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? "1" : "0";
  // A list or a dict (a Map as read from JSON, or an object or array built in code); a float is a value.
  if (typeof value === "object" && !(value instanceof PythonFloat)) {
    throw invalidParameter(
      `Invalid value for tag '${key}': a dataset tag value must be a string, a number, a boolean or null.`,
    );
  }
  return pythonStr(value);
}
