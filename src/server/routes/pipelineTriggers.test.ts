import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";
import type { TriggerLog, TriggerRecord } from "../../pipelines/triggers/triggerLog.js";
import { TriggerRunner } from "../../pipelines/triggers/triggerRunner.js";
import { startWebhookListener, type WebhookListener } from "../../pipelines/triggers/webhookTrigger.js";
import { TRIGGER_SECRET_HEADER } from "./pipelineTriggers.js";

interface Answer {
  status: number;
  body: { trigger?: TriggerRecord; error_code?: string; message?: string };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

describe("pipeline webhook trigger", () => {
  let listener: WebhookListener | undefined;
  const records: TriggerRecord[] = [];
  const log: TriggerLog = {
    append: async (r) => void records.push(r),
    list: async () => records,
  };
  let finish: (value: { ok: boolean; runId?: string }) => void = () => undefined;
  const reasons: string[] = [];
  const runner = new TriggerRunner({
    pipeline: "train",
    log,
    runPipeline: (reason) => {
      reasons.push(reason);
      return new Promise((resolve) => (finish = resolve));
    },
  });

  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  const listen = async (secret?: string) => {
    listener = await startWebhookListener({
      targets: { runnerFor: (name) => (name === "train" ? runner : undefined), secret },
      host: "127.0.0.1",
      port: 0,
    });
    return `${listener.url}/api/v1/pipelines`;
  };

  it("accepts a trigger with 202, runs the pipeline and records the outcome", async () => {
    const base = await listen();
    const answer = await post(`${base}/train/trigger`, { reason: "new labels" });
    expect(answer.status).toBe(202);
    expect(answer.body.trigger).toMatchObject({
      pipeline: "train",
      kind: "webhook",
      reason: "new labels",
      outcome: "running",
    });
    // A second call while the first run is in progress is recorded as skipped.
    const second = await post(`${base}/train/trigger`, {});
    expect(second.status).toBe(200);
    expect(second.body.trigger?.outcome).toBe("skipped");
    finish({ ok: true, runId: "run-9" });
    await expect.poll(() => records.at(-1)?.outcome).toBe("succeeded");
    expect(records.at(-1)).toMatchObject({ id: answer.body.trigger?.id, run_id: "run-9" });
    expect(reasons).toEqual(["new labels"]);
  });

  it("answers an unknown pipeline with 404", async () => {
    const base = await listen();
    const answer = await post(`${base}/other/trigger`, {});
    expect(answer.status).toBe(404);
    expect(answer.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("refuses a request without the shared secret, or with a wrong one", async () => {
    const base = await listen("s3cret");
    expect((await post(`${base}/train/trigger`, {})).status).toBe(401);
    const wrong = await post(`${base}/train/trigger`, {}, { [TRIGGER_SECRET_HEADER]: "guess" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_code).toBe("UNAUTHENTICATED");
    const right = await post(`${base}/train/trigger`, {}, { [TRIGGER_SECRET_HEADER]: "s3cret" });
    expect(right.status).toBe(202);
    finish({ ok: false });
    await expect.poll(() => records.at(-1)?.outcome).toBe("failed");
  });
});

describe("pipeline webhook on the tracking server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("serves no pipelines unless it was given some", async () => {
    const answer = await post(`${server.url}/api/v1/pipelines/train/trigger`, {});
    expect(answer.status).toBe(404);
    expect(answer.body.message).toMatch(/flowops pipeline trigger --webhook/);
  });
});
