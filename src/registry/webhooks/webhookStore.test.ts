import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetadataDb } from "../../db/connect.js";
import { FlowOpsError } from "../../errors.js";
import { metadataBackends } from "../../../test/support/backends.js";
import { webhookEvent } from "./webhookEvents.js";
import { WebhookSecretCipher } from "./webhookSecretCipher.js";
import {
  activeWebhooksFor,
  createWebhook,
  deleteWebhook,
  encryptStoredWebhookSecrets,
  getWebhook,
  listWebhooks,
  updateWebhook,
  webhookTarget,
} from "./webhookStore.js";

const POLICY = { allowedSchemes: ["https"], allowPrivateIps: true };
const CIPHER = new WebhookSecretCipher(WebhookSecretCipher.generateKey());
const secretOf = async (db: MetadataDb["db"], id: string): Promise<string | null> => {
  const stored = (await webhookTarget(db, id)).secret;
  return stored === null ? null : CIPHER.decrypt(stored);
};
const MODEL_VERSION_CREATED = webhookEvent("model_version", "created");
const TAG_SET = webhookEvent("model_version_tag", "set");
const MODEL_CREATED = webhookEvent("registered_model", "created");

async function rejects(promise: Promise<unknown>, code: string, message?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlowOpsError);
  expect((error as FlowOpsError).code).toBe(code);
  if (message !== undefined) expect((error as FlowOpsError).message).toBe(message);
}

