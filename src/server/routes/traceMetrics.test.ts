import { describe, expect, it } from "vitest";
import { missingParameterAnswer, serverWithExperiment } from "../../../test/support/experimentSuites.js";
import { jsonCaller, type TestServer } from "../../../test/support/testServer.js";
import { TraceStore } from "../../tracking/traces/store.js";

// Expected answers are what `mlflow server` 3.17.2 (SQLite store) answered to the same requests, except where
// a test says FlowOps differs on purpose.
describe("trace metrics routes", () => {
  let server: TestServer;
  let exp: string;
  const call = jsonCaller(() => server);
  const metrics = (body: object) =>
    call("POST", "/api/3.0/mlflow/traces/metrics", { experiment_ids: [exp], ...body });
  const correlation = (body: object) =>
    call("POST", "/api/3.0/mlflow/traces/calculate-filter-correlation", { experiment_ids: [exp], ...body });
  const count = {
    view_type: "TRACES",
    metric_name: "trace_count",
    aggregations: [{ aggregation_type: "COUNT" }],
  };

  serverWithExperiment((started, experimentId) => {
    server = started;
    exp = experimentId;
  });

  const addTraces = async () => {
    const store = new TraceStore(server.ctx.meta);
    for (const [id, state, team] of [
      ["t1", "OK", "a"],
      ["t2", "ERROR", "b"],
      ["t3", "OK", "b"],
    ] as const) {
      await store.start({
        traceId: id,
        experimentId: exp,
        requestTime: 1000,
        executionDuration: 5,
        state,
        tags: { "mlflow.traceName": "agent", team },
        metadata: {},
      });
    }
  };

  it("answers data points with their dimensions and aggregation labels", async () => {
    await addTraces();
    expect(await metrics({ ...count, dimensions: ["trace_status"] })).toEqual({
      status: 200,
      body: {
        data_points: [
          { metric_name: "trace_count", dimensions: { trace_status: "ERROR" }, values: { COUNT: 1 } },
          { metric_name: "trace_count", dimensions: { trace_status: "OK" }, values: { COUNT: 2 } },
        ],
      },
    });
    const latency = await metrics({
      view_type: "TRACES",
      metric_name: "latency",
      aggregations: [{ aggregation_type: "PERCENTILE", percentile_value: 99.5 }, { aggregation_type: "MAX" }],
    });
    expect(latency.body).toEqual({
      data_points: [{ metric_name: "latency", values: { "P99.5": 5, MAX: 5 } }],
    });
    // Enum numbers and names nothing names fall back to the proto default (TRACES, COUNT), as in mlflow.
    expect((await metrics({ ...count, view_type: "NOPE", aggregations: [{}] })).body).toEqual({
      data_points: [{ metric_name: "trace_count", values: { COUNT: 3 } }],
    });
    expect((await metrics({ ...count, view_type: 1, max_results: 0 })).body).toEqual({});
  });

  it("checks the request as mlflow's handler does", async () => {
    expect(await metrics({ metric_name: "trace_count", aggregations: [] })).toEqual(
      missingParameterAnswer("view_type"),
    );
    expect(await metrics({ view_type: "TRACES", metric_name: "trace_count" })).toEqual(
      missingParameterAnswer("aggregations"),
    );
    const wrongType = await metrics({ ...count, dimensions: "trace_name" });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toBe(
      "Invalid value \"trace_name\" for parameter 'dimensions' supplied:  Hint: Value was of type 'str'. See the API docs for more information about request parameters.",
    );
    expect((await metrics({ ...count, aggregations: [] })).body).toEqual({
      error_code: "BAD_REQUEST",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message: "Query contains no columns with which to SELECT from.",
    });
    expect((await metrics({ ...count, experiment_ids: ["x"] })).body.message).toBe(
      "Invalid experiment ID 'x'. Experiment ID must be a valid integer.",
    );
  });

  it("refuses a percentile it cannot compute as a 400 (mlflow fails with a 500 page)", async () => {
    const percentile = (aggregation: object) =>
      metrics({ view_type: "TRACES", metric_name: "latency", aggregations: [aggregation] });
    expect((await percentile({ aggregation_type: "PERCENTILE" })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message: "Percentile value is required for PERCENTILE aggregation",
    });
    expect((await percentile({ aggregation_type: "PERCENTILE", percentile_value: 101 })).body.message).toBe(
      "Percentile value must be between 0 and 100, got 101.0",
    );
    expect((await percentile({ aggregation_type: "AVG", percentile_value: 5 })).body.message).toBe(
      "Percentile value is only allowed for PERCENTILE aggregation type, got AVG",
    );
  });

  it("answers a correlation without its undefined scores", async () => {
    await addTraces();
    const answer = await correlation({
      filter_string1: "trace.status = 'ERROR'",
      filter_string2: "tags.team = 'b'",
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      npmi: expect.closeTo(0.3690702464285425, 14) as number,
      filter1_count: 1,
      filter2_count: 2,
      joint_count: 1,
      total_count: 3,
    });
    expect(
      (await correlation({ filter_string1: "tags.team = 'zzz'", filter_string2: "tags.team = 'b'" })).body,
    ).toEqual({
      filter1_count: 0,
      filter2_count: 2,
      joint_count: 0,
      total_count: 3,
    });
    expect(
      (
        await correlation({
          experiment_ids: [],
          filter_string1: "tags.a = 'b'",
          filter_string2: "tags.a = 'b'",
        })
      ).body,
    ).toEqual({ filter1_count: 0, filter2_count: 0, joint_count: 0, total_count: 0 });
    expect(await correlation({ filter_string1: "tags.team = 'a'" })).toEqual(
      missingParameterAnswer("filter_string2"),
    );
  });
});
