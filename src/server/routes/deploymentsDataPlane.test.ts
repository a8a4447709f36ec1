import { describe, expect, it } from "vitest";
import { sqliteBackend } from "../../../test/support/backends.js";
import { useRecordingServer } from "./deploymentsFixtures.js";

describe("deployment and endpoint routes", () => {
  const server = useRecordingServer(sqliteBackend);

  it("infers over V2, echoing the body's id as the request id", async () => {
    const response = await server.app.inject({
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
    const [call] = server.inferCalls;
    expect(call?.endpoint).toBe("churn");
    expect(call?.meta).toMatchObject({ requestId: "from-body", protocol: "v2" });
    expect(call?.meta.headers["x-user-id"]).toBe("u1");
    expect(call?.meta.preview).toBeUndefined();
  });

  it("uses the x-request-id header when the V2 body has no id, and generates one when neither is sent", async () => {
    const input = { inputs: [{ name: "x", datatype: "FP32", shape: [1, 1], data: [1] }] };
    const withHeader = await server.app.inject({
      method: "POST",
      url: "/endpoints/churn/preview/v2/infer",
      headers: { "x-request-id": "abc" },
      payload: input,
    });
    expect(withHeader.headers["x-request-id"]).toBe("abc");
    expect(withHeader.json().id).toBe("abc");
    const generated = await server.app.inject({
      method: "POST",
      url: "/v2/models/churn/infer",
      payload: input,
    });
    const id = generated.headers["x-request-id"];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.json().id).toBe(id);
    expect(server.inferCalls.map((c) => [c.meta.requestId, c.meta.preview])).toEqual([
      ["abc", true],
      [id, undefined],
    ]);
  });

  it("answers a V2 request refused as invalid under the id its body sent", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v2/models/churn/infer",
      headers: { "x-request-id": "from-header" },
      payload: { id: "from-body", inputs: [{ name: "x", datatype: "FP32", shape: [1, 2], data: [1] }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers["x-request-id"]).toBe("from-body");
  });

  it("answers V2 errors as {error} with the registry's status", async () => {
    const unknown = await server.app.inject({
      method: "POST",
      url: "/v2/models/missing/infer",
      payload: { inputs: [{ name: "x", datatype: "FP32", shape: [1], data: [1] }] },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: "endpoint 'missing' does not exist" });
    expect(unknown.headers["x-request-id"]).toBeDefined();
    const malformed = await server.app.inject({
      method: "POST",
      url: "/v2/models/churn/infer",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toContain("not valid JSON");
  });

  it("scores MLflow CSV and JSON bodies on an endpoint and its preview", async () => {
    const csv = await server.app.inject({
      method: "POST",
      url: "/endpoints/churn/invocations",
      headers: { "content-type": "text/csv", "x-request-id": "r-1" },
      payload: "a,b\n1,2\n",
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["x-request-id"]).toBe("r-1");
    expect(csv.json()).toEqual({ predictions: [1] });
    expect(server.inferCalls[0]?.request.input).toEqual({
      kind: "frame",
      columns: ["a", "b"],
      rows: [["1", "2"]],
      textCells: "csv",
      numpyCasts: expect.any(Function),
    });
    expect(server.inferCalls[0]?.meta).toMatchObject({ requestId: "r-1", protocol: "mlflow" });

    const json = await server.app.inject({
      method: "POST",
      url: "/endpoints/churn/preview/invocations",
      headers: { "content-type": "application/json" },
      payload: { dataframe_split: { columns: ["a", "b"], data: [[1, 2]] } },
    });
    expect(json.statusCode).toBe(200);
    expect(server.inferCalls[1]?.meta.preview).toBe(true);
  });

  it("answers MLflow errors as {error_code, message}", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/endpoints/missing/invocations",
      headers: { "content-type": "application/json" },
      payload: { dataframe_split: { columns: ["a"], data: [[1]] } },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      sqlstate: "KAM00",
      error_class: "RESOURCE_NOT_FOUND",
      message: "endpoint 'missing' does not exist",
    });
    const unsupported = await server.app.inject({
      method: "POST",
      url: "/endpoints/churn/invocations",
      headers: { "content-type": "application/xml" },
      payload: "<a/>",
    });
    expect(unsupported.statusCode).toBe(415);
  });

  it("leaves the tracking API's JSON conventions in place beside the data plane", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/api/v1/deployments",
      headers: { "content-type": "text/csv" },
      payload: "a,b",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error_code).toBe("INVALID_PARAMETER_VALUE");
  });
});
