/** Reading evaluation datasets back: a row with its tags, as the store and the experiment links answer it. */
import { sql, type Kysely } from "kysely";
import type { SqlDialectName } from "../../db/dialect.js";
import type { EvaluationDatasetDatabase, EvaluationDatasetTable } from "../../db/schema.js";
import { inChunks } from "../inChunks.js";
import type { DatasetTags, EvaluationDataset } from "./entities.js";

type Db = Kysely<EvaluationDatasetDatabase>;

export async function findDataset(
  db: Db,
  dialect: SqlDialectName,
  datasetId: string,
): Promise<EvaluationDataset | undefined> {
  const row = await db
    .selectFrom("evaluation_datasets")
    .selectAll()
    .where("dataset_id", "=", datasetId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return toDataset(row, (await datasetTags(db, dialect, [datasetId])).get(datasetId) ?? new Map());
}

/**
 * mlflow answers a dataset's tags in the order SQLite returns its rows, which is the order they were inserted:
 * a tag set again keeps its place, one deleted and set again comes last. The table has no column for that
 * order, so the rows' physical order stands in: SQLite's rowid, which an upsert keeps, and PostgreSQL's ctid,
 * where an update moves the row to the end (as a plain scan in mlflow on PostgreSQL would see it).
 */
export async function datasetTags(
  db: Db,
  dialect: SqlDialectName,
  datasetIds: readonly string[],
): Promise<Map<string, DatasetTags>> {
  const insertionOrder = dialect === "sqlite" ? sql`rowid` : sql`ctid`;
  const tags = new Map<string, DatasetTags>();
  for (const chunk of inChunks(datasetIds)) {
    if (chunk.length === 0) continue;
    const rows = await db
      .selectFrom("evaluation_dataset_tags")
      .selectAll()
      .where("dataset_id", "in", chunk)
      .orderBy(insertionOrder)
      .execute();
    for (const row of rows) {
      const own = tags.get(row.dataset_id) ?? new Map<string, string | null>();
      // A tag created with a null value is kept, and mlflow answers it as JSON null.
      own.set(row.key, row.value);
      tags.set(row.dataset_id, own);
    }
  }
  return tags;
}

export async function datasetExists(db: Db, datasetId: string): Promise<boolean> {
  const row = await db
    .selectFrom("evaluation_datasets")
    .select("dataset_id")
    .where("dataset_id", "=", datasetId)
    .executeTakeFirst();
  return row !== undefined;
}

export function toDataset(row: EvaluationDatasetTable, tags: DatasetTags): EvaluationDataset {
  return {
    datasetId: row.dataset_id,
    name: row.name,
    digest: row.digest ?? "",
    createdTime: Number(row.created_time),
    lastUpdateTime: Number(row.last_update_time),
    tags,
    ...optionalField("schema", orUndefined(row.schema)),
    ...optionalField("profile", orUndefined(row.profile)),
    ...optionalField("createdBy", orUndefined(row.created_by)),
    ...optionalField("lastUpdatedBy", orUndefined(row.last_updated_by)),
  };
}

export const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
