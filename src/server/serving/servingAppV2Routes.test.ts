import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { closeServingAppsAfterEach, rowSumModel, serve, UUID, v2Body } from "./servingAppFixtures.js";

closeServingAppsAfterEach();

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

  it("answers a request refused as invalid under the id its body sent", async () => {
    // FlowOps used to answer a bad request with a newly generated x-request-id, not the one the client sent.
    const { app } = await serve([rowSumModel("sum", "1")]);
    const res = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      payload: { id: "req-bad", inputs: [{ name: "x", datatype: "FP64", shape: [1, 2], data: [1] }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["x-request-id"]).toBe("req-bad");
    const binary = Buffer.from(JSON.stringify({ id: "req-bin", inputs: "not a list" }), "utf8");
    const framed = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      headers: { "inference-header-content-length": String(binary.length) },
      payload: binary,
    });
    expect(framed.statusCode).toBe(400);
    expect(framed.headers["x-request-id"]).toBe("req-bin");
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
