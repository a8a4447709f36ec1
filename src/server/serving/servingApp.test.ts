import { afterEach, describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import type { LoadedModel } from "../../serving/runtime.js";
import type { Tensor } from "../../serving/tensor.js";
import { buildServingApp, type ServingApp, type ServingAppOptions } from "./servingApp.js";
import { startModelServer } from "./startModelServer.js";

interface FakeModel extends LoadedModel {
  calls: number[][];
  log: string[];
}

/**
 * y = factor * sum(x) per row over a [-1, 2] FP64 input. `failWith` makes a call whose first value is 999
 * throw it; `gate` holds every call until it resolves (to keep a request in flight).
 */
function rowSumModel(
  name: string,
  version: string,
  behaviour: {
    factor?: number;
    ready?: boolean;
    failWith?: unknown;
    gate?: Promise<void>;
    onCall?: () => void;
  } = {},
): FakeModel {
  const calls: number[][] = [];
  const log: string[] = [];
  const factor = behaviour.factor ?? 1;
  return {
    name,
    version,
    platform: "onnx_onnxv1",
    inputs: [{ name: "x", datatype: "FP64", shape: [-1, 2] }],
    outputs: [{ name: "y", datatype: "FP64", shape: [-1] }],
    calls,
    log,
    ready: () => behaviour.ready ?? true,
    infer: async (inputs) => {
      const x = inputs[0] as Tensor;
      const data = x.data as Float64Array;
      calls.push([...x.shape]);
      behaviour.onCall?.();
      if (behaviour.gate !== undefined) await behaviour.gate;
      if (behaviour.failWith !== undefined && data[0] === 999) throw behaviour.failWith;
      const rows = x.shape[0] as number;
      const y = new Float64Array(rows);
      for (let r = 0; r < rows; r++) y[r] = factor * ((data[2 * r] as number) + (data[2 * r + 1] as number));
      log.push("infer done");
      return [{ name: "y", datatype: "FP64", shape: [rows], data: y }];
    },
    close: async () => {
      log.push("closed");
    },
  };
}

function v2Body(rows: number[][], id?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    inputs: [{ name: "x", datatype: "FP64", shape: [rows.length, 2], data: rows }],
  };
  if (id !== undefined) body.id = id;
  return body;
}

const apps: ServingApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((serving) => serving.app.close()));
});

