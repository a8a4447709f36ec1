/**
 * MLflow 3 review queue RPCs under /api/3.0/mlflow/review-queues (CreateReviewQueue, GetOrCreateUserQueue,
 * GetReviewQueue, GetReviewQueueByName, ListReviewQueues, UpdateReviewQueue, DeleteReviewQueue and the
 * items/add, items/remove, items/list, items/set-status RPCs) as `mlflow.genai.review_queues` calls them.
 * Requests are read as `mlflow server` reads them: the ids and names its handlers check with
 * `_assert_required` and `_assert_string` are refused when missing, empty or not text; every other field is
 * read as protobuf's JSON parser reads it, so what it cannot parse is left unset. Behaviour is in
 * src/tracking/reviewQueues.
 *
 * Like a no-auth `mlflow server`, the client's `created_by` is ignored (a user queue is owned by its user, a
 * custom one by nobody) and `completed_by` is taken as sent.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidParameter } from "../../errors.js";
import {
  toReviewQueueItemWire,
  toReviewQueueWire,
  type ReviewQueueType,
  type ReviewStatus,
} from "../../tracking/reviewQueues/entities.js";
import { ReviewQueueItemStore } from "../../tracking/reviewQueues/items.js";
import { ReviewQueueStore } from "../../tracking/reviewQueues/store.js";
import type { ServerContext } from "../context.js";
import { registerRpc, type RpcRoute } from "../rpc.js";
import { protoBool, protoEnum, protoLeadingStrings, protoString, requiredString } from "./protoScalars.js";
import { listingMaxResults } from "./queryIntegers.js";

const V3_PREFIXES = ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] as const;

/** Numbers that name no value are dropped by mlflow's parser (unknown fields ignored), as is the 0 value. */
const queueTypeField = () =>
  protoEnum({ 1: "USER", 2: "CUSTOM" } as const, "unset").transform((name) =>
    name === undefined ? undefined : (name.toLowerCase() as ReviewQueueType),
  );
const statusField = () =>
  protoEnum({ 1: "PENDING", 2: "COMPLETE", 3: "DECLINED" } as const, "unset").transform((name) =>
    name === undefined ? undefined : (name.toLowerCase() as ReviewStatus),
  );

