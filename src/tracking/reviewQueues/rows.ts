/**
 * Reading review-queue rows: the queue by id (mlflow's `_get_sql_review_queue`, which ignores the
 * experiment's lifecycle), the queue with its users and schema ids, and item rows as entities. Shared by the
 * queue and item stores.
 */
import type { Kysely, Selectable } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type {
  Database,
  LabelSchemaTable,
  ReviewQueueDatabase,
  ReviewQueueItemTable,
  ReviewQueueLabelSchemaTable,
  ReviewQueueTable,
  ReviewQueueUserTable,
} from "../../db/schema.js";
import { notFound } from "../../errors.js";
import type { ReviewQueue, ReviewQueueItem, ReviewQueueType, ReviewStatus } from "./entities.js";

export type ReviewQueueDb = Kysely<ReviewQueueDatabase>;

export function withReviewQueues(db: Kysely<Database>): ReviewQueueDb {
  return db.withTables<{
    label_schemas: LabelSchemaTable;
    review_queues: ReviewQueueTable;
    review_queue_users: ReviewQueueUserTable;
    review_queue_items: ReviewQueueItemTable;
    review_queue_label_schemas: ReviewQueueLabelSchemaTable;
  }>();
}

/** What the queue and item stores both hold: the tables, the clock, and whether queue rows are locked. */
export abstract class ReviewQueueTables {
  protected readonly db: ReviewQueueDb;
  /** See requireQueueRow's `lock`. */
  protected readonly lockQueue: boolean;

  constructor(
    meta: MetadataDb,
    protected readonly now: () => number = Date.now,
  ) {
    this.db = withReviewQueues(meta.db);
    this.lockQueue = meta.dialect === "postgres";
  }
}

export const queueNotFound = (queueId: string) => notFound(`Review queue with id '${queueId}' not found.`);

/** Binary order, as SQLite sorts mlflow's association sets, whatever the PostgreSQL collation. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `lock` takes the row lock (PostgreSQL's FOR UPDATE) so a question edit and an attach to one queue cannot
 * interleave; SQLite, which has no FOR UPDATE, runs one writer at a time anyway.
 */
export async function requireQueueRow(
  db: ReviewQueueDb,
  queueId: string,
  lock = false,
): Promise<Selectable<ReviewQueueTable>> {
  const query = db.selectFrom("review_queues").selectAll().where("queue_id", "=", queueId);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst();
  if (row === undefined) throw queueNotFound(queueId);
  return row;
}

/** Queues with their users and schema ids, loaded in two queries for the whole batch. */
export async function hydrateQueues(
  db: ReviewQueueDb,
  rows: readonly Selectable<ReviewQueueTable>[],
): Promise<ReviewQueue[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.queue_id);
  // One after the other: a transaction's queries share one PostgreSQL connection.
  const users = await db.selectFrom("review_queue_users").selectAll().where("queue_id", "in", ids).execute();
  const schemas = await db
    .selectFrom("review_queue_label_schemas")
    .selectAll()
    .where("queue_id", "in", ids)
    .execute();
  const group = (pairs: { queueId: string; value: string }[], queueId: string) =>
    pairs
      .filter((pair) => pair.queueId === queueId)
      .map((pair) => pair.value)
      .sort(byCodePoint);
  const userPairs = users.map((u) => ({ queueId: u.queue_id, value: u.user_id }));
  const schemaPairs = schemas.map((s) => ({ queueId: s.queue_id, value: s.schema_id }));
  return rows.map((row) => ({
    queueId: row.queue_id,
    experimentId: String(row.experiment_id),
    name: row.name,
    queueType: row.queue_type as ReviewQueueType,
    createdBy: row.created_by ?? undefined,
    creationTimeMs: Number(row.creation_time_ms),
    lastUpdateTimeMs: Number(row.last_update_time_ms),
    users: group(userPairs, row.queue_id),
    schemaIds: group(schemaPairs, row.queue_id),
  }));
}

export function toReviewQueueItem(row: Selectable<ReviewQueueItemTable>): ReviewQueueItem {
  return {
    queueId: row.queue_id,
    itemType: "trace",
    itemId: row.item_id,
    status: row.status as ReviewStatus,
    completedBy: row.completed_by ?? undefined,
    completedTimeMs: row.completed_time_ms === null ? undefined : Number(row.completed_time_ms),
    creationTimeMs: Number(row.creation_time_ms),
    lastUpdateTimeMs: Number(row.last_update_time_ms),
  };
}
