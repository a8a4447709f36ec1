/**
 * Review queues with the semantics of mlflow's SqlAlchemyStore (`create_review_queue`, `get_or_create_user_queue`,
 * `get_review_queue[_by_name]`, `list_review_queues`, `update_review_queue`, `delete_review_queue`): names are
 * unique per experiment ignoring case, a user queue is fixed once made, a custom queue's questions are frozen
 * while it has items. Reads and writes by queue id do not look at the experiment; those by experiment want it
 * to exist and be active. Items are in items.ts.
 */
import { randomUUID } from "node:crypto";
import type { ReviewQueueTable } from "../../db/schema.js";
import { alreadyExists, FlowOpsError, invalidParameter, notFound } from "../../errors.js";
import { offsetFromPageToken, pageOf } from "../search/mlflowPageToken.js";
import { requireActiveExperimentId } from "../experimentReader.js";
import { isUniqueViolation } from "../uniqueViolation.js";
import type { ReviewQueue, ReviewQueueType } from "./entities.js";
import { hydrateQueues, requireQueueRow, ReviewQueueTables, type ReviewQueueDb } from "./rows.js";
import {
  normalizeSchemaIds,
  normalizeUser,
  normalizeUsers,
  pythonListRepr,
  validateCustomQueueName,
  validateQueueForCreate,
  validateQueueOwner,
} from "./validation.js";

/** mlflow's prefix for queue ids, before a hex UUID. */
const QUEUE_ID_PREFIX = "rq-";
/** mlflow's SEARCH_MAX_RESULTS_DEFAULT, the page size when none is asked for. */
export const DEFAULT_MAX_RESULTS = 1000;

export interface NewReviewQueue {
  name: string;
  queueType: ReviewQueueType;
  users: readonly string[];
  schemaIds: readonly string[];
  /** The authenticated owner; FlowOps has none, so only user queues (owned by their user) set it. */
  createdBy?: string | undefined;
}

/** Undefined fields are left alone; an empty list clears that set. */
export interface ReviewQueueChanges {
  name?: string | undefined;
  newOwner?: string | undefined;
  users?: readonly string[] | undefined;
  schemaIds?: readonly string[] | undefined;
}

export interface ReviewQueuePage {
  queues: ReviewQueue[];
  /** Undefined on the last page. */
  nextPageToken: string | undefined;
}

const newQueueId = (): string => `${QUEUE_ID_PREFIX}${randomUUID().replaceAll("-", "")}`;

const nameTaken = (name: string) =>
  alreadyExists(`Review queue with name '${name}' already exists (names are case-insensitive).`);

export class ReviewQueueStore extends ReviewQueueTables {
  async create(experimentId: string, queue: NewReviewQueue): Promise<ReviewQueue> {
    const validated = validateQueueForCreate(queue);
    return this.db.transaction().execute(async (trx) => {
      const experiment = await requireActiveExperimentId(trx, experimentId);
      await assertSchemasInExperiment(trx, experiment, experimentId, validated.schemaIds);
      const nameKey = validated.name.toLowerCase();
      const taken = await trx
        .selectFrom("review_queues")
        .select("queue_id")
        .where("experiment_id", "=", experiment)
        .where("name_key", "=", nameKey)
        .executeTakeFirst();
      if (taken !== undefined) throw nameTaken(validated.name);
      const now = this.now();
      const row: ReviewQueueTable = {
        queue_id: newQueueId(),
        experiment_id: experiment,
        name: validated.name,
        name_key: nameKey,
        queue_type: validated.queueType,
        created_by: queue.createdBy ?? null,
        creation_time_ms: now,
        last_update_time_ms: now,
      };
      try {
        await trx.insertInto("review_queues").values(row).execute();
      } catch (error) {
        // Another request took the name between the check and the insert.
        if (isUniqueViolation(error)) throw nameTaken(validated.name);
        throw error;
      }
      await replaceUsers(trx, row.queue_id, validated.users);
      await replaceSchemaIds(trx, row.queue_id, validated.schemaIds);
      return (await hydrateQueues(trx, [row]))[0] as ReviewQueue;
    });
  }

