/**
 * The traces attached to review queues, with mlflow's semantics (`add_items_to_review_queue`,
 * `remove_items_from_review_queue`, `list_review_queue_items`, `set_review_queue_item_status` and the checks
 * its handlers make first): only traces of the queue's experiment may be attached, re-attaching keeps an
 * item's status, and the status is shared by the queue's reviewers, with who completed or declined it.
 */
import type { ReviewQueueItemTable } from "../../db/schema.js";
import { notFound } from "../../errors.js";
import { offsetFromPageToken, pageOf } from "../search/mlflowPageToken.js";
import type { ReviewQueueItem, ReviewStatus } from "./entities.js";
import { requireQueueRow, ReviewQueueTables, toReviewQueueItem } from "./rows.js";
import { DEFAULT_MAX_RESULTS } from "./store.js";
import {
  normalizeItemId,
  pythonListRepr,
  validateCompletedBy,
  validateItemIdsForAttach,
} from "./validation.js";

export interface ReviewQueueItemPage {
  items: ReviewQueueItem[];
  /** Undefined on the last page. */
  nextPageToken: string | undefined;
}

export class ReviewQueueItemStore extends ReviewQueueTables {
  /** One item per distinct id, in request order; ids are stripped and checked before the queue is read. */
  async add(queueId: string, itemIds: readonly string[]): Promise<ReviewQueueItem[]> {
    const ids = validateItemIdsForAttach(itemIds);
    return this.db.transaction().execute(async (trx) => {
      const queue = await requireQueueRow(trx, queueId, this.lockQueue);
      const traces = await trx
        .selectFrom("trace_info")
        .select(["request_id", "experiment_id"])
        .where("request_id", "in", ids)
        .execute();
      const experimentOf = new Map(traces.map((t) => [t.request_id, String(t.experiment_id)]));
      const experimentId = String(queue.experiment_id);
      const invalid = ids.filter((id) => experimentOf.get(id) !== experimentId);
      if (invalid.length > 0) {
        throw notFound(
          `Cannot attach trace(s) ${pythonListRepr(invalid)} to review queue '${queueId}': ` +
            `they do not exist in experiment '${experimentId}'.`,
        );
      }
      const now = this.now();
      await trx
        .insertInto("review_queue_items")
        .values(
          ids.map((itemId): ReviewQueueItemTable => ({
            queue_id: queueId,
            item_type: "trace",
            item_id: itemId,
            status: "pending",
            completed_by: null,
            completed_time_ms: null,
            creation_time_ms: now,
            last_update_time_ms: now,
          })),
        )
        // An item already attached (or attached by a concurrent request) keeps its row and status.
        .onConflict((oc) => oc.columns(["queue_id", "item_id"]).doNothing())
        .execute();
      const rows = await trx
        .selectFrom("review_queue_items")
        .selectAll()
        .where("queue_id", "=", queueId)
        .where("item_id", "in", ids)
        .execute();
      const byId = new Map(rows.map((row) => [row.item_id, row]));
      return ids.flatMap((id) => {
        const row = byId.get(id);
        return row === undefined ? [] : [toReviewQueueItem(row)];
      });
    });
  }

  /** Ids not attached are ignored. */
  async remove(queueId: string, itemIds: readonly string[]): Promise<void> {
    const ids = validateItemIdsForAttach(itemIds);
    await requireQueueRow(this.db, queueId);
    await this.db
      .deleteFrom("review_queue_items")
      .where("queue_id", "=", queueId)
      .where("item_id", "in", ids)
      .execute();
  }

  /** Newest-attached first, ties by item id; the token is read before the queue. */
  async list(
    queueId: string,
    options: {
      status?: ReviewStatus | undefined;
      maxResults?: number | undefined;
      pageToken?: string | undefined;
    },
  ): Promise<ReviewQueueItemPage> {
    const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
    const offset = offsetFromPageToken(options.pageToken);
    await requireQueueRow(this.db, queueId);
    let query = this.db.selectFrom("review_queue_items").selectAll().where("queue_id", "=", queueId);
    if (options.status !== undefined) query = query.where("status", "=", options.status);
    const rows = await query
      .orderBy("creation_time_ms", "desc")
      .orderBy("item_id", "asc")
      .limit(maxResults + 1)
      .offset(offset)
      .execute();
    const { page, nextPageToken } = pageOf(rows, offset, maxResults);
    return { items: page.map(toReviewQueueItem), nextPageToken };
  }

  /**
   * Setting the status an item already has changes nothing, so a second reviewer cannot take over the
   * first one's attribution; reopening clears it.
   */
  async setStatus(
    queueId: string,
    itemId: string,
    status: ReviewStatus,
    completedBy: string | undefined,
  ): Promise<ReviewQueueItem> {
    const id = normalizeItemId(itemId);
    const completer = validateCompletedBy(status, completedBy);
    return this.db.transaction().execute(async (trx) => {
      await requireQueueRow(trx, queueId);
      const row = await trx
        .selectFrom("review_queue_items")
        .selectAll()
        .where("queue_id", "=", queueId)
        .where("item_id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound(`Item '${id}' is not attached to review queue '${queueId}'.`);
      if (row.status === status) return toReviewQueueItem(row);
      const now = this.now();
      const changes = {
        status,
        last_update_time_ms: now,
        completed_by: completer ?? null,
        completed_time_ms: completer === undefined ? null : now,
      };
      await trx
        .updateTable("review_queue_items")
        .set(changes)
        .where("queue_id", "=", queueId)
        .where("item_id", "=", id)
        .execute();
      return toReviewQueueItem({ ...row, ...changes });
    });
  }
}