export async function reviewQueueRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const queues = new ReviewQueueStore(ctx.meta, () => ctx.now());
  const items = new ReviewQueueItemStore(ctx.meta, () => ctx.now());
  const rpc = <S extends z.ZodType>(route: RpcRoute<S>) => registerRpc(app, route, V3_PREFIXES);
  const queueAnswer = (queue: Parameters<typeof toReviewQueueWire>[0]) => ({
    review_queue: toReviewQueueWire(queue),
  });

  rpc({
    method: "POST",
    path: "review-queues/create",
    request: z.object({
      experiment_id: requiredString(),
      name: requiredString(),
      queue_type: queueTypeField().optional(),
      users: protoLeadingStrings(),
      schema_ids: protoLeadingStrings(),
    }),
    async handle(body) {
      if (body.queue_type === undefined) {
        throw invalidParameter("`queue_type` must be one of USER or CUSTOM; got proto enum value 0.");
      }
      const queue = await queues.create(body.experiment_id, {
        name: body.name,
        queueType: body.queue_type,
        users: body.users,
        schemaIds: body.schema_ids,
      });
      return queueAnswer(queue);
    },
  });

  rpc({
    method: "POST",
    path: "review-queues/get-or-create-user",
    request: z.object({ experiment_id: requiredString(), user: requiredString() }),
    async handle(body) {
      return queueAnswer(await queues.getOrCreateUserQueue(body.experiment_id, body.user));
    },
  });

  rpc({
    method: "GET",
    path: "review-queues/get",
    request: z.object({ queue_id: requiredString() }),
    async handle(query) {
      return queueAnswer(await queues.get(query.queue_id));
    },
  });

  rpc({
    method: "GET",
    path: "review-queues/get-by-name",
    request: z.object({ experiment_id: requiredString(), name: requiredString() }),
    async handle(query) {
      return queueAnswer(await queues.getByName(query.experiment_id, query.name));
    },
  });

  rpc({
    method: "GET",
    path: "review-queues/list",
    request: z.object({
      experiment_id: requiredString(),
      max_results: z.unknown().optional(),
      page_token: protoString(),
      user: protoString(),
      item_id: protoString(),
    }),
    async handle(query) {
      const page = await queues.list(query.experiment_id, {
        user: query.user,
        itemId: query.item_id,
        maxResults: listingMaxResults(query.max_results),
        pageToken: query.page_token,
      });
      // Protobuf JSON leaves out an empty repeated field, but mlflow always sets the token, "" on the last page.
      return {
        ...(page.queues.length === 0 ? {} : { review_queues: page.queues.map(toReviewQueueWire) }),
        next_page_token: page.nextPageToken ?? "",
      };
    },
  });

  rpc({
    method: "POST",
    path: "review-queues/update",
    request: z.object({
      queue_id: requiredString(),
      update_users: protoBool(),
      users: protoLeadingStrings(),
      update_schema_ids: protoBool(),
      schema_ids: protoLeadingStrings(),
      name: protoString(),
      new_owner: protoString(),
    }),
    async handle(body) {
      // The lists change only with their update_* flag; without it a list sent is ignored.
      const queue = await queues.update(body.queue_id, {
        name: body.name,
        newOwner: body.new_owner,
        users: body.update_users === true ? body.users : undefined,
        schemaIds: body.update_schema_ids === true ? body.schema_ids : undefined,
      });
      return queueAnswer(queue);
    },
  });

  rpc({
    method: "POST",
    path: "review-queues/delete",
    request: z.object({ queue_id: requiredString() }),
    async handle(body) {
      await queues.delete(body.queue_id);
      return {};
    },
  });

  rpc({
    method: "POST",
    path: "review-queues/items/add",
    // `item_type` can only be TRACE (or unset, which means TRACE), so it is not read.
    request: z.object({ queue_id: requiredString(), item_ids: protoLeadingStrings() }),
    async handle(body) {
      const added = await items.add(body.queue_id, body.item_ids);
      return added.length === 0 ? {} : { items: added.map(toReviewQueueItemWire) };
    },
  });

  rpc({
    method: "POST",
    path: "review-queues/items/remove",
    request: z.object({ queue_id: requiredString(), item_ids: protoLeadingStrings() }),
    async handle(body) {
      await items.remove(body.queue_id, body.item_ids);
      return {};
    },
  });

  rpc({
    method: "GET",
    path: "review-queues/items/list",
    request: z.object({
      queue_id: requiredString(),
      max_results: z.unknown().optional(),
      page_token: protoString(),
      status: statusField().optional(),
    }),
    async handle(query) {
      const page = await items.list(query.queue_id, {
        status: query.status,
        maxResults: listingMaxResults(query.max_results),
        pageToken: query.page_token,
      });
      return {
        ...(page.items.length === 0 ? {} : { items: page.items.map(toReviewQueueItemWire) }),
        next_page_token: page.nextPageToken ?? "",
      };
    },
  });

  rpc({
    method: "POST",
    path: "review-queues/items/set-status",
    request: z.object({
      queue_id: requiredString(),
      item_id: requiredString(),
      status: statusField().optional(),
      completed_by: protoString(),
    }),
    async handle(body) {
      if (body.status === undefined) {
        throw invalidParameter(
          "`status` must be one of PENDING, COMPLETE, or DECLINED; got proto enum value 0.",
        );
      }
      const item = await items.setStatus(body.queue_id, body.item_id, body.status, body.completed_by);
      return { item: toReviewQueueItemWire(item) };
    },
  });
}