async function serve(models: LoadedModel[], options: Partial<ServingAppOptions> = {}): Promise<ServingApp> {
  const serving = await buildServingApp({ models, logger: false, ...options });
  apps.push(serving);
  return serving;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("KServe V2 routes", () => {
  it("answers server metadata, liveness and readiness", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    expect((await app.inject({ url: "/v2" })).json()).toMatchObject({
      name: "flowops",
      extensions: ["binary_tensor_data"],
    });
    expect((await app.inject({ url: "/v2/health/live" })).json()).toEqual({ live: true });
    const ready = await app.inject({ url: "/v2/health/ready" });
    expect([ready.statusCode, ready.json()]).toEqual([200, { ready: true }]);
  });

  it("reports the server not ready with 503 while any model is not ready", async () => {
    const { app } = await serve([rowSumModel("sum", "1"), rowSumModel("slow", "1", { ready: false })]);
    expect((await app.inject({ url: "/v2/health/ready" })).statusCode).toBe(503);
    const model = await app.inject({ url: "/v2/models/slow/ready" });
    expect([model.statusCode, model.json()]).toEqual([503, { name: "slow", ready: false }]);
    expect((await app.inject({ url: "/v2/models/sum/versions/1/ready" })).json()).toEqual({
      name: "sum",
      ready: true,
    });
  });

  it("describes a model with its versions, platform and tensors", async () => {
    const { app } = await serve([rowSumModel("sum", "1"), rowSumModel("sum", "2")]);
    const meta = await app.inject({ url: "/v2/models/sum" });
    expect(meta.json()).toEqual({
      name: "sum",
      versions: ["2", "1"],
      platform: "onnx_onnxv1",
      inputs: [{ name: "x", datatype: "FP64", shape: [-1, 2] }],
      outputs: [{ name: "y", datatype: "FP64", shape: [-1] }],
    });
    expect((await app.inject({ url: "/v2/models/sum/versions/1" })).statusCode).toBe(200);
  });

  it("infers and echoes the request's id in the body and the x-request-id header", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const res = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      payload: v2Body(
        [
          [1, 2],
          [3, 4],
        ],
        "req-7",
      ),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-request-id"]).toBe("req-7");
    expect(res.json()).toEqual({
      model_name: "sum",
      model_version: "1",
      id: "req-7",
      outputs: [{ name: "y", datatype: "FP64", shape: [2], data: [3, 7] }],
    });
  });

  it("uses the client's x-request-id, else a generated UUID, when the body has no id", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const given = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      headers: { "x-request-id": "trace-42" },
      payload: v2Body([[1, 1]]),
    });
    expect([given.headers["x-request-id"], given.json().id]).toEqual(["trace-42", "trace-42"]);
    const generated = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      payload: v2Body([[1, 1]]),
    });
    expect(generated.headers["x-request-id"]).toMatch(UUID);
    expect(generated.json().id).toBe(generated.headers["x-request-id"]);
  });

  it("serves two models and two versions of one side by side", async () => {
    const { app } = await serve([
      rowSumModel("sum", "1"),
      rowSumModel("sum", "2", { factor: 2 }),
      rowSumModel("triple", "5", { factor: 3 }),
    ]);
    const infer = async (url: string): Promise<unknown> =>
      (await app.inject({ method: "POST", url, payload: v2Body([[1, 2]]) })).json();
    expect(await infer("/v2/models/sum/versions/1/infer")).toMatchObject({
      model_version: "1",
      outputs: [{ data: [3] }],
    });
    expect(await infer("/v2/models/sum/versions/2/infer")).toMatchObject({
      model_version: "2",
      outputs: [{ data: [6] }],
    });
    expect(await infer("/v2/models/sum/infer")).toMatchObject({
      model_version: "2",
      outputs: [{ data: [6] }],
    });
    expect(await infer("/v2/models/triple/infer")).toMatchObject({
      model_name: "triple",
      outputs: [{ data: [9] }],
    });
  });

  it("answers 404 in the V2 error shape for an unknown model or version", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const model = await app.inject({
      method: "POST",
      url: "/v2/models/nope/infer",
      payload: v2Body([[1, 1]]),
    });
    expect([model.statusCode, model.json()]).toEqual([
      404,
      { error: "model 'nope' is not served here; served models: sum" },
    ]);
    const version = await app.inject({ url: "/v2/models/sum/versions/9" });
    expect(version.statusCode).toBe(404);
    expect(version.json().error).toMatch(/no version '9'/);
  });

  it("answers 400 for malformed JSON, an empty body and input of the wrong shape", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const post = (payload: string) =>
      app.inject({
        method: "POST",
        url: "/v2/models/sum/infer",
        headers: { "content-type": "application/json" },
        payload,
      });
    const malformed = await post("{not json");
    expect([malformed.statusCode, Object.keys(malformed.json())]).toEqual([400, ["error"]]);
    expect(malformed.json().error).toMatch(/not valid JSON/);
    expect((await post("")).json()).toEqual({ error: "request body is empty; expected a JSON object" });
    const shape = await post(
      JSON.stringify({ inputs: [{ name: "x", datatype: "FP64", shape: [1, 3], data: [1, 2, 3] }] }),
    );
    expect(shape.statusCode).toBe(400);
    expect(shape.json().error).toMatch(/x/);
  });

  it("reads a V2 body as JSON whatever its content type says", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const res = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: JSON.stringify(v2Body([[2, 2]])),
    });
    expect(res.json()).toMatchObject({ outputs: [{ data: [4] }] });
  });

  it("answers 500 without details when the model throws, and serves the next request", async () => {
    const model = rowSumModel("sum", "1", { failWith: new Error("segfault in the model's secret sauce") });
    const { app } = await serve([model]);
    const failed = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      payload: v2Body([[999, 1]]),
    });
    expect(failed.statusCode).toBe(500);
    expect(failed.json().error).not.toMatch(/secret sauce/);
    const next = await app.inject({ method: "POST", url: "/v2/models/sum/infer", payload: v2Body([[1, 1]]) });
    expect([next.statusCode, next.json().outputs[0].data]).toEqual([200, [2]]);
  });

  it("answers 503 when the model's worker is unavailable or the model is not ready", async () => {
    const crashed = rowSumModel("sum", "1", {
      failWith: new FlowOpsError("TEMPORARILY_UNAVAILABLE", "worker 2 exited with code 139"),
    });
    const { app } = await serve([crashed, rowSumModel("slow", "1", { ready: false })]);
    const worker = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      payload: v2Body([[999, 1]]),
    });
    expect([worker.statusCode, worker.json()]).toEqual([503, { error: "worker 2 exited with code 139" }]);
    const notReady = await app.inject({
      method: "POST",
      url: "/v2/models/slow/infer",
      payload: v2Body([[1, 1]]),
    });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().error).toMatch(/'slow' version '1' is not ready/);
  });

  it("answers 413 in the V2 error shape for a body over the limit", async () => {
    const { app } = await serve([rowSumModel("sum", "1")], { bodyLimit: 64 });
    const res = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      payload: v2Body([
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ]),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatch(/limit of 64 bytes/);
    expect(res.headers["x-request-id"]).toMatch(UUID);
  });
});

