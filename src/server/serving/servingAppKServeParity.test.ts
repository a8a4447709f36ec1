/**
 * Differences from KServe's own Python model server (kserve 0.21.0 from PyPI, a `kserve.Model` returning its
 * input doubled, compared with curl against `flowops serve` of an equivalent ONNX model) that a client notices.
 * The KServe answers are quoted per test; the venv is not needed to run these.
 */
import { describe, expect, it } from "vitest";
import { closeServingAppsAfterEach, rowSumModel, serve, v2Body } from "./servingAppFixtures.js";

closeServingAppsAfterEach();

describe("KServe V2 parity", () => {
  it("writes float outputs' data as floats", async () => {
    // KServe 0.21: {"model_name":"dbl",...,"outputs":[{"name":"y","shape":[1,2],"datatype":"FP32",...,
    // "data":[2.0,4.0]}]}. FlowOps wrote "data":[3,7], which np.array(out["data"]) reads back as int64.
    const { app } = await serve([rowSumModel("sum", "1")]);
    const json = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      payload: v2Body([
        [1, 2],
        [3, 4.5],
      ]),
    });
    expect(json.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(json.body).toContain('"data":[3.0,7.5]');
    expect(json.json().outputs[0]).toEqual({ name: "y", datatype: "FP64", shape: [2], data: [3, 7.5] });
  });

  it("lists the served models at GET /v2/models", async () => {
    // KServe 0.21: GET /v2/models -> 200 {"models":["dbl","echo"]}; FlowOps answered 404.
    const { app } = await serve([rowSumModel("sum", "1"), rowSumModel("sum", "2"), rowSumModel("b", "1")]);
    const res = await app.inject({ url: "/v2/models" });
    expect([res.statusCode, res.json()]).toEqual([200, { models: ["sum", "b"] }]);
  });

  it("says a body that is not UTF-8 without Inference-Header-Content-Length needs that header", async () => {
    // KServe 0.21, FP32 binary tensor data sent without the header: 400 {"error":"received byte inputs, but
    // the'inference-header-content-length' header is missing."}. FlowOps answered 400 with only MLflow's
    // "The scoring server only supports UTF-8" advice.
    const { app } = await serve([rowSumModel("sum", "1")]);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [{ name: "x", shape: [1, 2], datatype: "FP64", parameters: { binary_data_size: 16 } }],
      }),
    );
    const res = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      headers: { "content-type": "application/octet-stream" },
      payload: Buffer.concat([header, Buffer.from(Float64Array.of(1.5, -2).buffer)]),
    });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json())).toEqual(["error"]);
    expect(res.json().error).toMatch(/binary tensor data needs the Inference-Header-Content-Length header/);
  });
});
