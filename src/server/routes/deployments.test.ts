import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sqliteBackend } from "../../../test/support/backends.js";
import { FlowOpsClient } from "../../client/index.js";
import type { DeliveryController, DeploymentStatus } from "../../delivery/deployments/deliveryController.js";
import type { InferMeta } from "../../delivery/routing/endpointRegistry.js";
import { FlowOpsError } from "../../errors.js";
import type { PredictRequest } from "../../serving/payloads/modelInput.js";
import type { LoadedModel } from "../../serving/runtime.js";
import { buildServer } from "../app.js";
import type { ServerContext } from "../context.js";

function statusOf(name: string, overrides: Partial<DeploymentStatus> = {}): DeploymentStatus {
  return {
    name,
    phase: "Healthy",
    strategy: "canary",
    stable: "models:/churn/3",
    weights: [{ model: "models:/churn/3", weight: 100 }],
    stepIndex: 0,
    steps: 5,
    analyses: [],
    createdAt: 1,
    updatedAt: 2,
    ...overrides,
  };
}

interface Call {
  method: string;
  args: unknown[];
}

/** The controller methods the routes call, recording each call; "missing" is an unknown endpoint. */
function fakeDelivery(
  calls: Call[],
  inferCalls: { endpoint: string; request: PredictRequest; meta: InferMeta }[],
) {
  const record =
    (method: string, answer: (...args: never[]) => unknown) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      if (
        args[0] === "missing" ||
        (method === "create" && (args[0] as { name: string }).name === "missing")
      ) {
        throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", "Deployment 'missing' does not exist.");
      }
      return (answer as (...a: unknown[]) => unknown)(...args);
    };
  const model: Pick<LoadedModel, "name" | "version"> = { name: "churn", version: "4" };
  return {
    list: record("list", () => [statusOf("churn")]),
    create: record("create", (input: { name: string; modelUri: string }) =>
      statusOf(input.name, { stable: input.modelUri }),
    ),
    status: record("status", (name: string) => statusOf(name)),
    remove: record("remove", () => undefined),
    deploy: record("deploy", (name: string, uri: string) =>
      statusOf(name, { phase: "Progressing", candidate: uri }),
    ),
    promote: record("promote", (name: string) => statusOf(name, { phase: "Progressing" })),
    abort: record("abort", (name: string, reason?: string) =>
      statusOf(name, { phase: "Degraded", ...(reason !== undefined ? { abortedReason: reason } : {}) }),
    ),
    retry: record("retry", (name: string) => statusOf(name, { phase: "Progressing" })),
    undo: record("undo", (name: string) => statusOf(name, { phase: "Progressing" })),
    events: record("events", () => [
      { id: 7, deployment: "churn", at: 5, kind: "StepCompleted", details: "step 1" },
    ]),
    feedback: record("feedback", (requestId: string) =>
      requestId === "known" ? { matched: true, endpoint: "churn", correct: true } : { matched: false },
    ),
    registry: {
      async infer(endpoint: string, request: PredictRequest, meta: InferMeta) {
        inferCalls.push({ endpoint, request, meta });
        if (endpoint === "missing") {
          throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", "endpoint 'missing' does not exist");
        }
        return {
          outputs: [{ name: "label", datatype: "INT64", shape: [1], data: new BigInt64Array([1n]) }],
          model,
          modelKey: meta.preview === true ? "models:/churn/4" : "models:/churn/3",
          variant: meta.preview === true ? "candidate" : "stable",
        };
      },
    },
  };
}