  /** Idempotent; a custom queue already holding the user's name is refused rather than handed back. */
  async getOrCreateUserQueue(experimentId: string, user: string): Promise<ReviewQueue> {
    const name = normalizeUser(user);
    try {
      return await this.create(experimentId, {
        name,
        queueType: "user",
        users: [],
        schemaIds: [],
        createdBy: name,
      });
    } catch (error) {
      if (!(error instanceof FlowOpsError) || error.code !== "RESOURCE_ALREADY_EXISTS") throw error;
      const existing = await this.getByName(experimentId, name);
      if (existing.queueType !== "user") {
        throw alreadyExists(
          `A non-user queue named '${name}' already exists; cannot get-or-create a user queue with that name.`,
        );
      }
      return existing;
    }
  }

  async get(queueId: string): Promise<ReviewQueue> {
    const row = await requireQueueRow(this.db, queueId);
    return (await hydrateQueues(this.db, [row]))[0] as ReviewQueue;
  }

  /** Matches the name ignoring case, without stripping it. */
  async getByName(experimentId: string, name: string): Promise<ReviewQueue> {
    const experiment = await requireActiveExperimentId(this.db, experimentId);
    const row = await this.db
      .selectFrom("review_queues")
      .selectAll()
      .where("experiment_id", "=", experiment)
      .where("name_key", "=", name.toLowerCase())
      .executeTakeFirst();
    if (row === undefined) {
      throw notFound(`Review queue with name '${name}' not found for experiment '${experimentId}'.`);
    }
    return (await hydrateQueues(this.db, [row]))[0] as ReviewQueue;
  }

  /**
   * Newest first (ties by id); `user` keeps the queues that user is assigned to, `itemId` those holding that
   * item. The token is read before the experiment is looked up, as in mlflow.
   */
  async list(
    experimentId: string,
    options: {
      user?: string | undefined;
      itemId?: string | undefined;
      maxResults?: number | undefined;
      pageToken?: string | undefined;
    },
  ): Promise<ReviewQueuePage> {
    const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
    const offset = offsetFromPageToken(options.pageToken);
    const experiment = await requireActiveExperimentId(this.db, experimentId);
    let query = this.db.selectFrom("review_queues").selectAll().where("experiment_id", "=", experiment);
    if (options.user !== undefined) {
      const user = normalizeUser(options.user);
      query = query.where("queue_id", "in", (eb) =>
        eb.selectFrom("review_queue_users").select("queue_id").where("user_id", "=", user),
      );
    }
    if (options.itemId !== undefined) {
      const itemId = options.itemId;
      query = query.where("queue_id", "in", (eb) =>
        eb.selectFrom("review_queue_items").select("queue_id").where("item_id", "=", itemId),
      );
    }
    const rows = await query
      .orderBy("creation_time_ms", "desc")
      .orderBy("queue_id", "asc")
      .limit(maxResults + 1)
      .offset(offset)
      .execute();
    const { page, nextPageToken } = pageOf(rows, offset, maxResults);
    return { queues: await hydrateQueues(this.db, page), nextPageToken };
  }

