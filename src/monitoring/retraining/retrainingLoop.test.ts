import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqliteBackend } from "../../../test/support/backends.js";
import { FlowOpsClient } from "../../client/index.js";
import type { DeploymentStatus } from "../../delivery/deployments/deploymentStatus.js";
import type { DeploymentRecord } from "../../delivery/deployments/deploymentStore.js";
import { parseRetrainingConfig } from "./retrainingConfig.js";
import { RetrainingLoop, type RetrainingLoopOptions } from "./retrainingLoop.js";
import type { PipelineRunOutcome } from "./retrainingPipeline.js";
import { RetrainingRunStore } from "./retrainingRunStore.js";

const CONFIG = parseRetrainingConfig(
  `retraining:
  churn:
    pipeline: {dir: /pipelines/churn, targets: [train]}
    model: {name: churn, path: model.onnx}
    triggers:
      drift: {consecutiveWindows: 3}
      labels: {minSamples: 100}
      schedule: {every: 1h}
    cooldown: 10m
`,
  "/etc/flowops/retraining.yaml",
);

let db: Awaited<ReturnType<typeof sqliteBackend.open>>;
let store: RetrainingRunStore;
let clock: number;
let labels: number;
let pipelineCalls: { dir: string; env: NodeJS.ProcessEnv; targets?: readonly string[]; experiment: string }[];
let pipelineGate: Promise<void>;
let loop: RetrainingLoop;

beforeEach(async () => {
  db = await sqliteBackend.open();
  store = new RetrainingRunStore(db.meta);
  clock = 1_000_000;
  labels = 0;
  pipelineCalls = [];
  pipelineGate = Promise.resolve();
  loop = makeLoop();
});

afterEach(async () => {
  await loop.close();
  await db.close();
});

function makeLoop(overrides: Partial<RetrainingLoopOptions> = {}): RetrainingLoop {
  return new RetrainingLoop({
    config: CONFIG,
    delivery: {
      status: async () => ({ stable: "models:/churn/1" }) as DeploymentStatus,
      deploy: async () => {
        throw new Error("no deploy expected in these tests");
      },
    },
    deployments: {
      feedbackCount: async () => labels,
      get: async () => ({ state: { revision: 1 } }) as DeploymentRecord,
    },
    client: new FlowOpsClient({ trackingUri: "http://127.0.0.1:9" }),
    runs: store,
    now: () => clock,
    log: () => undefined,
    env: { PATH: "/usr/bin" },
    runPipeline: async (dir, env, request): Promise<PipelineRunOutcome> => {
      pipelineCalls.push({
        dir,
        env,
        experiment: request.experiment,
        ...(request.targets ? { targets: request.targets } : {}),
      });
      await pipelineGate;
      return { ok: false, message: "stage 'train': exited with code 1" };
    },
    ...overrides,
  });
}