describe("deployment and endpoint routes", () => {
  const calls: Call[] = [];
  const inferCalls: { endpoint: string; request: PredictRequest; meta: InferMeta }[] = [];
  let app: FastifyInstance;
  let client: FlowOpsClient;
  let closeDb: () => Promise<void>;

  beforeAll(async () => {
    const opened = await sqliteBackend.open();
    closeDb = opened.close;
    const ctx: ServerContext = {
      config: {
        host: "127.0.0.1",
        port: 0,
        backendStoreUri: opened.uri,
        defaultArtifactRoot: "mlflow-artifacts:/",
        artifactsDestination: "unused",
        serveArtifacts: false,
        bodyLimit: 1024 * 1024,
      },
      meta: opened.meta,
      now: () => 1000,
      delivery: fakeDelivery(calls, inferCalls) as unknown as DeliveryController,
    };
    app = await buildServer(ctx, { logger: false });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    client = new FlowOpsClient({ trackingUri: url, retries: 0 });
  });
  afterAll(async () => {
    await app.close();
    await closeDb();
  });
  beforeEach(() => {
    calls.length = 0;
    inferCalls.length = 0;
  });

  it("creates a deployment with the rollout, templates and webhooks given", async () => {
    const status = await client.deployments.create({
      name: "churn",
      modelUri: "models:/churn/3",
      strategy: "blue-green",
      rolloutYaml: "strategy: {}",
      rolloutFile: "rollout.yaml",
      analysisTemplates: [{ yaml: "kind: AnalysisTemplate", file: "errors.yaml" }],
      webhooks: ["http://hooks.example/flowops"],
    });
    expect(status).toMatchObject({ name: "churn", stable: "models:/churn/3" });
    expect(calls).toEqual([
      {
        method: "create",
        args: [
          {
            name: "churn",
            modelUri: "models:/churn/3",
            strategy: "blue-green",
            specYaml: "strategy: {}",
            specFile: "rollout.yaml",
            templates: [{ yaml: "kind: AnalysisTemplate", file: "errors.yaml" }],
            webhooks: ["http://hooks.example/flowops"],
          },
        ],
      },
    ]);
  });

  it("rejects a create without a model uri, naming the field", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/deployments",
      payload: { name: "churn" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error_code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("'model_uri'"),
    });
    expect(calls).toEqual([]);
  });

  it("rejects a strategy the controller does not know", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/deployments",
      payload: { name: "churn", model_uri: "models:/churn/3", strategy: "linear" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain("'strategy'");
  });

  it("passes each rollout command to the controller with its arguments", async () => {
    expect((await client.deployments.deploy("churn", "models:/churn/4")).candidate).toBe("models:/churn/4");
    await client.deployments.promote("churn", { full: true });
    expect((await client.deployments.abort("churn", { reason: "tickets" })).abortedReason).toBe("tickets");
    await client.deployments.retry("churn");
    await client.deployments.undo("churn");
    await client.deployments.remove("churn");
    expect(calls).toEqual([
      { method: "deploy", args: ["churn", "models:/churn/4"] },
      { method: "promote", args: ["churn", true] },
      { method: "abort", args: ["churn", "tickets"] },
      { method: "retry", args: ["churn"] },
      { method: "undo", args: ["churn"] },
      { method: "remove", args: ["churn"] },
    ]);
  });

  it("passes a new rollout spec, templates and webhooks given with a deploy to the controller", async () => {
    await client.deployments.deploy("churn", "models:/churn/5", {
      rolloutYaml: "strategy: {blueGreen: {}}",
      rolloutFile: "blue-green.yaml",
      analysisTemplates: [{ yaml: "kind: AnalysisTemplate", file: "errors.yaml" }],
      webhooks: ["http://hooks.example/flowops"],
    });
    await client.deployments.deploy("churn", "models:/churn/6", { strategy: "shadow" });
    expect(calls).toEqual([
      {
        method: "deploy",
        args: [
          "churn",
          "models:/churn/5",
          {
            specYaml: "strategy: {blueGreen: {}}",
            specFile: "blue-green.yaml",
            templates: [{ yaml: "kind: AnalysisTemplate", file: "errors.yaml" }],
            webhooks: ["http://hooks.example/flowops"],
          },
        ],
      },
      { method: "deploy", args: ["churn", "models:/churn/6", { strategy: "shadow" }] },
    ]);
  });

  it("rejects a deploy whose templates lack their file, naming the field", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/deployments/churn/deploy",
      payload: { model_uri: "models:/churn/5", analysis_templates: [{ yaml: "kind: AnalysisTemplate" }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain("analysis_templates");
    expect(calls).toEqual([]);
  });

  it("reads status, the list and events after an id", async () => {
    expect((await client.deployments.status("churn")).phase).toBe("Healthy");
    expect((await client.deployments.list()).map((d) => d.name)).toEqual(["churn"]);
    expect(await client.deployments.events("churn", { afterId: 6 })).toEqual([
      { id: 7, deployment: "churn", at: 5, kind: "StepCompleted", details: "step 1" },
    ]);
    expect(calls.at(-1)).toEqual({ method: "events", args: ["churn", 6] });
  });

  it("answers 404 with the controller's error for an unknown deployment", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/deployments/missing" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: "Deployment 'missing' does not exist.",
    });
  });

  it("matches one label, and a batch in order", async () => {
    const one = await app.inject({
      method: "POST",
      url: "/api/v1/feedback",
      payload: { request_id: "known", label: 1 },
    });
    expect(one.json()).toEqual({ matched: true, endpoint: "churn", correct: true });
    expect(
      await client.deployments.feedback([
        { requestId: "unknown", label: "yes" },
        { requestId: "known", label: true },
      ]),
    ).toEqual([
      { requestId: "unknown", matched: false },
      { requestId: "known", matched: true, endpoint: "churn", correct: true },
    ]);
    expect(calls.map((c) => c.args)).toEqual([
      ["known", 1],
      ["unknown", "yes"],
      ["known", true],
    ]);
  });

  it("rejects feedback without a label", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/feedback",
      payload: { request_id: "x" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain("'label'");
  });

  it("infers over V2, echoing the body's id as the request id", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/v2/models/churn/infer",
      headers: { "x-request-id": "from-header", "x-user-id": "u1" },
      payload: { id: "from-body", inputs: [{ name: "x", datatype: "FP32", shape: [1, 2], data: [1, 2] }] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-request-id"]).toBe("from-body");
    expect(response.json()).toEqual({
      model_name: "churn",
      model_version: "4",
      id: "from-body",
      outputs: [{ name: "label", datatype: "INT64", shape: [1], data: [1] }],
    });
    const [call] = inferCalls;
    expect(call?.endpoint).toBe("churn");
    expect(call?.meta).toMatchObject({ requestId: "from-body", protocol: "v2" });
    expect(call?.meta.headers["x-user-id"]).toBe("u1");
    expect(call?.meta.preview).toBeUndefined();
  });

  it("uses the x-request-id header when the V2 body has no id, and generates one when neither is sent", async () => {
    const input = { inputs: [{ name: "x", datatype: "FP32", shape: [1, 1], data: [1] }] };
    const withHeader = await app.inject({
      method: "POST",
      url: "/endpoints/churn/preview/v2/infer",
      headers: { "x-request-id": "abc" },
      payload: input,
    });
    expect(withHeader.headers["x-request-id"]).toBe("abc");
    expect(withHeader.json().id).toBe("abc");
    const generated = await app.inject({ method: "POST", url: "/v2/models/churn/infer", payload: input });
    const id = generated.headers["x-request-id"];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.json().id).toBe(id);
    expect(inferCalls.map((c) => [c.meta.requestId, c.meta.preview])).toEqual([
      ["abc", true],
      [id, undefined],
    ]);
  });

  it("answers V2 errors as {error} with the registry's status", async () => {
    const unknown = await app.inject({
      method: "POST",
      url: "/v2/models/missing/infer",
      payload: { inputs: [{ name: "x", datatype: "FP32", shape: [1], data: [1] }] },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: "endpoint 'missing' does not exist" });
    expect(unknown.headers["x-request-id"]).toBeDefined();
    const malformed = await app.inject({
      method: "POST",
      url: "/v2/models/churn/infer",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toContain("not valid JSON");
  });

  it("scores MLflow CSV and JSON bodies on an endpoint and its preview", async () => {
    const csv = await app.inject({
      method: "POST",
      url: "/endpoints/churn/invocations",
      headers: { "content-type": "text/csv", "x-request-id": "r-1" },
      payload: "a,b\n1,2\n",
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["x-request-id"]).toBe("r-1");
    expect(csv.json()).toEqual({ predictions: [1] });
    expect(inferCalls[0]?.request.input).toEqual({ kind: "frame", columns: ["a", "b"], rows: [["1", "2"]] });
    expect(inferCalls[0]?.meta).toMatchObject({ requestId: "r-1", protocol: "mlflow" });

    const json = await app.inject({
      method: "POST",
      url: "/endpoints/churn/preview/invocations",
      headers: { "content-type": "application/json" },
      payload: { dataframe_split: { columns: ["a", "b"], data: [[1, 2]] } },
    });
    expect(json.statusCode).toBe(200);
    expect(inferCalls[1]?.meta.preview).toBe(true);
  });

  it("answers MLflow errors as {error_code, message}", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/endpoints/missing/invocations",
      headers: { "content-type": "application/json" },
      payload: { dataframe_split: { columns: ["a"], data: [[1]] } },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: "endpoint 'missing' does not exist",
    });
    const unsupported = await app.inject({
      method: "POST",
      url: "/endpoints/churn/invocations",
      headers: { "content-type": "application/xml" },
      payload: "<a/>",
    });
    expect(unsupported.statusCode).toBe(415);
  });

  it("leaves the tracking API's JSON conventions in place beside the data plane", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/deployments",
      headers: { "content-type": "text/csv" },
      payload: "a,b",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error_code).toBe("INVALID_PARAMETER_VALUE");
  });
});
