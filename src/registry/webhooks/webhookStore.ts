/**
 * Registry webhooks in the metadata database, with the semantics and messages of mlflow's SQL store
 * (`create_webhook` ... `delete_webhook`): soft deletes, newest-first offset paging, and partial updates
 * where an absent field keeps its value. The API shape never carries the secret; only `WebhookTarget`,
 * which the delivery side reads, does, still encrypted: the secret is stored as a Fernet token
 * (webhookSecretCipher) and decrypted only to sign a delivery.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { invalidParameter, notFound } from "../../errors.js";
import { pageOf, startOffsetFromPageToken } from "../../tracking/search/mlflowPageToken.js";
import { nonNegativeOffset } from "../../tracking/search/mlflowPageToken.js";
import {
  validateWebhookDescription,
  validateWebhookName,
  type Webhook,
  type WebhookStatus,
} from "./webhook.js";
import { compareEvents, normaliseEvents, toWireEvent, type WebhookEvent } from "./webhookEvents.js";
import { isFernetToken, type WebhookSecretCipher } from "./webhookSecretCipher.js";
import { validateWebhookUrl, type ResolveHost, type WebhookUrlPolicy } from "./webhookUrlPolicy.js";

export interface CreateWebhookInput {
  name: string;
  url: string;
  events: readonly WebhookEvent[];
  description?: string | undefined;
  secret?: string | undefined;
  status?: WebhookStatus | undefined;
}

/** Fields left undefined keep their value. */
export interface UpdateWebhookInput {
  name?: string | undefined;
  description?: string | undefined;
  url?: string | undefined;
  events?: readonly WebhookEvent[] | undefined;
  secret?: string | undefined;
  status?: WebhookStatus | undefined;
}

export interface WebhookWriteOptions {
  urlPolicy: WebhookUrlPolicy;
  /** Encrypts the secret before it is stored. */
  cipher: WebhookSecretCipher;
  now: number;
  resolveHost?: ResolveHost;
}

/** What a delivery needs: where to send, how to sign, and what the webhook listens to. */
export interface WebhookTarget {
  webhook_id: string;
  url: string;
  /** The stored secret, a Fernet token; null when deliveries go unsigned. */
  secret: string | null;
  events: WebhookEvent[];
}

const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS_LIMIT = 1000;

const noWebhook = (id: string) => notFound(`Webhook with ID ${id} not found.`);

export async function createWebhook(
  db: Kysely<Database>,
  input: CreateWebhookInput,
  options: WebhookWriteOptions,
): Promise<Webhook> {
  validateWebhookName(input.name);
  await validateWebhookUrl(input.url, options.urlPolicy, options.resolveHost);
  const events = validEvents(input.events);
  if (input.description !== undefined) validateWebhookDescription(input.description);
  const webhookId = randomUUID();
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto("webhooks")
      .values({
        webhook_id: webhookId,
        name: input.name,
        // mlflow stores an empty description or secret as none.
        description: input.description || null,
        url: input.url,
        status: input.status ?? "ACTIVE",
        secret: input.secret ? options.cipher.encrypt(input.secret) : null,
        creation_timestamp: options.now,
        last_updated_timestamp: options.now,
        deleted_timestamp: null,
      })
      .execute();
    await insertEvents(tx, webhookId, events);
  });
  return getWebhook(db, webhookId);
}

export async function getWebhook(db: Kysely<Database>, webhookId: string): Promise<Webhook> {
  const [webhook] = await readWebhooks(db, [await liveRow(db, webhookId)]);
  if (webhook === undefined) throw noWebhook(webhookId);
  return webhook;
}

export async function listWebhooks(
  db: Kysely<Database>,
  request: { max_results?: number | undefined; page_token?: string | undefined },
): Promise<{ webhooks: Webhook[]; nextPageToken?: string }> {
  // `max_results or 100`: an unset or zero limit is the default, as in mlflow.
  const limit = request.max_results || DEFAULT_MAX_RESULTS;
  if (limit < 1 || limit > MAX_RESULTS_LIMIT) {
    throw invalidParameter(`max_results must be between 1 and ${MAX_RESULTS_LIMIT}.`);
  }
  const offset = startOffsetFromPageToken(request.page_token);
  const rows = await db
    .selectFrom("webhooks")
    .selectAll()
    .where("deleted_timestamp", "is", null)
    // mlflow orders by creation time only; the id keeps pages stable when two share a millisecond.
    .orderBy("creation_timestamp", "desc")
    .orderBy("webhook_id", "desc")
    .limit(limit + 1)
    .offset(nonNegativeOffset(offset))
    .execute();
  const { page, nextPageToken } = pageOf(rows, offset, limit);
  const webhooks = await readWebhooks(db, page);
  return nextPageToken === undefined ? { webhooks } : { webhooks, nextPageToken };
}

export async function updateWebhook(
  db: Kysely<Database>,
  webhookId: string,
  input: UpdateWebhookInput,
  options: WebhookWriteOptions,
): Promise<Webhook> {
  await liveRow(db, webhookId);
  if (input.name !== undefined) validateWebhookName(input.name);
  if (input.url !== undefined) await validateWebhookUrl(input.url, options.urlPolicy, options.resolveHost);
  const events = input.events === undefined ? undefined : validEvents(input.events);
  if (input.description !== undefined) validateWebhookDescription(input.description);
  await db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable("webhooks")
      .set({
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.url === undefined ? {} : { url: input.url }),
        ...(input.secret === undefined
          ? {}
          : { secret: input.secret ? options.cipher.encrypt(input.secret) : null }),
        ...(input.status === undefined ? {} : { status: input.status }),
        last_updated_timestamp: options.now,
      })
      .where("webhook_id", "=", webhookId)
      .where("deleted_timestamp", "is", null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw noWebhook(webhookId);
    if (events !== undefined) {
      await tx.deleteFrom("webhook_events").where("webhook_id", "=", webhookId).execute();
      await insertEvents(tx, webhookId, events);
    }
  });
  return getWebhook(db, webhookId);
}

