import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_EXPORT_REQUEST, CLIENT_EXPORT_TRACE_ID } from "../../../test/support/otlpExportRequest.js";
import { jsonCaller, startTestServer, type TestServer } from "../../../test/support/testServer.js";
import { createExperiment } from "../../tracking/experimentStore.js";

describe("OTLP trace routes", () => {
  let server: TestServer;
  let experimentId: string;
  const call = jsonCaller(() => server);
  const post = (headers: Record<string, string>, body: Uint8Array = CLIENT_EXPORT_REQUEST) =>
    fetch(`${server.url}/v1/traces`, { method: "POST", headers, body });

  beforeAll(async () => {
    server = await startTestServer();
    experimentId = await createExperiment(server.ctx.meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers /version with a PEP 440 version of at least 3.4 that names FlowOps", async () => {
    const text = await (await fetch(`${server.url}/version`)).text();
    expect(text).toMatch(/^3\.17\.2\+flowops\.\d+\.\d+\.\d+$/);
  });

  it("logs the client's protobuf export and serves the trace with its spans", async () => {
    const answer = await post(
      {
        "content-type": "application/x-protobuf",
        "content-encoding": "gzip",
        "x-mlflow-experiment-id": experimentId,
      },
      gzipSync(CLIENT_EXPORT_REQUEST),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/x-protobuf");
    expect((await answer.arrayBuffer()).byteLength).toBe(0);

    const trace = await call("GET", `/api/3.0/mlflow/traces/get?trace_id=${CLIENT_EXPORT_TRACE_ID}`);
    expect(trace.body.trace.trace_info.tags["mlflow.trace.spansLocation"]).toBe("TRACKING_STORE");
    expect(trace.body.trace.spans.map((s: { name: string }) => s.name)).toEqual(["outer", "double"]);
    const batch = await call("GET", `/api/3.0/mlflow/traces/batchGet?trace_ids=${CLIENT_EXPORT_TRACE_ID}`);
    expect(batch.body.traces).toHaveLength(1);
    const infos = await call("POST", "/api/3.0/mlflow/traces/batchGetInfos", {
      trace_ids: [CLIENT_EXPORT_TRACE_ID, "tr-none"],
    });
    expect(infos.body.trace_infos.map((t: { trace_id: string }) => t.trace_id)).toEqual([
      CLIENT_EXPORT_TRACE_ID,
    ]);
    expect((await call("GET", "/api/3.0/mlflow/traces/get?trace_id=tr-none")).body).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      sqlstate: "KAM00",
      error_class: "RESOURCE_NOT_FOUND",
      message: "Trace with ID tr-none is not found.",
    });
  });

  it("refuses what mlflow's route refuses, in FastAPI's words", async () => {
    const missing = await post({ "content-type": "application/x-protobuf" });
    expect([missing.status, await missing.json()]).toEqual([
      422,
      {
        detail: [
          { type: "missing", loc: ["header", "x-mlflow-experiment-id"], msg: "Field required", input: null },
        ],
      },
    ]);
    const wrongType = await post({ "content-type": "text/plain", "x-mlflow-experiment-id": experimentId });
    expect([wrongType.status, await wrongType.json()]).toEqual([
      400,
      { detail: "Invalid Content-Type: text/plain. Expected: application/x-protobuf or application/json" },
    ]);
    const garbage = await post(
      { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": experimentId },
      Buffer.from([0xff, 0xff, 0xff]),
    );
    expect([garbage.status, await garbage.json()]).toEqual([400, { detail: "Invalid OpenTelemetry format" }]);
    const empty = await post(
      { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": experimentId },
      new Uint8Array(),
    );
    expect([empty.status, await empty.json()]).toEqual([
      400,
      { detail: "Invalid OpenTelemetry format - no spans found" },
    ]);
  });

  it("reads OTLP/JSON's decimal-string int64s and answers the span without empty lists", async () => {
    // OTLP/JSON (and protobuf's JSON) write 64-bit integers as decimal strings; mlflow 3.17.2 reads them and
    // GetTrace answers this span with no `events`, `links` or `parent_span_id` key, and
    // the trace with no `trace_metadata`.
    const traceIdHex = "4f4f9a532816435fbbb3f4268b6c6619";
    const body = {
      resourceSpans: [
        {
          resource: {},
          scopeSpans: [
            {
              scope: {},
              spans: [
                {
                  traceId: traceIdHex,
                  spanId: "0123456789abcdef",
                  name: "root",
                  kind: 1,
                  startTimeUnixNano: "1796670673773737472",
                  endTimeUnixNano: "1796670673773738472",
                  attributes: [{ key: "n", value: { intValue: "9007199254740993" } }],
                  status: {},
                },
              ],
            },
          ],
        },
      ],
    };
    const answer = await post(
      { "content-type": "application/json", "x-mlflow-experiment-id": experimentId },
      Buffer.from(JSON.stringify(body)),
    );
    expect(answer.status).toBe(200);
    const trace = await call("GET", `/api/3.0/mlflow/traces/get?trace_id=tr-${traceIdHex}`);
    expect(trace.status).toBe(200);
    // An empty map is left out too: the trace has tags but no metadata.
    expect(trace.body.trace.trace_info).not.toHaveProperty("trace_metadata");
    const info = await call("GET", `/api/3.0/mlflow/traces/tr-${traceIdHex}`);
    expect(info.body.trace.trace_info).not.toHaveProperty("trace_metadata");
    const [span] = trace.body.trace.spans as Record<string, unknown>[];
    expect(Object.keys(span ?? {}).sort()).toEqual([
      "attributes",
      "end_time_unix_nano",
      "name",
      "span_id",
      "start_time_unix_nano",
      "status",
      "trace_id",
    ]);
    expect(span?.status).toEqual({});
  });
});
