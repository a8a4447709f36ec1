import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Webhook, WebhookTestResult } from "../../registry/webhooks/webhook.js";
import { DEFAULT_WEBHOOK_DELIVERY } from "../../registry/webhooks/webhookSettings.js";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../../test/support/webhookReceiver.js";

interface WireBody {
  error_code?: string;
  message?: string;
  webhook?: Webhook;
  webhooks?: Webhook[];
  next_page_token?: string;
  result?: WebhookTestResult;
}

let server: TestServer;
let receiver: WebhookReceiver;

const call = (method: string, path: string, body?: object) =>
  callMlflowApi<WireBody>(server, method, path, body, { queryForDelete: true });

const EVENTS = [
  { entity: "REGISTERED_MODEL", action: "CREATED" },
  { entity: "MODEL_VERSION_TAG", action: "SET" },
];

beforeAll(async () => {
  server = await startTestServer({
    // What MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https and MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true give.
    config: {
      webhooks: {
        ...DEFAULT_WEBHOOK_DELIVERY,
        urlPolicy: { allowedSchemes: ["http", "https"], allowPrivateIps: true },
        backoffMs: 5,
      },
    },
  });
});
afterAll(async () => server.close());
afterEach(async () => receiver?.close());

describe("webhook routes", () => {
  it("create, get, list, update and delete speak webhooks.proto's JSON", async () => {
    receiver = await startWebhookReceiver();
    const created = await call("POST", "webhooks", {
      name: "ci",
      url: `${receiver.url}/ci`,
      events: EVENTS,
      description: "notify CI",
      secret: "s3cr3t",
    });
    expect(created.status).toBe(200);
    const webhook = created.json.webhook as Webhook;
    expect(webhook).toMatchObject({
      name: "ci",
      description: "notify CI",
      events: [
        { entity: "MODEL_VERSION_TAG", action: "SET" },
        { entity: "REGISTERED_MODEL", action: "CREATED" },
      ],
      status: "ACTIVE",
    });
    expect(JSON.stringify(created.json)).not.toContain("s3cr3t");

    const id = webhook.webhook_id;
    expect((await call("GET", `webhooks/${id}`)).json.webhook).toEqual(webhook);
    const ajax = await fetch(`${server.url}/ajax-api/2.0/mlflow/webhooks/${id}`);
    expect(ajax.status).toBe(200);

    // Enum numbers are accepted as protobuf's parser accepts them: MODEL_VERSION (2), CREATED (1), DISABLED (2).
    await call("POST", "webhooks", {
      name: "second",
      url: receiver.url,
      events: [{ entity: 2, action: 1 }],
      status: 2,
    });
    const page = await call("GET", "webhooks", { max_results: "1" });
    expect(page.json.webhooks?.map((w) => [w.name, w.status])).toEqual([["second", "DISABLED"]]);
    expect(page.json.next_page_token).toBeDefined();
    const rest = await call("GET", "webhooks", {
      max_results: "1",
      page_token: page.json.next_page_token ?? "",
    });
    expect(rest.json.webhooks?.map((w) => w.name)).toContain("ci");
    // mlflow 3.17.2's token text (Python's json.dumps spacing) and its reading of odd tokens.
    expect(page.json.next_page_token).toBe(Buffer.from('{"offset": 1}').toString("base64"));
    const odd = async (text: string) =>
      call("GET", "webhooks", { max_results: "1", page_token: Buffer.from(text).toString("base64") });
    const fromStart = await odd('{"offset": -1}');
    expect([fromStart.json.webhooks?.map((w) => w.name), fromStart.json.next_page_token]).toEqual([
      ["second"],
      Buffer.from('{"offset": 0}').toString("base64"),
    ]);
    expect((await odd('{"offset": "1"}')).json.webhooks?.map((w) => w.name)).toEqual(["ci"]);
    expect((await odd('{"offset": 0}')).json.message).toBe("Invalid page token, parsed value={'offset': 0}");
    expect((await call("GET", "webhooks", { page_token: "!!!" })).json.message).toBe(
      "Invalid page token, decoded value=b''",
    );

    const updated = await call("PATCH", `webhooks/${id}`, {
      name: "",
      description: "",
      status: "DISABLED",
      events: [],
    });
    expect(updated.json.webhook).toMatchObject({ name: "ci", status: "DISABLED", events: webhook.events });
    expect(updated.json.webhook).not.toHaveProperty("description");

    expect(await call("DELETE", `webhooks/${id}`)).toEqual({ status: 200, json: {} });
    expect(await call("GET", `webhooks/${id}`)).toEqual({
      status: 404,
      json: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: `Webhook with ID ${id} not found.`,
      },
    });
  });

  it("refuses bad requests with INVALID_PARAMETER_VALUE where mlflow answers 400 or, for bad enums, 500", async () => {
    const bad = async (body: object) => call("POST", "webhooks", body);
    expect(await bad({ url: "http://x.test", events: EVENTS })).toMatchObject({
      status: 400,
      json: {
        message:
          "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
      },
    });
    expect(
      (
        await bad({
          name: "x",
          url: "http://x.test",
          events: [{ entity: "MODEL_VERSION", action: "DELETED" }],
        })
      ).json,
    ).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message: "Invalid action 'deleted' for entity 'model_version'. Valid actions are: ['created']",
    });
    for (const event of [
      { entity: "NOPE", action: "CREATED" },
      { entity: "ENTITY_UNSPECIFIED", action: "CREATED" },
    ]) {
      expect((await bad({ name: "x", url: "http://x.test", events: [event] })).status).toBe(400);
    }
    expect((await bad({ name: "x", url: "http://x.test", events: EVENTS, status: "PAUSED" })).status).toBe(
      400,
    );
    expect((await call("GET", "webhooks", { max_results: "1001" })).json.message).toBe(
      "max_results must be between 1 and 1000.",
    );
  });

  it("test_webhook reports the receiver's answer, or the failure, as WebhookTestResult", async () => {
    receiver = await startWebhookReceiver();
    const { webhook } = (
      await call("POST", "webhooks", { name: "t", url: receiver.url, events: EVENTS, secret: "k" })
    ).json;
    receiver.answers.push({ status: 418, body: "teapot" });
    expect((await call("POST", `webhooks/${webhook?.webhook_id}/test`, {})).json).toEqual({
      result: { success: false, response_status: 418, response_body: "teapot" },
    });
    const chosen = await call("POST", `webhooks/${webhook?.webhook_id}/test`, {
      event: { entity: "MODEL_VERSION_ALIAS", action: "DELETED" },
    });
    expect(chosen.json.result).toEqual({ success: true, response_status: 200, response_body: "ok" });
    const [first, second] = await receiver.waitFor(2);
    // Without an event, the first of the webhook's events in mlflow's order.
    expect(JSON.parse(first?.body ?? "{}")).toMatchObject({ entity: "model_version_tag", action: "set" });
    expect(JSON.parse(second?.body ?? "{}")).toMatchObject({
      entity: "model_version_alias",
      action: "deleted",
    });
    expect(second?.headers["x-mlflow-signature"]).toMatch(/^v1,/);
    expect((await call("POST", "webhooks/missing/test", {})).status).toBe(404);
  });

  it("delivers a registry event after the request, without waiting for a slow receiver", async () => {
    receiver = await startWebhookReceiver();
    await call("POST", "webhooks", { name: "slow", url: `${receiver.url}/slow`, events: EVENTS });
    receiver.answers.push({ status: 200, delayMs: 1500 });
    const started = Date.now();
    const created = await call("POST", "registered-models/create", {
      name: "webhooked",
      tags: [{ key: "team", value: "risk" }],
    });
    expect(created.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    const [delivered] = await receiver.waitFor(1);
    expect(JSON.parse(delivered?.body ?? "{}")).toMatchObject({
      entity: "registered_model",
      action: "created",
      data: { name: "webhooked", tags: { team: "risk" }, description: "" },
    });
  });

  it("answers a registry request normally when its webhook delivery fails", async () => {
    const gone = await startWebhookReceiver();
    await gone.close();
    await call("POST", "webhooks", { name: "broken", url: gone.url, events: EVENTS });
    expect((await call("POST", "registered-models/create", { name: "still-created" })).status).toBe(200);
    expect((await call("GET", "registered-models/get", { name: "still-created" })).status).toBe(200);
  });
});