/** Soft delete, as mlflow; the secret goes at once, since nothing may read it any more. */
export async function deleteWebhook(db: Kysely<Database>, webhookId: string, now: number): Promise<void> {
  const deleted = await db
    .updateTable("webhooks")
    .set({ deleted_timestamp: now, last_updated_timestamp: now, secret: null })
    .where("webhook_id", "=", webhookId)
    .where("deleted_timestamp", "is", null)
    .executeTakeFirst();
  if (Number(deleted.numUpdatedRows) === 0) throw noWebhook(webhookId);
}

/**
 * Encrypts the secrets an earlier version stored in the clear, each in place; tokens are left as they are.
 * Run when a server starts, so no plaintext secret outlives an upgrade.
 */
export async function encryptStoredWebhookSecrets(
  db: Kysely<Database>,
  cipher: WebhookSecretCipher,
): Promise<number> {
  const rows = await db
    .selectFrom("webhooks")
    .select(["webhook_id", "secret"])
    .where("secret", "is not", null)
    .execute();
  let encrypted = 0;
  for (const row of rows) {
    if (row.secret === null || row.secret === "" || isFernetToken(row.secret)) continue;
    await db
      .updateTable("webhooks")
      .set({ secret: cipher.encrypt(row.secret) })
      .where("webhook_id", "=", row.webhook_id)
      .where("secret", "=", row.secret)
      .execute();
    encrypted += 1;
  }
  return encrypted;
}

/** The active webhooks subscribed to `event`, with their secrets, for delivery. */
export async function activeWebhooksFor(db: Kysely<Database>, event: WebhookEvent): Promise<WebhookTarget[]> {
  const rows = await db
    .selectFrom("webhooks as w")
    .innerJoin("webhook_events as e", "e.webhook_id", "w.webhook_id")
    .select(["w.webhook_id", "w.url", "w.secret"])
    .where("e.entity", "=", event.entity)
    .where("e.action", "=", event.action)
    .where("w.deleted_timestamp", "is", null)
    .where("w.status", "=", "ACTIVE")
    .orderBy("w.creation_timestamp", "desc")
    .execute();
  return rows.map((row) => ({ ...row, events: [event] }));
}

/** One live webhook with its secret, whatever its status: `test_webhook` tests disabled ones too. */
export async function webhookTarget(db: Kysely<Database>, webhookId: string): Promise<WebhookTarget> {
  const row = await liveRow(db, webhookId);
  const events = (await eventsOf(db, [webhookId])).get(webhookId) ?? [];
  return { webhook_id: row.webhook_id, url: row.url, secret: row.secret, events };
}

type WebhookRow = Awaited<ReturnType<typeof liveRow>>;

async function liveRow(db: Kysely<Database>, webhookId: string) {
  const row = await db
    .selectFrom("webhooks")
    .selectAll()
    .where("webhook_id", "=", webhookId)
    .where("deleted_timestamp", "is", null)
    .executeTakeFirst();
  if (row === undefined) throw noWebhook(webhookId);
  return row;
}

async function readWebhooks(db: Kysely<Database>, rows: readonly WebhookRow[]): Promise<Webhook[]> {
  const events = await eventsOf(
    db,
    rows.map((r) => r.webhook_id),
  );
  return rows.map((row) => ({
    webhook_id: row.webhook_id,
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    url: row.url,
    events: (events.get(row.webhook_id) ?? []).map(toWireEvent),
    status: row.status as WebhookStatus,
    creation_timestamp: Number(row.creation_timestamp),
    last_updated_timestamp: Number(row.last_updated_timestamp),
  }));
}

/**
 * Each webhook's events in (entity, action) order, which is the order mlflow's store returns. Sorted
 * here rather than in SQL, where PostgreSQL's collation could order `_` differently from SQLite.
 */
async function eventsOf(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, WebhookEvent[]>> {
  const byWebhook = new Map<string, WebhookEvent[]>();
  if (ids.length === 0) return byWebhook;
  const rows = await db
    .selectFrom("webhook_events")
    .select(["webhook_id", "entity", "action"])
    .where("webhook_id", "in", ids)
    .execute();
  for (const row of rows) {
    const list = byWebhook.get(row.webhook_id) ?? [];
    list.push({ entity: row.entity, action: row.action } as WebhookEvent);
    byWebhook.set(row.webhook_id, list);
  }
  for (const list of byWebhook.values()) list.sort(compareEvents);
  return byWebhook;
}

function validEvents(events: readonly WebhookEvent[]): WebhookEvent[] {
  if (events.length === 0) {
    throw invalidParameter("Webhook events must be a non-empty list of WebhookEvent objects: [].");
  }
  return normaliseEvents(events);
}

async function insertEvents(
  tx: Kysely<Database>,
  webhookId: string,
  events: readonly WebhookEvent[],
): Promise<void> {
  await tx
    .insertInto("webhook_events")
    .values(events.map((e) => ({ webhook_id: webhookId, entity: e.entity, action: e.action })))
    .execute();
}
