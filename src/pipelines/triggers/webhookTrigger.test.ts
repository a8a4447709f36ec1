/**
 * Malformed requests to the webhook listener of `flowops pipeline trigger --webhook`: each is answered in
 * MLflow's `{"error_code", "message"}` shape with the tracking server's status, no pipeline runs, and the
 * listener keeps serving.
 */
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendRaw, type RawHttpAnswer } from "../../../test/support/rawHttp.js";
import { NOT_FOUND_PAGE } from "../../server/werkzeugErrorPages.js";
import { TriggerRunner } from "./triggerRunner.js";
import type { TriggerLog, TriggerRecord } from "./triggerLog.js";
import { startWebhookListener, type WebhookListener } from "./webhookTrigger.js";

const TRIGGER = "/api/v1/pipelines/train/trigger";
let listener: WebhookListener;
const runs: string[] = [];

beforeAll(async () => {
  const records: TriggerRecord[] = [];
  const log: TriggerLog = { append: async (r) => void records.push(r), list: async () => records };
  const runner = new TriggerRunner({
    pipeline: "train",
    log,
    runPipeline: async (reason) => {
      runs.push(reason);
      return { ok: true };
    },
  });
  listener = await startWebhookListener({
    targets: { runnerFor: (name) => (name === "train" ? runner : undefined) },
    host: "127.0.0.1",
    port: 0,
  });
});
afterAll(async () => {
  await listener.close();
});

function send(method: string, path: string, body?: Buffer, agent?: Agent): Promise<RawHttpAnswer> {
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
  return sendRaw(new URL(listener.url), { method, path, headers, body }, agent ? { agent } : {});
}

const json = (answer: RawHttpAnswer): unknown => JSON.parse(answer.body.toString("utf8"));

describe("webhook listener with malformed requests", () => {
  it("answers a path with broken percent-encoding with the tracking server's 404", async () => {
    const answer = await send("POST", "/api/v1/pipelines/%ZZ/trigger", Buffer.from("{}"));
    expect(answer.status).toBe(404);
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(answer.body.toString("utf8")).toBe(NOT_FOUND_PAGE);
  });

  it("answers a URL over 16 KiB with a 431 in MLflow's shape, closes that connection and keeps serving", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const long = await send("POST", `${TRIGGER}?x=${"x".repeat(20_000)}`, Buffer.from("{}"), agent);
      expect(long.status).toBe(431);
      expect(long.headers.connection).toBe("close");
      expect(json(long)).toMatchObject({ error_code: "REQUEST_LIMIT_EXCEEDED" });
      const health = await send("GET", "/health", undefined, agent);
      expect(health.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it("refuses a body that is not UTF-8", async () => {
    const body = Buffer.concat([Buffer.from('{"reason":"a'), Buffer.from([0xff]), Buffer.from('"}')]);
    const answer = await send("POST", TRIGGER, body);
    expect(answer.status).toBe(400);
    expect(json(answer)).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Request body is not valid UTF-8.",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
    });
  });

  it("answers a reason nested 5000 deep with a 400 that names the field", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const answer = await send("POST", TRIGGER, Buffer.from(`{"reason":${deep}}`));
    expect(answer.status).toBe(400);
    expect(json(answer)).toMatchObject({
      error_code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("'reason'") as unknown,
    });
  });

  it("ran no pipeline for any of them", () => {
    expect(runs).toEqual([]);
  });
});