describe("dynamic batching over HTTP", () => {
  it("combines concurrent infer requests into one model call", async () => {
    const model = rowSumModel("sum", "1");
    const { app } = await serve([model], { batching: { maxBatchSize: 3, maxQueueDelayMs: 60_000 } });
    const answers = await Promise.all(
      [1, 2, 3].map((n) =>
        app.inject({ method: "POST", url: "/v2/models/sum/infer", payload: v2Body([[n, n]]) }),
      ),
    );
    expect(model.calls).toEqual([[3, 2]]);
    expect(answers.map((res) => res.json().outputs[0].data)).toEqual([[2], [4], [6]]);
    const metrics = (await app.inject({ url: "/metrics" })).body;
    expect(metrics).toContain('flowops_inference_batch_size_count{model="sum",version="1"} 1');
    expect(metrics).toContain('flowops_inference_queue_seconds_count{model="sum",version="1"} 3');
  });

  it("is off by default: each request is its own model call", async () => {
    const model = rowSumModel("sum", "1");
    const { app } = await serve([model]);
    await Promise.all(
      [1, 2, 3].map((n) =>
        app.inject({ method: "POST", url: "/v2/models/sum/infer", payload: v2Body([[n, n]]) }),
      ),
    );
    expect(model.calls).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
  });
});

describe("MLflow scoring routes", () => {
  it("scores JSON and CSV bodies with the first model", async () => {
    const { app } = await serve([rowSumModel("sum", "1"), rowSumModel("other", "1", { factor: 10 })]);
    const json = await app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({
        dataframe_split: {
          columns: ["a", "b"],
          data: [
            [1, 2],
            [3, 4],
          ],
        },
      }),
    });
    // An ONNX model given a DataFrame answers one record per row, as mlflow's onnx flavor returns a DataFrame.
    expect([json.statusCode, json.json()]).toEqual([200, { predictions: [{ y: 3 }, { y: 7 }] }]);
    const csv = await app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "text/csv" },
      payload: "a,b\n1,1\n2,2\n",
    });
    expect(csv.json()).toEqual({ predictions: [{ y: 2 }, { y: 4 }] });
  });

  it("answers 415 for other media types and 400 in MLflow's error shape for bad input", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const text = await app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "text/plain" },
      payload: "1,2",
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error_code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const bad = await app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ instances: [[1, 2]], inputs: [[1, 2]] }),
    });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json()).sort()).toEqual(["error_code", "message"]);
  });

  it("answers 413 in MLflow's error shape for a body over the limit", async () => {
    const { app } = await serve([rowSumModel("sum", "1")], { bodyLimit: 16 });
    const res = await app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "text/csv" },
      payload: "a,b\n1,1\n2,2\n3,3\n4,4\n",
    });
    expect([res.statusCode, res.json().error_code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });

  it("answers 500 as INTERNAL_ERROR when the model throws", async () => {
    const { app } = await serve([rowSumModel("sum", "1", { failWith: new Error("boom") })]);
    const res = await app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ inputs: [[999, 1]] }),
    });
    expect([res.statusCode, res.json().error_code]).toEqual([500, "INTERNAL_ERROR"]);
  });

  it("answers ping and health with 200 when the model is loaded and 404 when not, and names the version", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    expect((await app.inject({ url: "/ping" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/version" })).body).toMatch(/^\d+\.\d+\.\d+/);
    const down = await serve([rowSumModel("sum", "1", { ready: false })]);
    expect((await down.app.inject({ url: "/ping" })).statusCode).toBe(404);
    // KServe V1 answers ModelNotReady (503), so a probe on the V1 path sees it too.
    const v1 = await down.app.inject({ url: "/v1/models/sum" });
    expect([v1.statusCode, v1.json()]).toEqual([503, { name: "sum", ready: false }]);
  });
});

describe("KServe V1 routes", () => {
  it("lists models, reports readiness and predicts instances", async () => {
    const { app } = await serve([rowSumModel("sum", "1"), rowSumModel("other", "1")]);
    expect((await app.inject({ url: "/v1/models" })).json()).toEqual({ models: ["sum", "other"] });
    expect((await app.inject({ url: "/v1/models/other" })).json()).toEqual({ name: "other", ready: true });
    const res = await app.inject({
      method: "POST",
      url: "/v1/models/sum:predict",
      payload: {
        instances: [
          [1, 2],
          [3, 4],
        ],
      },
    });
    expect([res.statusCode, res.json()]).toEqual([200, { predictions: [3, 7] }]);
  });

  it("answers 404 in the V1 error shape for an unknown model or verb", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const model = await app.inject({
      method: "POST",
      url: "/v1/models/nope:predict",
      payload: { instances: [[1, 2]] },
    });
    expect([model.statusCode, Object.keys(model.json())]).toEqual([404, ["error"]]);
    const verb = await app.inject({
      method: "POST",
      url: "/v1/models/sum:explain",
      payload: { instances: [[1, 2]] },
    });
    expect(verb.statusCode).toBe(404);
    expect(verb.json().error).toMatch(/sum:predict/);
  });
});

