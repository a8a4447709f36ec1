import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetadataDb } from "../../db/connect.js";
import { sqliteBackend } from "../../../test/support/backends.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../../test/support/webhookReceiver.js";
import { RegistryWebhooks, type WebhookLog } from "./registryWebhooks.js";
import { webhookEvent } from "./webhookEvents.js";
import { WebhookSecretCipher } from "./webhookSecretCipher.js";
import { DEFAULT_WEBHOOK_DELIVERY } from "./webhookSettings.js";
import { createWebhook } from "./webhookStore.js";

const SETTINGS = {
  ...DEFAULT_WEBHOOK_DELIVERY,
  urlPolicy: { allowedSchemes: ["http", "https"], allowPrivateIps: true },
  backoffMs: 5,
  timeoutMs: 2000,
};
const ALIAS_CREATED = webhookEvent("model_version_alias", "created");

interface LoggedLine {
  level: "error" | "warn" | "debug";
  details: object;
  message: string;
}

let meta: MetadataDb;
let closeDb: () => Promise<void>;
let receiver: WebhookReceiver;
let logged: LoggedLine[];
let webhooks: RegistryWebhooks;

const log: WebhookLog = {
  error: (details, message) => logged.push({ level: "error", details, message }),
  warn: (details, message) => logged.push({ level: "warn", details, message }),
  debug: (details, message) => logged.push({ level: "debug", details, message }),
};

async function hook(
  name: string,
  url: string,
  options: { status?: "ACTIVE" | "DISABLED"; secret?: string } = {},
) {
  return createWebhook(
    meta.db,
    { name, url, events: [ALIAS_CREATED], ...options },
    { urlPolicy: SETTINGS.urlPolicy, cipher: webhooks.cipher, now: Date.now() },
  );
}

beforeEach(async () => {
  const opened = await sqliteBackend.open();
  meta = opened.meta;
  closeDb = opened.close;
  receiver = await startWebhookReceiver();
  logged = [];
  webhooks = new RegistryWebhooks({ db: meta.db, log, settings: SETTINGS });
});
afterEach(async () => {
  await webhooks.close();
  await receiver.close();
  await closeDb();
});