describe.each(metadataBackends())("webhook store on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let clock = 1_000;
  const options = () => ({ urlPolicy: POLICY, cipher: CIPHER, now: (clock += 1) });

  beforeEach(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
  });
  afterEach(async () => close());

  it("creates a webhook in mlflow's shape, events in key order, and never returns the secret", async () => {
    const created = await createWebhook(
      meta.db,
      {
        name: "ci-hook",
        url: "https://127.0.0.1:8443/hook",
        events: [MODEL_CREATED, TAG_SET, MODEL_CREATED],
        description: "tell CI",
        secret: "s3cr3t",
      },
      options(),
    );
    expect(created).toEqual({
      webhook_id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      name: "ci-hook",
      description: "tell CI",
      url: "https://127.0.0.1:8443/hook",
      events: [
        { entity: "MODEL_VERSION_TAG", action: "SET" },
        { entity: "REGISTERED_MODEL", action: "CREATED" },
      ],
      status: "ACTIVE",
      creation_timestamp: clock,
      last_updated_timestamp: clock,
    });
    expect(JSON.stringify(await getWebhook(meta.db, created.webhook_id))).not.toContain("s3cr3t");
    // Stored as a Fernet token, never in the clear.
    const row = await meta.db.selectFrom("webhooks").select("secret").executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^gAAAAA[A-Za-z0-9_-]+=*$/);
    expect(await secretOf(meta.db, created.webhook_id)).toBe("s3cr3t");
  });

  it("encrypts secrets that an earlier version stored in the clear, and leaves tokens alone", async () => {
    const { webhook_id } = await createWebhook(
      meta.db,
      { name: "old", url: "https://x.test/", events: [MODEL_CREATED], secret: "kept" },
      options(),
    );
    const token = (await webhookTarget(meta.db, webhook_id)).secret;
    await meta.db.updateTable("webhooks").set({ secret: "plain" }).execute();
    expect(await encryptStoredWebhookSecrets(meta.db, CIPHER)).toBe(1);
    expect(await secretOf(meta.db, webhook_id)).toBe("plain");
    await meta.db.updateTable("webhooks").set({ secret: token }).execute();
    expect(await encryptStoredWebhookSecrets(meta.db, CIPHER)).toBe(0);
    expect(await secretOf(meta.db, webhook_id)).toBe("kept");
  });

  it("refuses bad names, URLs and empty event lists with mlflow's messages", async () => {
    await rejects(
      createWebhook(meta.db, { name: "-bad", url: "https://x.test/", events: [MODEL_CREATED] }, options()),
      "INVALID_PARAMETER_VALUE",
      "Webhook name '-bad' is invalid. It must start and end with a letter or digit, be less than 63 characters " +
        "long, and contain only letters, digits, dots (.), underscores (_), and hyphens (-).",
    );
    await rejects(
      createWebhook(meta.db, { name: "ok", url: "http://x.test/", events: [MODEL_CREATED] }, options()),
      "INVALID_PARAMETER_VALUE",
      "Invalid webhook URL scheme: 'http'. Allowed schemes are: https.",
    );
    await rejects(
      createWebhook(meta.db, { name: "ok", url: "https://x.test/", events: [] }, options()),
      "INVALID_PARAMETER_VALUE",
      "Webhook events must be a non-empty list of WebhookEvent objects: [].",
    );
  });

  it("lists newest first in pages with mlflow's token and limits", async () => {
    for (const name of ["a", "b", "c"]) {
      await createWebhook(meta.db, { name, url: "https://x.test/", events: [MODEL_CREATED] }, options());
    }
    const first = await listWebhooks(meta.db, { max_results: 2 });
    expect(first.webhooks.map((w) => w.name)).toEqual(["c", "b"]);
    expect(first.nextPageToken).toBeDefined();
    const second = await listWebhooks(meta.db, { max_results: 2, page_token: first.nextPageToken });
    expect(second.webhooks.map((w) => w.name)).toEqual(["a"]);
    expect(second.nextPageToken).toBeUndefined();
    // `max_results or 100`: zero is the default, not an error.
    expect((await listWebhooks(meta.db, { max_results: 0 })).webhooks).toHaveLength(3);
    await rejects(
      listWebhooks(meta.db, { max_results: 1001 }),
      "INVALID_PARAMETER_VALUE",
      "max_results must be between 1 and 1000.",
    );
    await rejects(listWebhooks(meta.db, { page_token: "zzz" }), "INVALID_PARAMETER_VALUE");
  });

  it("updates only the fields given, replacing events and clearing a description set to empty", async () => {
    const { webhook_id } = await createWebhook(
      meta.db,
      { name: "hook", url: "https://x.test/", events: [MODEL_CREATED], description: "d", secret: "one" },
      options(),
    );
    const updated = await updateWebhook(
      meta.db,
      webhook_id,
      { description: "", status: "DISABLED", events: [MODEL_VERSION_CREATED], secret: "two" },
      options(),
    );
    expect(updated).toMatchObject({
      name: "hook",
      url: "https://x.test/",
      status: "DISABLED",
      events: [{ entity: "MODEL_VERSION", action: "CREATED" }],
      last_updated_timestamp: clock,
    });
    expect(updated).not.toHaveProperty("description");
    expect(await secretOf(meta.db, webhook_id)).toBe("two");
    await rejects(
      updateWebhook(meta.db, webhook_id, { url: "ftp://x.test/" }, options()),
      "INVALID_PARAMETER_VALUE",
    );
    await rejects(
      updateWebhook(meta.db, "missing", { name: "x" }, options()),
      "RESOURCE_DOES_NOT_EXIST",
      "Webhook with ID missing not found.",
    );
  });

  it("soft-deletes: a deleted webhook is gone from get, list, delivery and a second delete", async () => {
    const { webhook_id } = await createWebhook(
      meta.db,
      { name: "hook", url: "https://x.test/", events: [MODEL_CREATED], secret: "s" },
      options(),
    );
    await deleteWebhook(meta.db, webhook_id, clock);
    await rejects(getWebhook(meta.db, webhook_id), "RESOURCE_DOES_NOT_EXIST");
    expect((await listWebhooks(meta.db, {})).webhooks).toEqual([]);
    expect(await activeWebhooksFor(meta.db, MODEL_CREATED)).toEqual([]);
    await rejects(deleteWebhook(meta.db, webhook_id, clock), "RESOURCE_DOES_NOT_EXIST");
    const row = await meta.db.selectFrom("webhooks").select("secret").executeTakeFirstOrThrow();
    expect(row.secret).toBeNull();
  });

  it("finds the active webhooks of an event, with their secrets, for delivery", async () => {
    const subscribed = await createWebhook(
      meta.db,
      { name: "on", url: "https://x.test/on", events: [TAG_SET, MODEL_CREATED], secret: "k" },
      options(),
    );
    await createWebhook(
      meta.db,
      { name: "off", url: "https://x.test/off", events: [TAG_SET], status: "DISABLED" },
      options(),
    );
    await createWebhook(
      meta.db,
      { name: "other", url: "https://x.test/other", events: [MODEL_CREATED] },
      options(),
    );
    const active = await activeWebhooksFor(meta.db, TAG_SET);
    expect(active).toEqual([
      {
        webhook_id: subscribed.webhook_id,
        url: "https://x.test/on",
        secret: expect.any(String) as unknown,
        events: [TAG_SET],
      },
    ]);
    expect(CIPHER.decrypt(active[0]?.secret ?? "")).toBe("k");
  });
});
