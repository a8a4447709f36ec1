/**
 * Review queues and their items as the store returns them and as MLflow's `ReviewQueue` and `ReviewQueueItem`
 * messages spell them: fields in field-number order, optional ones only when set, and the repeated `users`
 * and `schema_ids` left out when empty, as protobuf's JSON writer leaves them.
 */

/** `user`: a reviewer's own worklist; `custom`: a named queue with chosen users and questions. */
export type ReviewQueueType = "user" | "custom";
export type ReviewStatus = "pending" | "complete" | "declined";
/** mlflow ships traces only; the column is wide enough for sessions and spans later. */
export type ReviewItemType = "trace";

export const QUEUE_TYPE_NAMES: Readonly<Record<ReviewQueueType, "USER" | "CUSTOM">> = {
  user: "USER",
  custom: "CUSTOM",
};
export const REVIEW_STATUS_NAMES: Readonly<Record<ReviewStatus, "PENDING" | "COMPLETE" | "DECLINED">> = {
  pending: "PENDING",
  complete: "COMPLETE",
  declined: "DECLINED",
};

export interface ReviewQueue {
  queueId: string;
  experimentId: string;
  name: string;
  queueType: ReviewQueueType;
  createdBy: string | undefined;
  creationTimeMs: number;
  lastUpdateTimeMs: number;
  /** Sorted; a user queue's is its one user. */
  users: string[];
  /** Sorted; always empty for a user queue, which asks all of the experiment's questions. */
  schemaIds: string[];
}

export interface ReviewQueueItem {
  queueId: string;
  itemType: ReviewItemType;
  itemId: string;
  status: ReviewStatus;
  /** Set only while the item is complete or declined. */
  completedBy: string | undefined;
  completedTimeMs: number | undefined;
  creationTimeMs: number;
  lastUpdateTimeMs: number;
}

/** The `ReviewQueue` message. */
export function toReviewQueueWire(q: ReviewQueue) {
  return {
    queue_id: q.queueId,
    experiment_id: q.experimentId,
    name: q.name,
    queue_type: QUEUE_TYPE_NAMES[q.queueType],
    ...(q.createdBy === undefined ? {} : { created_by: q.createdBy }),
    creation_time_ms: q.creationTimeMs,
    last_update_time_ms: q.lastUpdateTimeMs,
    ...(q.users.length === 0 ? {} : { users: q.users }),
    ...(q.schemaIds.length === 0 ? {} : { schema_ids: q.schemaIds }),
  };
}

/** The `ReviewQueueItem` message. */
export function toReviewQueueItemWire(item: ReviewQueueItem) {
  return {
    queue_id: item.queueId,
    item_type: "TRACE",
    item_id: item.itemId,
    status: REVIEW_STATUS_NAMES[item.status],
    ...(item.completedBy === undefined ? {} : { completed_by: item.completedBy }),
    ...(item.completedTimeMs === undefined ? {} : { completed_time_ms: item.completedTimeMs }),
    creation_time_ms: item.creationTimeMs,
    last_update_time_ms: item.lastUpdateTimeMs,
  };
}
