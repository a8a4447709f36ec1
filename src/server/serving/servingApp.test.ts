import { describe, expect, it } from "vitest";
import { closeServingAppsAfterEach, rowSumModel, serve, UUID, v2Body } from "./servingAppFixtures.js";
import { startModelServer } from "./startModelServer.js";

closeServingAppsAfterEach();

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
    expect(Object.keys(bad.json())).toEqual(["error_code", "message", "sqlstate", "error_class"]);
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
    const empty = await app.inject({ method: "POST", url: "/v1/models/sum:predict" });
    expect([empty.statusCode, Object.keys(empty.json())]).toEqual([400, ["error"]]);
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

  it("regression: counts a 404 under the served model it names, and unserved names and versions as unknown", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const post = (url: string): Promise<unknown> =>
      app.inject({ method: "POST", url, payload: v2Body([[1, 1]]) });
    await post("/v2/models/sum/versions/9/infer");
    await post("/v2/models/nope/infer");
    await post("/v2/models/other/versions/3/infer");
    await post("/v1/models/nope:predict");
    await post("/v1/models/sum:explain");
    const text = (await app.inject({ url: "/metrics" })).body;
    expect(text).toContain(
      'flowops_inference_requests_total{model="sum",version="unknown",protocol="v2",code="404"} 1',
    );
    expect(text).toContain(
      'flowops_inference_requests_total{model="unknown",version="unknown",protocol="v2",code="404"} 2',
    );
    expect(text).toContain(
      'flowops_inference_errors_total{model="unknown",version="unknown",protocol="v1",code="404"} 1',
    );
    expect(text).toContain(
      'flowops_inference_requests_total{model="sum",version="1",protocol="v1",code="404"} 1',
    );
    expect(text).not.toMatch(/\{model=""/);
  });

  it('regression: counts errors answered before or outside any route under model="" and the path\'s protocol', async () => {
    const { app } = await serve([rowSumModel("sum", "1")], { bodyLimit: 64 });
    const big = JSON.stringify(
      v2Body([
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ]),
    );
    await app.inject({ method: "GET", url: "/v2/models/%FF/ready" });
    await app.inject({
      method: "POST",
      url: `/v2/models/${"x".repeat(600)}/infer`,
      payload: v2Body([[1, 1]]),
    });
    await app.inject({
      method: "POST",
      url: "/v1/nowhere",
      headers: { "content-type": "a/b/c" },
      payload: "{}",
    });
    await app.inject({
      method: "POST",
      url: "/nowhere",
      headers: { "content-type": "application/json" },
      payload: big,
    });
    await app.inject({
      method: "POST",
      url: "/invocations/",
      headers: { "content-type": "application/json" },
      payload: '{"inputs": [',
    });
    const text = (await app.inject({ url: "/metrics" })).body;
    for (const series of [
      'flowops_inference_errors_total{model="",version="",protocol="v2",code="400"} 1',
      'flowops_inference_errors_total{model="",version="",protocol="v2",code="404"} 1',
      'flowops_inference_errors_total{model="",version="",protocol="v1",code="404"} 1',
      'flowops_inference_errors_total{model="",version="",protocol="",code="413"} 1',
      'flowops_inference_errors_total{model="",version="",protocol="mlflow",code="404"} 1',
      'flowops_inference_requests_total{model="",version="",protocol="v2",code="400"} 1',
      'flowops_inference_requests_total{model="",version="",protocol="",code="413"} 1',
    ]) {
      expect(text).toContain(series);
    }
    // The histogram times requests from their route on; these never reached one.
    expect(text).not.toMatch(/flowops_inference_latency_seconds_count\{model=""/);
    expect(text).not.toContain("nowhere");
  });

  it("answers an unknown route with 404, an error body and a request id", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const res = await app.inject({ url: "/nowhere" });
    expect([res.statusCode, res.json()]).toEqual([404, { error: "no endpoint GET /nowhere" }]);
    expect(res.headers["x-request-id"]).toMatch(UUID);
  });
});

describe("graceful shutdown", () => {
  it("regression: runs a queued batch as soon as the close begins, not when its queue delay ends", async () => {
    const model = rowSumModel("sum", "1");
    const server = await startModelServer({
      models: [model],
      port: 0,
      logger: false,
      batching: { maxBatchSize: 10, maxQueueDelayMs: 60_000 },
    });
    const response = fetch(`${server.url}/v2/models/sum/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(v2Body([[4, 5]])),
    });
    // Long enough for the request to reach the batch queue; far shorter than its 60 s delay.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(model.calls).toEqual([]);
    const began = performance.now();
    const closing = server.close();
    const answer = await response;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ outputs: [{ data: [9] }] });
    await closing;
    expect(performance.now() - began).toBeLessThan(2000);
    expect(model.log).toEqual(["infer done", "closed"]);
  });

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