describe("metrics and unknown routes", () => {
  it("exposes request counts, errors and histograms labelled by model and version after traffic", async () => {
    const { app } = await serve([rowSumModel("sum", "1"), rowSumModel("sum", "2")]);
    await app.inject({
      method: "POST",
      url: "/v2/models/sum/versions/1/infer",
      payload: v2Body([
        [1, 1],
        [2, 2],
      ]),
    });
    await app.inject({ method: "POST", url: "/v2/models/sum/versions/2/infer", payload: { inputs: [] } });
    await app.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ inputs: [[1, 2]] }),
    });
    const res = await app.inject({ url: "/metrics" });
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain(
      'flowops_inference_requests_total{model="sum",version="1",protocol="v2",code="200"} 1',
    );
    expect(text).toContain(
      'flowops_inference_requests_total{model="sum",version="2",protocol="v2",code="400"} 1',
    );
    expect(text).toContain(
      'flowops_inference_errors_total{model="sum",version="2",protocol="v2",code="400"} 1',
    );
    expect(text).toContain(
      'flowops_inference_requests_total{model="sum",version="1",protocol="mlflow",code="200"} 1',
    );
    expect(text).toContain(
      'flowops_inference_latency_seconds_count{model="sum",version="1",protocol="v2"} 1',
    );
    expect(text).toContain(
      'flowops_inference_latency_seconds_bucket{le="0.0005",model="sum",version="1",protocol="v2"}',
    );
    expect(text).toContain('flowops_inference_batch_size_sum{model="sum",version="1"} 3');
  });

  it("answers an unknown route with 404, an error body and a request id", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const res = await app.inject({ url: "/nowhere" });
    expect([res.statusCode, res.json()]).toEqual([404, { error: "no endpoint GET /nowhere" }]);
    expect(res.headers["x-request-id"]).toMatch(UUID);
  });
});

describe("graceful shutdown", () => {
  it("waits for a request in flight, answers it, then closes the model", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let called: () => void = () => undefined;
    const inModel = new Promise<void>((resolve) => {
      called = resolve;
    });
    const model = rowSumModel("sum", "1", { gate, onCall: () => called() });
    const server = await startModelServer({ models: [model], port: 0, logger: false });
    const response = fetch(`${server.url}/v2/models/sum/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(v2Body([[4, 5]])),
    });
    await inModel;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release();
    const answer = await response;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ outputs: [{ data: [9] }] });
    await closing;
    expect(model.log).toEqual(["infer done", "closed"]);
  });
});