  /**
   * mlflow's order of checks: the queue, its type, the owner, the name, the users, the name's uniqueness, and
   * the schemas (frozen while items are attached). No changes at all leave the update time alone.
   *
   * mlflow finds a taken name when the session flushes the rename: with new users or schemas that is the
   * first query after the users are read, and it answers a raw IntegrityError (BAD_REQUEST) there; here a
   * taken name is always RESOURCE_ALREADY_EXISTS, at that same point.
   */
  async update(queueId: string, changes: ReviewQueueChanges): Promise<ReviewQueue> {
    return this.db.transaction().execute(async (trx) => {
      const row = await requireQueueRow(trx, queueId, this.lockQueue);
      if (row.queue_type === "user") {
        throw invalidParameter(
          "A user queue's name, assigned user, schemas, and owner are fixed and cannot be updated.",
        );
      }
      const { name, newOwner, users, schemaIds } = changes;
      if (name === undefined && newOwner === undefined && users === undefined && schemaIds === undefined) {
        return (await hydrateQueues(trx, [row]))[0] as ReviewQueue;
      }
      const updated = { ...row, last_update_time_ms: this.now() };
      if (newOwner !== undefined) updated.created_by = validateQueueOwner(newOwner);
      if (name !== undefined) {
        updated.name = validateCustomQueueName(name);
        updated.name_key = updated.name.toLowerCase();
      }
      const normalizedUsers = users === undefined ? undefined : normalizeUsers(users);
      if (updated.name_key !== row.name_key) {
        const taken = await trx
          .selectFrom("review_queues")
          .select("queue_id")
          .where("experiment_id", "=", row.experiment_id)
          .where("name_key", "=", updated.name_key)
          .executeTakeFirst();
        if (taken !== undefined) throw nameTaken(updated.name);
      }
      let normalizedSchemaIds: string[] | undefined;
      if (schemaIds !== undefined) {
        const item = await trx
          .selectFrom("review_queue_items")
          .select("item_id")
          .where("queue_id", "=", queueId)
          .executeTakeFirst();
        if (item !== undefined) {
          throw invalidParameter(
            "A review queue's questions are locked once items are assigned to it. Remove the items before changing its questions.",
          );
        }
        normalizedSchemaIds = normalizeSchemaIds(schemaIds);
        await assertSchemasInExperiment(
          trx,
          row.experiment_id,
          String(row.experiment_id),
          normalizedSchemaIds,
        );
      }
      try {
        await trx
          .updateTable("review_queues")
          .set({
            name: updated.name,
            name_key: updated.name_key,
            created_by: updated.created_by,
            last_update_time_ms: updated.last_update_time_ms,
          })
          .where("queue_id", "=", queueId)
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(updated.name);
        throw error;
      }
      if (normalizedUsers !== undefined) await replaceUsers(trx, queueId, normalizedUsers);
      if (normalizedSchemaIds !== undefined) await replaceSchemaIds(trx, queueId, normalizedSchemaIds);
      return (await hydrateQueues(trx, [updated]))[0] as ReviewQueue;
    });
  }

  /** Nothing to do for an id that names no queue; reviewers' assessments stay. */
  async delete(queueId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Children first, so the delete does not depend on the engine honouring ON DELETE CASCADE.
      await trx.deleteFrom("review_queue_users").where("queue_id", "=", queueId).execute();
      await trx.deleteFrom("review_queue_items").where("queue_id", "=", queueId).execute();
      await trx.deleteFrom("review_queue_label_schemas").where("queue_id", "=", queueId).execute();
      await trx.deleteFrom("review_queues").where("queue_id", "=", queueId).execute();
    });
  }
}

async function replaceUsers(db: ReviewQueueDb, queueId: string, users: readonly string[]): Promise<void> {
  await db.deleteFrom("review_queue_users").where("queue_id", "=", queueId).execute();
  if (users.length === 0) return;
  await db
    .insertInto("review_queue_users")
    .values(users.map((user) => ({ queue_id: queueId, user_id: user })))
    .execute();
}

async function replaceSchemaIds(
  db: ReviewQueueDb,
  queueId: string,
  schemaIds: readonly string[],
): Promise<void> {
  await db.deleteFrom("review_queue_label_schemas").where("queue_id", "=", queueId).execute();
  if (schemaIds.length === 0) return;
  await db
    .insertInto("review_queue_label_schemas")
    .values(schemaIds.map((schemaId) => ({ queue_id: queueId, schema_id: schemaId })))
    .execute();
}

/**
 * Each schema must be one of the experiment's; the message lists the others in request order and names the
 * experiment as the request did.
 */
async function assertSchemasInExperiment(
  db: ReviewQueueDb,
  experiment: number,
  experimentLabel: string,
  schemaIds: readonly string[],
): Promise<void> {
  if (schemaIds.length === 0) return;
  const found = await db
    .selectFrom("label_schemas")
    .select("schema_id")
    .where("experiment_id", "=", experiment)
    .where("schema_id", "in", [...schemaIds])
    .execute();
  const known = new Set(found.map((row) => row.schema_id));
  const missing = schemaIds.filter((schemaId) => !known.has(schemaId));
  if (missing.length > 0) {
    throw invalidParameter(
      `Label schema id(s) ${pythonListRepr(missing)} not found for experiment '${experimentLabel}'.`,
    );
  }
}
