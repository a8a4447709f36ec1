/**
 * Delivers registry changes to the webhooks subscribed to them, as mlflow's `deliver_webhook` does:
 * after the change is saved, in the background, at most `maxConcurrent` deliveries at once. A delivery
 * never delays or fails the registry request that caused it; what goes wrong ends in a log line. Unlike
 * mlflow, the webhooks of an event are read from the database each time rather than from a cache kept
 * for 60 s, so a webhook hears events from the moment it is created, on every replica.
 * `test` is the one synchronous delivery: `test_webhook` waits for the receiver's answer and reports it.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { PROMPT_TAG_KEY } from "../entities.js";
import { noticeFor, promptFromRequest, type RegistryChange } from "./registryChanges.js";
import type { WebhookTestResult } from "./webhook.js";
import { eventName, type WebhookEvent } from "./webhookEvents.js";
import { examplePayload, type WebhookNotice } from "./webhookPayloads.js";
import { sendWebhookRequest } from "./webhookRequest.js";
import { webhookSecretCipher, type WebhookSecretCipher } from "./webhookSecretCipher.js";
import { DEFAULT_WEBHOOK_DELIVERY, type WebhookDeliverySettings } from "./webhookSettings.js";
import { activeWebhooksFor, webhookTarget, type WebhookTarget } from "./webhookStore.js";
import type { ResolveHost, WebhookUrlPolicy } from "./webhookUrlPolicy.js";

/** The part of a pino logger this needs; Fastify's `app.log` is one. */
export interface WebhookLog {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface RegistryWebhooksOptions {
  db: Kysely<Database>;
  log: WebhookLog;
  settings?: WebhookDeliverySettings | undefined;
  /** Trusted CAs for https receivers in place of Node's (tests); deployments use NODE_EXTRA_CA_CERTS. */
  ca?: string | undefined;
  resolveHost?: ResolveHost | undefined;
  now?: (() => number) | undefined;
  /** Decrypts the stored secrets; a key for this process alone when unset (tests). */
  cipher?: WebhookSecretCipher | undefined;
}

export class RegistryWebhooks {
  readonly settings: WebhookDeliverySettings;
  private readonly pending = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  readonly cipher: WebhookSecretCipher;

  constructor(private readonly options: RegistryWebhooksOptions) {
    this.settings = options.settings ?? DEFAULT_WEBHOOK_DELIVERY;
    this.cipher = options.cipher ?? webhookSecretCipher({});
  }

  get urlPolicy(): WebhookUrlPolicy {
    return this.settings.urlPolicy;
  }

  /** Starts delivering `change` to the webhooks subscribed to its event and returns at once; never throws. */
  notify(change: RegistryChange): void {
    if (this.closing.signal.aborted) return;
    this.track(
      this.dispatch(change).catch((error: unknown) => {
        this.options.log.error({ err: error, change: change.kind }, "webhook dispatch failed");
      }),
    );
  }

  /**
   * Sends `event`'s example payload (the webhook's first event when none is given) and reports the answer,
   * as mlflow's `test_webhook`: any failure becomes `success: false` with a message, never an error.
   * Throws only when there is no such webhook.
   */
  async test(webhookId: string, event?: WebhookEvent): Promise<WebhookTestResult> {
    const target = await webhookTarget(this.options.db, webhookId);
    try {
      const chosen = event ?? target.events[0];
      if (chosen === undefined) throw new Error("the webhook subscribes to no events");
      const response = await sendWebhookRequest(
        this.decrypted(target),
        { event: chosen, data: examplePayload(chosen) },
        this.requestOptions(),
      );
      return {
        success: response.status < 400,
        response_status: response.status,
        response_body: response.body,
      };
    } catch (error) {
      return { success: false, error_message: `Failed to test webhook: ${describe(error)}` };
    }
  }

  /** Resolves once every delivery started so far has ended (tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Stops accepting changes, abandons deliveries in flight or waiting, and waits for them to end. */
  async close(): Promise<void> {
    this.closing.abort(new Error("the server is shutting down"));
    for (const wake of this.waiting.splice(0)) wake();
    await this.settled();
  }

  private decrypted(target: WebhookTarget): { url: string; secret: string | null } {
    return { url: target.url, secret: target.secret ? this.cipher.decrypt(target.secret) : null };
  }

  private async dispatch(change: RegistryChange): Promise<void> {
    const isPrompt = promptFromRequest(change) ?? (await isPromptModel(this.options.db, change.name));
    const notice = noticeFor(change, isPrompt);
    if (notice === undefined) return;
    for (const target of await activeWebhooksFor(this.options.db, notice.event)) {
      this.track(this.deliver(target, notice));
    }
  }

  private async deliver(target: WebhookTarget, notice: WebhookNotice): Promise<void> {
    const details = { webhook_id: target.webhook_id, url: target.url, event: eventName(notice.event) };
    await this.turn();
    try {
      if (this.closing.signal.aborted) return;
      // A secret that cannot be decrypted fails the delivery: it is never sent unsigned instead.
      const response = await sendWebhookRequest(this.decrypted(target), notice, this.requestOptions());
      if (response.status >= 400) {
        this.options.log.warn(
          { ...details, status: response.status },
          "webhook receiver refused the delivery",
        );
      } else {
        this.options.log.debug({ ...details, status: response.status }, "webhook delivered");
      }
    } catch (error) {
      this.options.log.error({ ...details, err: error }, "webhook delivery failed");
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }

  /** Waits for one of the `maxConcurrent` delivery slots. */
  private async turn(): Promise<void> {
    if (this.active >= this.settings.maxConcurrent && !this.closing.signal.aborted) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active += 1;
  }

  private requestOptions() {
    return {
      settings: this.settings,
      signal: this.closing.signal,
      ca: this.options.ca,
      now: this.options.now,
      resolveHost: this.options.resolveHost,
    };
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }
}

/** `RegisteredModel._is_prompt`: the model carries `mlflow.prompt.is_prompt=true` (any case). */
async function isPromptModel(db: Kysely<Database>, name: string): Promise<boolean> {
  const tag = await db
    .selectFrom("registered_model_tags")
    .select("value")
    .where("name", "=", name)
    .where("key", "=", PROMPT_TAG_KEY)
    .executeTakeFirst();
  return tag?.value.toLowerCase() === "true";
}

/** An error's message, with its cause's when it has one (what lay under a wrapped failure). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