describe("RetrainingLoop triggers", () => {
  it("retrains on drift only once the endpoint has drifted for the configured number of windows", async () => {
    expect(await loop.onDrift("churn", 2)).toBeUndefined();
    const id = await loop.onDrift("churn", 3);
    expect(id).toBeDefined();
    await loop.idle();
    const run = await store.get(id ?? -1);
    expect(run).toMatchObject({
      endpoint: "churn",
      triggerKind: "drift",
      triggerDetails: { consecutiveWindows: 3, feedbackTotal: 0 },
      status: "pipeline_failed",
      message: "stage 'train': exited with code 1",
      finishedAt: clock,
    });
  });

  it("runs the pipeline from the endpoint's stable model, in the endpoint's experiment, with its targets", async () => {
    await loop.trigger("churn", "manual", { reason: "test" });
    await loop.idle();
    expect(pipelineCalls).toHaveLength(1);
    const [call] = pipelineCalls;
    expect(call?.dir).toBe("/pipelines/churn");
    expect(call?.targets).toEqual(["train"]);
    expect(call?.experiment).toBe("retraining-churn");
    expect(call?.env.FLOWOPS_BASE_MODEL_URI).toBe("models:/churn/1");
    expect(call?.env.MLFLOW_TRACKING_URI).toBe("http://127.0.0.1:9");
    expect(call?.env.PATH).toBe("/usr/bin");
  });

  it("ignores drift on an endpoint without retraining configured", async () => {
    expect(await loop.onDrift("fraud", 10)).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it("waits out the cooldown after a retraining before drift triggers another", async () => {
    await loop.onDrift("churn", 3);
    await loop.idle();
    clock += 5 * 60_000;
    expect(await loop.onDrift("churn", 4)).toBeUndefined();
    clock += 6 * 60_000;
    expect(await loop.onDrift("churn", 5)).toBeDefined();
    await loop.idle();
    expect((await store.list({ endpoint: "churn" })).map((r) => r.triggerDetails.consecutiveWindows)).toEqual(
      [5, 3],
    );
  });

  it("runs one retraining per endpoint at a time and refuses a manual trigger meanwhile", async () => {
    let release = (): void => undefined;
    pipelineGate = new Promise((resolve) => (release = resolve));
    await loop.trigger("churn", "manual", { reason: "first" });
    expect(loop.isRunning("churn")).toBe(true);
    expect(await loop.onDrift("churn", 3)).toBeUndefined();
    await expect(loop.trigger("churn", "manual", { reason: "second" })).rejects.toThrow(
      /Endpoint 'churn' is already retraining/,
    );
    release();
    await loop.idle();
    expect(loop.isRunning("churn")).toBe(false);
    expect(await store.list()).toHaveLength(1);
  });

  it("refuses a manual trigger for an endpoint it has no configuration for, naming the configured ones", async () => {
    await expect(loop.trigger("fraud", "manual", { reason: "x" })).rejects.toThrow(
      /Endpoint 'fraud' has no retraining configured \(configured: churn\)/,
    );
  });

  it("counts labels since the last retraining and retrains when enough have arrived", async () => {
    labels = 99;
    await loop.tickOnce();
    expect(await store.list()).toHaveLength(0);
    labels = 100;
    await loop.tickOnce();
    await loop.idle();
    const [first] = await store.list();
    expect(first).toMatchObject({
      triggerKind: "labels",
      triggerDetails: { newLabels: 100, feedbackTotal: 100 },
    });
    clock += 11 * 60_000;
    labels = 150;
    await loop.tickOnce();
    expect(await store.list()).toHaveLength(1);
    labels = 200;
    await loop.tickOnce();
    await loop.idle();
    expect((await store.list())[0]).toMatchObject({
      triggerKind: "labels",
      triggerDetails: { newLabels: 100 },
    });
  });

  it("retrains on schedule once the interval has passed since the last retraining", async () => {
    clock += 59 * 60_000;
    await loop.tickOnce();
    expect(await store.list()).toHaveLength(0);
    clock += 60_000;
    await loop.tickOnce();
    await loop.idle();
    expect((await store.list())[0]).toMatchObject({ triggerKind: "schedule", status: "pipeline_failed" });
  });

  it("records a retraining that could not read the endpoint's deployment as failed, naming the step", async () => {
    loop = makeLoop({
      delivery: {
        status: async () => {
          throw new Error("Deployment 'churn' does not exist.");
        },
        deploy: async () => ({}) as DeploymentStatus,
      },
    });
    const id = await loop.trigger("churn", "manual", { reason: "x" });
    await loop.idle();
    expect(await store.get(id)).toMatchObject({
      status: "failed",
      message: "reading the deployment: Deployment 'churn' does not exist.",
    });
  });

  it("marks retrainings a stopped server left running as interrupted when it starts", async () => {
    const stale = await store.create({
      endpoint: "churn",
      triggerKind: "drift",
      triggerDetails: { reason: "x" },
      startedAt: 1,
    });
    await loop.start();
    expect(await store.get(stale.id)).toMatchObject({ status: "interrupted", finishedAt: clock });
  });
});
