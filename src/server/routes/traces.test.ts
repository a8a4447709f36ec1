import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  jsonCaller,
  startTestServer,
  type TestServer,
  type WireBody,
} from "../../../test/support/testServer.js";
import { createExperiment } from "../../tracking/experimentStore.js";

describe("trace routes", () => {
  let server: TestServer;
  let experimentId: string;
  const call = jsonCaller(() => server);
  const location = () => ({ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } });

  beforeAll(async () => {
    server = await startTestServer();
    experimentId = await createExperiment(server.ctx.meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
  });
  afterAll(async () => {
    await server.close();
  });

  it("creates a v3 trace as the 3.x exporter sends it and answers in protobuf JSON", async () => {
    const created = await call("POST", "/api/3.0/mlflow/traces", {
      trace: {
        trace_info: {
          trace_id: "tr-abc",
          trace_location: location(),
          request_time: "2026-12-06T09:03:02.326Z",
          execution_duration: "4.322s",
          state: "ERROR",
          trace_metadata: { "mlflow.traceInputs": "{}" },
          tags: { "mlflow.traceName": "f" },
          request_preview: "{}",
        },
        data: { spans: [] },
      },
    });
    expect(created.status).toBe(200);
    const expected = {
      trace_id: "tr-abc",
      trace_location: location(),
      request_time: "2026-12-06T09:03:02.326Z",
      execution_duration: "4.322s",
      state: "ERROR",
      trace_metadata: { "mlflow.traceInputs": "{}", "mlflow.trace.infoFinalized": "true" },
      tags: {
        "mlflow.traceName": "f",
        "mlflow.artifactLocation": `mlflow-artifacts:/${experimentId}/traces/tr-abc/artifacts`,
      },
      request_preview: "{}",
    };
    expect(created.body).toEqual({ trace: { trace_info: expected } });
    expect((await call("GET", "/api/3.0/mlflow/traces/tr-abc")).body).toEqual({
      trace: { trace_info: expected },
    });
    expect((await call("GET", "/ajax-api/3.0/mlflow/traces/tr-abc")).status).toBe(200);

    const found = await call("POST", "/api/3.0/mlflow/traces/search", {
      locations: [location()],
      filter: "trace.status = 'ERROR'",
      max_results: 1,
    });
    expect(found.body.traces).toEqual([expected]);
    expect(found.body.next_page_token).toBe(Buffer.from('{"offset": 1}').toString("base64"));
  });

  it("answers GetTrace as mlflow 3.17 does for a trace whose spans are artifacts", async () => {
    // The client never asks: without the spansLocation tag it downloads the spans artifact instead.
    const answer = await call("GET", "/api/3.0/mlflow/traces/get?trace_id=tr-abc");
    expect(answer).toEqual({
      status: 500,
      body: {
        error_code: "INTERNAL_ERROR",
        sqlstate: "XXM00",
        error_class: "CLIENT_INTERNAL_ERROR",
        message: "Trace data not stored in tracking store",
      },
    });
  });

  it("sets and deletes tags on the 2.x and 3.x paths", async () => {
    expect(
      (await call("PATCH", "/api/2.0/mlflow/traces/tr-abc/tags", { key: "k", value: "v" })).body,
    ).toEqual({});
    expect(
      (await call("PATCH", "/api/3.0/mlflow/traces/tr-abc/tags", { key: "k3", value: "v3" })).status,
    ).toBe(200);
    const tags = (await call("GET", "/api/3.0/mlflow/traces/tr-abc")).body.trace.trace_info.tags;
    expect(tags).toMatchObject({ k: "v", k3: "v3" });
    expect((await call("DELETE", "/api/2.0/mlflow/traces/tr-abc/tags", { key: "k" })).body).toEqual({});
    expect(await call("DELETE", "/api/2.0/mlflow/traces/tr-abc/tags", { key: "k" })).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "No trace tag with key 'k' for trace with ID 'tr-abc'",
      },
    });
  });

  it("runs the 2.x StartTrace / EndTrace / GetTraceInfo / SearchTraces flow", async () => {
    const started = await call("POST", "/api/2.0/mlflow/traces", {
      experiment_id: experimentId,
      timestamp_ms: 1000,
      request_metadata: [{ key: "a", value: "1" }],
      tags: [{ key: "t", value: "x" }],
    });
    const requestId = started.body.trace_info.request_id as string;
    // As mlflow answers: a bare uuid hex id, and 0 ms while in progress.
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(started.body.trace_info).toMatchObject({
      status: "IN_PROGRESS",
      timestamp_ms: 1000,
      execution_time_ms: 0,
    });
    const ended = await call("PATCH", `/api/2.0/mlflow/traces/${requestId}`, {
      request_id: requestId,
      timestamp_ms: 1250,
      status: "OK",
    });
    expect(ended.body.trace_info).toMatchObject({ status: "OK", execution_time_ms: 250 });
    const info = await call("GET", `/api/2.0/mlflow/traces/${requestId}/info`);
    expect(info.body.trace_info.request_metadata).toEqual([{ key: "a", value: "1" }]);
    const search = await call(
      "GET",
      `/api/2.0/mlflow/traces?experiment_ids=${experimentId}&filter=${encodeURIComponent("tags.t = 'x'")}`,
    );
    expect(search.body.traces.map((t: WireBody) => t.request_id)).toEqual([requestId]);
  });

  it("leaves empty repeated fields out of 2.x answers, as mlflow's protobuf JSON does", async () => {
    // mlflow 3.17.2: a trace started without request_metadata has no such key, and a search that finds
    // nothing answers `{}` rather than `{"traces": []}`.
    const emptyExperiment = await createExperiment(
      server.ctx.meta.db,
      { name: "empty" },
      "mlflow-artifacts:/",
      1,
    );
    const started = await call("POST", "/api/2.0/mlflow/traces", {
      experiment_id: emptyExperiment,
      timestamp_ms: 1,
    });
    const requestId = started.body.trace_info.request_id as string;
    expect(started.body.trace_info).not.toHaveProperty("request_metadata");
    const info = await call("GET", `/api/2.0/mlflow/traces/${requestId}/info`);
    expect(info.body.trace_info).not.toHaveProperty("request_metadata");
    const ended = await call("PATCH", `/api/2.0/mlflow/traces/${requestId}`, {
      timestamp_ms: 2,
      status: "OK",
    });
    expect(ended.body.trace_info).not.toHaveProperty("request_metadata");
    const found = await call("GET", `/api/2.0/mlflow/traces?experiment_ids=${emptyExperiment}`);
    expect(found.body.traces[0]).not.toHaveProperty("request_metadata");
    const none = await call(
      "GET",
      `/api/2.0/mlflow/traces?experiment_ids=${experimentId}&filter=${encodeURIComponent("tags.t = 'none'")}`,
    );
    expect(none).toMatchObject({ status: 200, body: {} });
    expect(none.body).toEqual({});
  });

  it("checks link-to-run and tag deletion in mlflow 3.17.2's order", async () => {
    const link = (body: Record<string, unknown>) => call("POST", "/api/2.0/mlflow/traces/link-to-run", body);
    const missing = await link({ run_id: "r" });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe(
      "Missing value for required parameter 'trace_ids'. See the API docs for more information about request parameters.",
    );
    // No traces is nothing to do; otherwise mlflow skips unknown traces and never reads the run.
    expect(await link({ run_id: "no-such-run", trace_ids: [] })).toMatchObject({ status: 200, body: {} });
    expect(await link({ run_id: "no-such-run", trace_ids: ["tr-none"] })).toMatchObject({
      status: 200,
      body: {},
    });
    const tooMany = await link({ run_id: "r", trace_ids: Array.from({ length: 101 }, (_, i) => `tr-${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toBe(
      "Cannot link more than 100 traces to a run in a single request. Provided 101 traces.",
    );
    // mlflow deletes the tag row without reading the trace; only the trace name is read from the trace.
    const untagged = await call("DELETE", "/api/3.0/mlflow/traces/tr-none/tags", { key: "k" });
    expect([untagged.status, untagged.body.message]).toEqual([
      404,
      "No trace tag with key 'k' for trace with ID 'tr-none'",
    ]);
    const unnamed = await call("DELETE", "/api/3.0/mlflow/traces/tr-none/tags", { key: "mlflow.traceName" });
    expect([unnamed.status, unnamed.body.message]).toEqual([404, "Trace with ID 'tr-none' not found."]);
  });

  it("keeps a feedback's null value in v3 trace infos, as mlflow 3.17.2 answers it", async () => {
    // `"feedback": {"value": null}` is a set google.protobuf.Value, not an unset field: the routes that answer
    // assessments must not drop nulls as withoutEmptyRepeated does.
    await call("POST", "/api/3.0/mlflow/traces", {
      trace: { trace_info: { trace_id: "tr-null", trace_location: location(), state: "OK" } },
    });
    const source = { source_type: "HUMAN", source_id: "x" };
    const created = await call("POST", "/api/3.0/mlflow/traces/tr-null/assessments", {
      assessment: { assessment_name: "c", trace_id: "tr-null", source, feedback: {} },
    });
    expect(created.body.assessment.feedback).toEqual({ value: null });
    const info = await call("GET", "/api/3.0/mlflow/traces/tr-null");
    expect(info.body.trace.trace_info.assessments[0].feedback).toEqual({ value: null });
    const batch = await call("POST", "/api/3.0/mlflow/traces/batchGetInfos", { trace_ids: ["tr-null"] });
    expect(batch.body.trace_infos[0].assessments[0].feedback).toEqual({ value: null });
  });

  it("caps a search page at 500 and refuses a page under 1, in mlflow 3.17's words", async () => {
    const hint = (value: string, type: string) =>
      `Invalid value ${value} for parameter 'max_results' supplied:  Hint: Value was of type '${type}'. ` +
      "See the API docs for more information about request parameters.";
    const v3 = (maxResults: unknown) =>
      call("POST", "/api/3.0/mlflow/traces/search", { locations: [location()], max_results: maxResults });
    const v2 = (maxResults: string) =>
      call("GET", `/api/2.0/mlflow/traces?experiment_ids=${experimentId}&max_results=${maxResults}`);
    expect((await v3(500)).status).toBe(200);
    expect((await v3(501)).body.message).toBe(hint("501", "int"));
    expect((await v3("abc")).body.message).toBe(hint('"abc"', "str"));
    expect((await v2("501")).body.message).toBe(hint('"501"', "str"));
    for (const answer of [await v3(0), await v2("0")]) {
      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe(
        "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
      );
    }
  });

  it("deletes traces on the 2.x and 3.x paths, and needs an age or ids", async () => {
    expect(
      (await call("POST", "/api/2.0/mlflow/traces/delete-traces", { experiment_id: experimentId })).body
        .message,
    ).toBe("Either `max_timestamp_millis` or `trace_ids` must be specified.");
    const byIds = await call("POST", "/api/3.0/mlflow/traces/delete-traces", {
      experiment_id: experimentId,
      request_ids: ["tr-abc"],
    });
    expect(byIds.body).toEqual({ traces_deleted: 1 });
    expect((await call("GET", "/api/3.0/mlflow/traces/tr-abc")).status).toBe(404);
  });

  it("pages v3 and 2.x trace searches with mlflow 3.17.2's tokens and answers to odd ones", async () => {
    const pagedExperiment = await createExperiment(
      server.ctx.meta.db,
      { name: "paged" },
      "mlflow-artifacts:/",
      1,
    );
    const where = { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: pagedExperiment } };
    for (const i of [1, 2, 3, 4]) {
      const trace_info = {
        trace_id: `tr-page-${i}`,
        trace_location: where,
        request_time: `2026-01-01T00:00:0${i}Z`,
        state: "OK",
      };
      expect((await call("POST", "/api/3.0/mlflow/traces", { trace: { trace_info } })).status).toBe(200);
    }
    const token = (text: string) => Buffer.from(text, "utf8").toString("base64");
    const v3 = (page_token?: string, max_results = 2) =>
      call("POST", "/api/3.0/mlflow/traces/search", { locations: [where], max_results, page_token });
    const v2 = (page_token?: string, max_results = 2) =>
      call(
        "GET",
        `/api/2.0/mlflow/traces?experiment_ids=${pagedExperiment}&max_results=${max_results}` +
          (page_token === undefined ? "" : `&page_token=${encodeURIComponent(page_token)}`),
      );
    for (const search of [v3, v2]) {
      const first = await search();
      expect(first.body.next_page_token).toBe(token('{"offset": 2}'));
      // An exactly full last page still hands out a token, whose page is empty and has none.
      const last = await search(first.body.next_page_token as string);
      expect(last.body.next_page_token).toBe(token('{"offset": 4}'));
      const after = await search(last.body.next_page_token as string);
      expect([after.status, after.body.traces, after.body.next_page_token]).toEqual([
        200,
        undefined,
        undefined,
      ]);
      const refused: [string, string][] = [
        ["!!!", "Invalid page token, decoded value=b''"],
        ["abc", "Invalid page token, could not base64-decode"],
        [token('{"foo": 1}'), "Invalid page token, parsed value={'foo': 1}"],
        [token('{"offset": 0}'), "Invalid page token, parsed value={'offset': 0}"],
      ];
      for (const [pageToken, message] of refused) {
        const answer = await search(pageToken, 1);
        expect([answer.status, answer.body.error_code, answer.body.message]).toEqual([
          400,
          "INVALID_PARAMETER_VALUE",
          message,
        ]);
      }
      // Read with Python's int(); a negative offset fetches from the start but pages on from itself.
      const read: [string, string, string][] = [
        [token('{"offset": -1}'), "tr-page-4", '{"offset": 0}'],
        [token('{"offset": 1.5}'), "tr-page-3", '{"offset": 2}'],
        [token('{"offset": "2"}'), "tr-page-2", '{"offset": 3}'],
      ];
      for (const [pageToken, traceId, next] of read) {
        const answer = await search(pageToken, 1);
        const traces = answer.body.traces as { trace_id?: string; request_id?: string }[];
        expect([traces.map((t) => t.trace_id ?? t.request_id), answer.body.next_page_token]).toEqual([
          [traceId],
          token(next),
        ]);
      }
    }
  });
});
