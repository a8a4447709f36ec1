import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { CLIENT_EXPORT_REQUEST, CLIENT_EXPORT_TRACE_ID } from "../../../test/support/otlpExportRequest.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment } from "../experimentStore.js";
import { decodeExportTraceRequest } from "./otlpProto.js";
import { spansFromExportRequest } from "./otlpSpans.js";
import { SpanStore } from "./spanStore.js";
import { TraceStore } from "./store.js";

const TRACE_ID = CLIENT_EXPORT_TRACE_ID;
/** The `content` mlflow's server stored for the child span, byte for byte. */
const MLFLOW_CHILD_CONTENT =
  '{"trace_id": "QSP152If+qJvlG0/IF06Cw==", "span_id": "0xcCSh4zxVI=", "parent_span_id": "DZlNVZTlEmc=", "name": "double", "start_time_unix_nano": 1796611815335010371, "end_time_unix_nano": 1796611815335229290, "events": [], "status": {"code": "STATUS_CODE_OK", "message": ""}, "attributes": {"mlflow.traceRequestId": "\\"tr-4123f5e7621ffaa26f946d3f205d3a0b\\"", "mlflow.spanType": "\\"TOOL\\"", "kind": "\\"inner\\"", "mlflow.spanFunctionName": "\\"double\\"", "mlflow.spanInputs": "{\\"x\\": 3}", "mlflow.spanOutputs": "6", "mlflow.spanLogLevel": "20"}, "links": []}';

