/**
 * mlflow 3's registry webhooks API (`webhooks.proto`, `WebhookService`): create, list, get, update, delete
 * and test. Routes read and check the request's shape; the rules, the store and delivery live in
 * src/registry/webhooks.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseWebhookStatus } from "../../registry/webhooks/webhook.js";
import { parseWireEvent } from "../../registry/webhooks/webhookEvents.js";
import type { RegistryWebhooks } from "../../registry/webhooks/registryWebhooks.js";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  updateWebhook,
} from "../../registry/webhooks/webhookStore.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { int64, list } from "../wire.js";

/** Enum fields arrive as names (what the Python client sends) or numbers; registry/webhooks reads them. */
const enumField = z.union([z.string(), z.number().int()]);
const wireEvent = z.object({ entity: enumField, action: enumField });
const webhookId = z.string().min(1);

export async function webhookRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  webhooks: RegistryWebhooks,
): Promise<void> {
  const { db } = ctx.meta;
  const writeOptions = () => ({ urlPolicy: webhooks.urlPolicy, cipher: webhooks.cipher, now: ctx.now() });

  registerRpc(app, {
    method: "POST",
    path: "webhooks",
    request: z.object({
      name: z.string(),
      url: z.string(),
      events: list(wireEvent),
      description: z.string().optional(),
      secret: z.string().optional(),
      status: enumField.optional(),
    }),
    handle: async (input) => ({
      webhook: await createWebhook(
        db,
        {
          name: input.name,
          url: input.url,
          events: input.events.map(parseWireEvent),
          description: input.description,
          secret: input.secret,
          status: input.status === undefined ? undefined : parseWebhookStatus(input.status),
        },
        writeOptions(),
      ),
    }),
  });

  registerRpc(app, {
    method: "GET",
    path: "webhooks",
    request: z.object({ max_results: int64().optional(), page_token: z.string().optional() }),
    handle: async (input) => {
      const page = await listWebhooks(db, input);
      // Protobuf's JSON leaves an empty repeated field out: no webhooks is `{}`.
      return {
        ...(page.webhooks.length > 0 ? { webhooks: page.webhooks } : {}),
        ...(page.nextPageToken === undefined ? {} : { next_page_token: page.nextPageToken }),
      };
    },
  });

  registerRpc(app, {
    method: "GET",
    path: "webhooks/:webhook_id",
    request: z.object({ webhook_id: webhookId }),
    handle: async ({ webhook_id }) => ({ webhook: await getWebhook(db, webhook_id) }),
  });

  registerRpc(app, {
    method: "PATCH",
    path: "webhooks/:webhook_id",
    request: z.object({
      webhook_id: webhookId,
      name: z.string().optional(),
      description: z.string().optional(),
      url: z.string().optional(),
      events: list(wireEvent).optional(),
      secret: z.string().optional(),
      status: enumField.optional(),
    }),
    // mlflow's handler: an empty name, URL or event list means "unchanged"; a description, secret or
    // status that is present at all (even "") is set.
    handle: async (input) => ({
      webhook: await updateWebhook(
        db,
        input.webhook_id,
        {
          name: input.name || undefined,
          url: input.url || undefined,
          events: input.events?.length ? input.events.map(parseWireEvent) : undefined,
          description: input.description,
          secret: input.secret,
          status: input.status === undefined ? undefined : parseWebhookStatus(input.status),
        },
        writeOptions(),
      ),
    }),
  });

  registerRpc(app, {
    method: "DELETE",
    path: "webhooks/:webhook_id",
    request: z.object({ webhook_id: webhookId }),
    handle: async ({ webhook_id }) => {
      await deleteWebhook(db, webhook_id, ctx.now());
      return {};
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "webhooks/:webhook_id/test",
    request: z.object({ webhook_id: webhookId, event: wireEvent.optional() }),
    handle: async ({ webhook_id, event }) => ({
      result: await webhooks.test(webhook_id, event === undefined ? undefined : parseWireEvent(event)),
    }),
  });
}