describe("RegistryWebhooks.notify", () => {
  it("delivers a change to the active webhooks of its event only, in the background", async () => {
    await hook("on", `${receiver.url}/on`, { secret: "k" });
    await hook("off", `${receiver.url}/off`, { status: "DISABLED" });
    await createWebhook(
      meta.db,
      { name: "other", url: `${receiver.url}/other`, events: [webhookEvent("model_version", "created")] },
      { urlPolicy: SETTINGS.urlPolicy, cipher: webhooks.cipher, now: Date.now() },
    );
    webhooks.notify({ kind: "alias_set", name: "m", alias: "champion", version: "2" });
    await webhooks.settled();
    expect(receiver.received.map((r) => r.path)).toEqual(["/on"]);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({
      entity: "model_version_alias",
      action: "created",
      data: { name: "m", alias: "champion", version: "2" },
    });
    // Signed with the secret as given, though the store holds it encrypted.
    const headers = receiver.received[0]?.headers ?? {};
    const signed = `${String(headers["x-mlflow-delivery-id"])}.${String(headers["x-mlflow-timestamp"])}.${receiver.received[0]?.body ?? ""}`;
    expect(headers["x-mlflow-signature"]).toBe(
      `v1,${createHmac("sha256", "k").update(signed).digest("base64")}`,
    );
  });

  it("never delivers unsigned when a secret cannot be decrypted under the key in use", async () => {
    await createWebhook(
      meta.db,
      { name: "rekeyed", url: receiver.url, events: [ALIAS_CREATED], secret: "k" },
      {
        urlPolicy: SETTINGS.urlPolicy,
        cipher: new WebhookSecretCipher(WebhookSecretCipher.generateKey()),
        now: Date.now(),
      },
    );
    webhooks.notify({ kind: "alias_set", name: "m", alias: "a", version: "1" });
    await webhooks.settled();
    expect(receiver.received).toEqual([]);
    expect(logged.map((l) => [l.level, l.message])).toEqual([["error", "webhook delivery failed"]]);
    expect(String((logged[0]?.details as { err?: unknown }).err)).toMatch(/another key than the one in use/);
  });

  it("sends prompt events for a registered model tagged as a prompt", async () => {
    await meta.db
      .insertInto("registered_models")
      .values({
        name: "greeting",
        creation_time: 1,
        last_updated_time: 1,
        description: null,
        user_id: null,
      })
      .execute();
    await meta.db
      .insertInto("registered_model_tags")
      .values({ name: "greeting", key: "mlflow.prompt.is_prompt", value: "true" })
      .execute();
    await createWebhook(
      meta.db,
      {
        name: "prompts",
        url: receiver.url,
        events: [webhookEvent("prompt_alias", "created"), ALIAS_CREATED],
      },
      { urlPolicy: SETTINGS.urlPolicy, cipher: webhooks.cipher, now: Date.now() },
    );
    webhooks.notify({ kind: "alias_set", name: "greeting", alias: "prod", version: "1" });
    await webhooks.settled();
    expect(receiver.received.map((r) => JSON.parse(r.body).entity)).toEqual(["prompt_alias"]);
  });

  it("logs a failed delivery and a refused one instead of throwing", async () => {
    const gone = await startWebhookReceiver();
    await gone.close();
    await hook("gone", gone.url);
    await hook("refusing", receiver.url);
    receiver.answers.push({ status: 410, body: "no" });
    webhooks.notify({ kind: "alias_set", name: "m", alias: "a", version: "1" });
    await webhooks.settled();
    expect(logged.map((l) => [l.level, l.message]).sort()).toEqual([
      ["error", "webhook delivery failed"],
      ["warn", "webhook receiver refused the delivery"],
    ]);
    expect(logged.find((l) => l.level === "warn")?.details).toMatchObject({
      url: receiver.url,
      status: 410,
      event: "model_version_alias.created",
    });
  });

  it("keeps at most maxConcurrent deliveries in flight", async () => {
    const serial = new RegistryWebhooks({ db: meta.db, log, settings: { ...SETTINGS, maxConcurrent: 1 } });
    for (const name of ["a", "b", "c"]) await hook(name, `${receiver.url}/${name}`);
    receiver.answers.push(
      { status: 200, delayMs: 30 },
      { status: 200, delayMs: 30 },
      { status: 200, delayMs: 30 },
    );
    serial.notify({ kind: "alias_set", name: "m", alias: "a", version: "1" });
    await serial.settled();
    await serial.close();
    expect(receiver.received).toHaveLength(3);
    expect(receiver.peakInFlight()).toBe(1);
  });
});

describe("RegistryWebhooks.test", () => {
  it("reports the receiver's answer for the webhook's first event, as mlflow's test_webhook", async () => {
    const { webhook_id } = await hook("t", `${receiver.url}/t`);
    receiver.answers.push({ status: 418, body: "teapot" });
    expect(await webhooks.test(webhook_id)).toEqual({
      success: false,
      response_status: 418,
      response_body: "teapot",
    });
    expect(await webhooks.test(webhook_id, webhookEvent("model_version_tag", "deleted"))).toEqual({
      success: true,
      response_status: 200,
      response_body: "ok",
    });
    expect(JSON.parse(receiver.received[1]?.body ?? "{}")).toMatchObject({
      entity: "model_version_tag",
      action: "deleted",
      data: { name: "example_model", version: "1", key: "example_key" },
    });
  });

  it("tests a disabled webhook too, and turns a failure into a result with a message", async () => {
    const gone = await startWebhookReceiver();
    await gone.close();
    const { webhook_id } = await hook("down", gone.url, { status: "DISABLED" });
    const result = await webhooks.test(webhook_id);
    expect(result).toMatchObject({ success: false });
    expect(result.error_message).toMatch(/^Failed to test webhook: .*ECONNREFUSED/);
  });

  it("reports a missing webhook as mlflow does", async () => {
    await expect(webhooks.test("nope")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "Webhook with ID nope not found.",
    });
  });
});