describe.each(metadataBackends())("span store on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let spans: SpanStore;
  let traces: TraceStore;
  let experimentId: string;
  let waits: number[];
  const ingested = () => spansFromExportRequest(decodeExportTraceRequest(CLIENT_EXPORT_REQUEST));

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    waits = [];
    spans = new SpanStore(meta, { sleep: async (ms) => void waits.push(ms) });
    traces = new TraceStore(meta);
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
  });
  afterEach(async () => {
    await opened.close();
  });

  it("stores the client's spans as mlflow does and creates their trace", async () => {
    await spans.logSpans(experimentId, ingested());
    const rows = await meta.db
      .withTables<{
        spans: { span_id: string; name: string; type: string; status: string; content: string };
      }>()
      .selectFrom("spans")
      .select(["span_id", "name", "type", "status", "content"])
      .orderBy("span_id")
      .execute();
    expect(rows.map((r) => [r.span_id, r.name, r.type, r.status])).toEqual([
      ["0d994d5594e51267", "outer", "UNKNOWN", "OK"],
      ["d317024a1e33c552", "double", "TOOL", "OK"],
    ]);
    expect(rows[1]?.content).toBe(MLFLOW_CHILD_CONTENT);
    const info = await traces.get(TRACE_ID);
    expect(info).toMatchObject({
      state: "OK",
      requestTime: 1796611815295,
      executionDuration: 40,
      requestPreview: '{"x": 3}',
      responsePreview: "7",
      tags: {
        "mlflow.trace.spansLocation": "TRACKING_STORE",
        "mlflow.artifactLocation": `mlflow-artifacts:/${experimentId}/traces/${TRACE_ID}/artifacts`,
      },
    });
  });

  it("answers GetTrace as mlflow's server did: root first, typed attributes, exact nanoseconds", async () => {
    await spans.logSpans(experimentId, ingested());
    const trace = await spans.getTrace(TRACE_ID, false);
    expect(trace.spans?.map((s) => s.name)).toEqual(["outer", "double"]);
    expect(trace.spans?.[1]).toEqual({
      trace_id: "QSP152If+qJvlG0/IF06Cw==",
      span_id: "0xcCSh4zxVI=",
      parent_span_id: "DZlNVZTlEmc=",
      name: "double",
      start_time_unix_nano: 1796611815335010371n,
      end_time_unix_nano: 1796611815335229290n,
      attributes: [
        { key: "mlflow.traceRequestId", value: { string_value: TRACE_ID } },
        { key: "mlflow.spanType", value: { string_value: "TOOL" } },
        { key: "kind", value: { string_value: "inner" } },
        { key: "mlflow.spanFunctionName", value: { string_value: "double" } },
        {
          key: "mlflow.spanInputs",
          value: { kvlist_value: { values: [{ key: "x", value: { int_value: 3 } }] } },
        },
        { key: "mlflow.spanOutputs", value: { int_value: 6 } },
        { key: "mlflow.spanLogLevel", value: { int_value: 20 } },
      ],
      status: { code: "STATUS_CODE_OK" },
    });
  });

  it("lets StartTraceV3 merge into the trace the spans created, keeping the spans' location", async () => {
    await spans.logSpans(experimentId, ingested());
    const started = await traces.start({
      traceId: TRACE_ID,
      experimentId,
      requestTime: 1796611815295,
      executionDuration: 40,
      state: "OK",
      metadata: { "mlflow.trace.sizeStats": '{"num_spans": 2}' },
      tags: { team: "search" },
    });
    expect(started.tags).toMatchObject({ "mlflow.trace.spansLocation": "TRACKING_STORE", team: "search" });
    expect((await spans.batchGetTraces([TRACE_ID, "tr-missing"])).map((t) => t.spans?.length)).toEqual([2]);
    expect(await spans.batchGetTraces([TRACE_ID], ["999"])).toEqual([]);
    expect((await spans.batchGetTraceInfos([TRACE_ID])).map((t) => t.traceId)).toEqual([TRACE_ID]);
  });

  /** The client's two spans, under a trace whose size stats count three. */
  const logTwoOfThreeSpans = async () => {
    await spans.logSpans(experimentId, ingested());
    await traces.start({
      traceId: TRACE_ID,
      experimentId,
      requestTime: 1,
      state: "OK",
      metadata: { "mlflow.trace.sizeStats": '{"num_spans": 3}' },
      tags: {},
    });
  };

  it("holds back a trace whose size stats count spans not yet logged", async () => {
    await logTwoOfThreeSpans();
    expect(await spans.batchGetTraces([TRACE_ID])).toEqual([]);
    const error = await rejection(spans.getTrace(TRACE_ID, false));
    expect(error.message).toBe(
      `Trace with ID ${TRACE_ID} is not fully exported yet, please try again later.`,
    );
    // Three reads, 1 s and 2 s apart, as mlflow's SqlAlchemyStore.get_trace.
    expect(waits).toEqual([1000, 2000]);
    waits = [];
    expect((await spans.getTrace(TRACE_ID, true)).spans).toHaveLength(2);
    expect(waits).toEqual([]);
  });

  it("answers GetTrace once the missing spans arrive between its reads", async () => {
    await logTwoOfThreeSpans();
    // The last span lands while the store waits its second time; here the size stats are corrected instead.
    const arriving = new SpanStore(meta, {
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 2) {
          await meta.db
            .updateTable("trace_request_metadata")
            .set({ value: '{"num_spans": 2}' })
            .where("request_id", "=", TRACE_ID)
            .where("key", "=", "mlflow.trace.sizeStats")
            .execute();
        }
      },
    });
    expect((await arriving.getTrace(TRACE_ID, false)).spans).toHaveLength(2);
    expect(waits).toEqual([1000, 2000]);
  });

  it("refuses traces whose spans are artifacts, and unknown ids, in mlflow's words", async () => {
    await traces.start({
      traceId: "tr-art",
      experimentId,
      requestTime: 1,
      state: "OK",
      metadata: {},
      tags: {},
    });
    const artifactBacked = await rejection(spans.getTrace("tr-art", false));
    expect([artifactBacked.code, artifactBacked.message]).toEqual([
      "INTERNAL_ERROR",
      "Trace data not stored in tracking store",
    ]);
    const unknown = await rejection(spans.getTrace("tr-nope", false));
    expect([unknown.code, unknown.message]).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "Trace with ID tr-nope is not found.",
    ]);
    const noExperiment = await rejection(spans.logSpans("999", ingested()));
    expect(noExperiment.message).toBe("No Experiment with id=999 exists");
  });

  it("deletes a trace's spans with it", async () => {
    await spans.logSpans(experimentId, ingested());
    expect(await traces.delete({ experimentId, traceIds: [TRACE_ID] })).toBe(1);
    await spans.logSpans(experimentId, ingested());
    expect((await spans.getTrace(TRACE_ID, false)).spans).toHaveLength(2);
  });
});
