import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqliteBackend } from "../../../test/support/backends.js";
import { FlowOpsClient } from "../../client/index.js";
import type { DeploymentStatus } from "../../delivery/deployments/deploymentStatus.js";
import type { DeploymentRecord } from "../../delivery/deployments/deploymentStore.js";
import { FlowOpsError } from "../../errors.js";
import { parseRetrainingConfig } from "../../monitoring/retraining/retrainingConfig.js";
import { RetrainingLoop } from "../../monitoring/retraining/retrainingLoop.js";
import { RetrainingRunStore } from "../../monitoring/retraining/retrainingRunStore.js";
import { buildServer } from "../app.js";
import type { ServerContext } from "../context.js";

const CONFIG = parseRetrainingConfig(
  `retraining:
  churn:
    pipeline: {dir: /pipelines/churn}
    model: {name: churn, path: model.onnx}
    triggers: {drift: {consecutiveWindows: 3}}
`,
  "/etc/flowops/retraining.yaml",
);

let db: Awaited<ReturnType<typeof sqliteBackend.open>>;
let app: FastifyInstance;
let loop: RetrainingLoop;
let client: FlowOpsClient;
let release: () => void;

beforeEach(async () => {
  db = await sqliteBackend.open();
  const held = new Promise<void>((resolve) => (release = resolve));
  loop = new RetrainingLoop({
    config: CONFIG,
    delivery: {
      status: async () => ({ stable: "models:/churn/1" }) as DeploymentStatus,
      deploy: async () => ({}) as DeploymentStatus,
    },
    deployments: {
      feedbackCount: async () => 7,
      get: async () => ({ state: { revision: 1 } }) as DeploymentRecord,
    },
    client: () => client,
    runs: new RetrainingRunStore(db.meta),
    log: () => undefined,
    runPipeline: async () => {
      await held;
      return { ok: false, parentRunId: "run-1", message: "stage 'train' failed" };
    },
  });
  const ctx: ServerContext = {
    config: {
      host: "127.0.0.1",
      port: 0,
      backendStoreUri: db.uri,
      defaultArtifactRoot: "mlflow-artifacts:/",
      artifactsDestination: "/nonexistent",
      serveArtifacts: true,
      bodyLimit: 1024 * 1024,
    },
    meta: db.meta,
    now: () => Date.now(),
    retraining: loop,
  };
  app = await buildServer(ctx, { logger: false });
  client = new FlowOpsClient({ trackingUri: await app.listen({ host: "127.0.0.1", port: 0 }) });
});

afterEach(async () => {
  release();
  await loop.close();
  await app.close();
  await db.close();
});

describe("retraining routes", () => {
  it("starts a retraining by hand and lists it, linked to its pipeline run, once it ends", async () => {
    const started = await client.retraining.trigger("churn", { reason: "new data loaded" });
    expect(started).toMatchObject({
      endpoint: "churn",
      trigger_kind: "manual",
      trigger_details: { reason: "new data loaded", feedbackTotal: 7 },
      status: "running",
    });
    release();
    await loop.idle();
    const [listed] = await client.retraining.runs({ endpoint: "churn" });
    expect(listed).toMatchObject({
      id: started.id,
      status: "pipeline_failed",
      pipeline_run_id: "run-1",
      message: "stage 'train' failed",
    });
    expect(await client.retraining.runs({ endpoint: "fraud" })).toEqual([]);
  });

  it("refuses a second trigger while the endpoint is retraining", async () => {
    await client.retraining.trigger("churn");
    const error = await client.retraining.trigger("churn").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("INVALID_STATE");
    expect((error as FlowOpsError).message).toMatch(/already retraining/);
  });

  it("answers 404 for an endpoint without retraining configured", async () => {
    const response = await fetch(`${client.trackingUri}/api/v1/retraining/fraud/trigger`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error_code: string }).error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });
});
