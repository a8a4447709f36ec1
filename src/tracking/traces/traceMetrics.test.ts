import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment } from "../experimentStore.js";
import { calculateTraceFilterCorrelation, npmiFromCounts } from "./filterCorrelation.js";
import { TraceStore, type NewTrace } from "./store.js";
import { percentile, queryTraceMetrics, type TraceMetricsQuery } from "./traceMetrics.js";

// Mon Dec 07 2026 03:00:00 UTC, whole hour.
const HOUR = 1_796_612_400_000;

describe.each(metadataBackends())("trace metrics on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let experimentId: string;

  interface TraceOptions {
    state?: NewTrace["state"];
    name?: string;
    tags?: Record<string, string>;
    metadata?: Record<string, string>;
  }
  const addTrace = async (id: string, at: number, duration: number, options: TraceOptions = {}) => {
    const { state = "OK", name = "agent", tags = {}, metadata = {} } = options;
    await new TraceStore(meta).start({
      traceId: id,
      experimentId,
      requestTime: at,
      executionDuration: duration,
      state,
      tags: { "mlflow.traceName": name, ...tags },
      metadata,
    });
  };
  const addSpan = async (
    traceId: string,
    spanId: string,
    name: string,
    type: string,
    startMs: number,
    ms: number,
    attributes: Record<string, unknown> = {},
  ) => {
    const start = `${startMs}000123`;
    const end = `${startMs + ms}000456`;
    const content = JSON.stringify({
      span_id: spanId,
      name,
      attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, JSON.stringify(v)])),
    });
    await sql`insert into spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, content)
      values (${traceId}, ${Number(experimentId)}, ${spanId}, ${null}, ${name}, ${type}, ${"OK"}, ${start}, ${end}, ${content})`.execute(
      meta.db,
    );
  };
  const addAssessment = async (
    id: string,
    traceId: string,
    name: string,
    value: unknown,
    kind = "feedback",
    valid = 1,
  ) => {
    await sql`insert into assessments (assessment_id, trace_id, name, assessment_type, value, created_timestamp, last_updated_timestamp, source_type, valid)
      values (${id}, ${traceId}, ${name}, ${kind}, ${JSON.stringify(value)}, ${1}, ${1}, ${"HUMAN"}, ${valid})`.execute(
      meta.db,
    );
  };
  const query = async (q: Partial<TraceMetricsQuery>) =>
    (
      await queryTraceMetrics(meta, {
        experimentIds: [experimentId],
        viewType: "TRACES",
        metricName: "trace_count",
        aggregations: [{ type: "COUNT" }],
        ...q,
      })
    ).map((p) => [p.dimensions, p.values]);

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    const usage = (n: number) =>
      JSON.stringify({ input_tokens: 10 * n, output_tokens: n, total_tokens: 11 * n });
    await addTrace("t1", HOUR + 1_000, 30, {
      tags: { team: "a" },
      metadata: { "mlflow.trace.session": "s1", "mlflow.trace.tokenUsage": usage(1) },
    });
    await addTrace("t2", HOUR + 2_000, 10, {
      tags: { team: "a" },
      metadata: { "mlflow.trace.session": "s0", "mlflow.trace.tokenUsage": usage(2) },
    });
    await addTrace("t3", HOUR + 3_600_000, 20, {
      state: "ERROR",
      tags: { team: "b" },
      metadata: { "mlflow.trace.session": "s1" },
    });
    await addTrace("t4", HOUR + 3_700_000, 40, {
      name: "other",
      metadata: { "mlflow.trace.tokenUsage": usage(3) },
    });
    const llm = (model: string, cost: number) => ({
      "mlflow.llm.model": model,
      "mlflow.llm.provider": model === "claude" ? "anthropic" : "openai",
      "mlflow.llm.cost": { input_cost: cost, output_cost: cost, total_cost: 2 * cost },
    });
    await addSpan("t1", "a1", "agent", "UNKNOWN", HOUR + 1_000, 30);
    await addSpan("t1", "l1", "llm", "LLM", HOUR + 1_005, 20, llm("gpt", 0.25));
    await addSpan("t2", "a2", "agent", "UNKNOWN", HOUR + 2_000, 10);
    await addSpan("t2", "l2", "llm", "LLM", HOUR + 2_001, 5, llm("claude", 0.5));
    await addSpan("t4", "l4", "llm", "LLM", HOUR + 3_700_000, 40, llm("gpt", 1));
    await addAssessment("a1", "t1", "correct", true);
    await addAssessment("a2", "t2", "correct", false);
    await addAssessment("a3", "t3", "score", 0.8);
    await addAssessment("a4", "t3", "score", 0.4);
    await addAssessment("a5", "t3", "score", 0.1, "feedback", 0);
    await addAssessment("a6", "t4", "tone", "Yes");
    await addAssessment("a7", "t4", "tone", "rude");
    await addAssessment("a8", "t1", "expected", "hi", "expectation");
  });
  afterEach(async () => {
    await opened.close();
  });

  it("counts traces by name and status, and sessions", async () => {
    expect(await query({})).toEqual([[{}, { COUNT: 4 }]]);
    expect(await query({ dimensions: ["trace_name", "trace_status"] })).toEqual([
      [{ trace_name: "agent", trace_status: "ERROR" }, { COUNT: 1 }],
      [{ trace_name: "agent", trace_status: "OK" }, { COUNT: 2 }],
      [{ trace_name: "other", trace_status: "OK" }, { COUNT: 1 }],
    ]);
    expect(await query({ metricName: "session_count" })).toEqual([[{}, { COUNT: 2 }]]);
    expect(await query({ filters: ["trace.status = 'OK'", "trace.tag.team = 'a'"] })).toEqual([
      [{}, { COUNT: 2 }],
    ]);
    expect(await query({ filters: ["trace.metadata.mlflow.trace.session = 's1'"] })).toEqual([
      [{}, { COUNT: 2 }],
    ]);
  });

  it("aggregates latency and token usage, with linear percentiles", async () => {
    expect(
      await query({
        metricName: "latency",
        aggregations: [
          { type: "AVG" },
          { type: "MIN" },
          { type: "MAX" },
          { type: "PERCENTILE", percentile: 50 },
          { type: "PERCENTILE", percentile: 95 },
        ],
        dimensions: ["trace_name"],
      }),
    ).toEqual([
      [{ trace_name: "agent" }, { AVG: 20, MIN: 10, MAX: 30, "P50.0": 20, "P95.0": 29 }],
      [{ trace_name: "other" }, { AVG: 40, MIN: 40, MAX: 40, "P50.0": 40, "P95.0": 40 }],
    ]);
    // t3 has no token usage: it is not a row of the average.
    expect(
      await query({ metricName: "input_tokens", aggregations: [{ type: "SUM" }, { type: "AVG" }] }),
    ).toEqual([[{}, { SUM: 60, AVG: 20 }]]);
  });

  it("buckets by time within the range, and limits the groups", async () => {
    const range = { startTimeMs: HOUR, endTimeMs: HOUR + 7_200_000 };
    expect(await query({ timeIntervalSeconds: 3600, ...range })).toEqual([
      [{ time_bucket: "2026-12-07T03:00:00+00:00" }, { COUNT: 2 }],
      [{ time_bucket: "2026-12-07T04:00:00+00:00" }, { COUNT: 2 }],
    ]);
    expect(await query({ startTimeMs: HOUR + 2_000, endTimeMs: HOUR + 3_600_000 })).toEqual([
      [{}, { COUNT: 2 }],
    ]);
    // Nothing in range: a COUNT is 0, an average is no point at all.
    const empty = { startTimeMs: 0, endTimeMs: 1 };
    expect(await query(empty)).toEqual([[{}, { COUNT: 0 }]]);
    expect(await query({ ...empty, metricName: "latency", aggregations: [{ type: "AVG" }] })).toEqual([]);
    expect(await query({ dimensions: ["trace_name", "trace_status"], maxResults: 1 })).toEqual([
      [{ trace_name: "agent", trace_status: "ERROR" }, { COUNT: 1 }],
    ]);
  });

  it("counts spans, their latency, models and costs", async () => {
    const spans = { viewType: "SPANS" as const, metricName: "span_count" };
    expect(await query({ ...spans, dimensions: ["span_name", "span_type"] })).toEqual([
      [{ span_name: "agent", span_type: "UNKNOWN" }, { COUNT: 2 }],
      [{ span_name: "llm", span_type: "LLM" }, { COUNT: 3 }],
    ]);
    expect(await query({ ...spans, dimensions: ["span_model_name", "span_model_provider"] })).toEqual([
      [{ span_model_name: "claude", span_model_provider: "anthropic" }, { COUNT: 1 }],
      [{ span_model_name: "gpt", span_model_provider: "openai" }, { COUNT: 2 }],
    ]);
    expect(
      await query({
        viewType: "SPANS",
        metricName: "latency",
        aggregations: [{ type: "MAX" }],
        filters: ["span.type = 'LLM'"],
      }),
    ).toEqual([[{}, { MAX: 40 }]]);
    expect(
      await query({
        viewType: "SPANS",
        metricName: "total_cost",
        aggregations: [{ type: "SUM" }, { type: "PERCENTILE", percentile: 25 }],
        dimensions: ["span_model_name"],
      }),
    ).toEqual([
      [{ span_model_name: "claude" }, { SUM: 1, "P25.0": 1 }],
      [{ span_model_name: "gpt" }, { SUM: 2.5, "P25.0": 0.875 }],
    ]);
    expect(
      await query({ ...spans, timeIntervalSeconds: 60, startTimeMs: HOUR, endTimeMs: HOUR + 60_000 }),
    ).toEqual([[{ time_bucket: "2026-12-07T03:00:00+00:00" }, { COUNT: 4 }]]);
  });

  it("counts valid assessments and averages their numeric values", async () => {
    const assessments = { viewType: "ASSESSMENTS" as const };
    expect(
      await query({
        ...assessments,
        metricName: "assessment_count",
        dimensions: ["assessment_name", "assessment_value"],
      }),
    ).toEqual([
      [{ assessment_name: "correct", assessment_value: "false" }, { COUNT: 1 }],
      [{ assessment_name: "correct", assessment_value: "true" }, { COUNT: 1 }],
      [{ assessment_name: "expected", assessment_value: '"hi"' }, { COUNT: 1 }],
      [{ assessment_name: "score", assessment_value: "0.4" }, { COUNT: 1 }],
      [{ assessment_name: "score", assessment_value: "0.8" }, { COUNT: 1 }],
      [{ assessment_name: "tone", assessment_value: '"Yes"' }, { COUNT: 1 }],
      [{ assessment_name: "tone", assessment_value: '"rude"' }, { COUNT: 1 }],
    ]);
    const values = await query({
      ...assessments,
      metricName: "assessment_value",
      aggregations: [{ type: "AVG" }, { type: "MAX" }],
      dimensions: ["assessment_name"],
    });
    expect(values).toEqual([
      [{ assessment_name: "correct" }, { AVG: 0.5, MAX: 1 }],
      [{ assessment_name: "score" }, { AVG: expect.closeTo(0.6, 12) as number, MAX: 0.8 }],
      [{ assessment_name: "tone" }, { AVG: 1, MAX: 1 }],
    ]);
    expect(
      await query({
        ...assessments,
        metricName: "assessment_count",
        filters: ["assessment.type = 'feedback'", "trace.status = 'OK'"],
      }),
    ).toEqual([[{}, { COUNT: 4 }]]);
  });

  it("refuses what mlflow refuses, with its messages", async () => {
    const message = async (q: Partial<TraceMetricsQuery>) => (await rejection(query(q))).message;
    expect(await message({ metricName: "span_count" })).toBe(
      "metric_name must be one of ['trace_count', 'session_count', 'latency', 'input_tokens', 'output_tokens', 'total_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'], got 'span_count'",
    );
    expect(await message({ aggregations: [{ type: "SUM" }, { type: "AVG" }] })).toBe(
      "Found invalid aggregation_type(s): ['AVG', 'SUM']. Supported aggregation types: ['COUNT']",
    );
    expect(
      await message({
        metricName: "latency",
        aggregations: [{ type: "AVG" }],
        dimensions: ["x", "trace_status"],
      }),
    ).toBe("Found invalid dimension(s): ['trace_status', 'x']. Supported dimensions: ['trace_name']");
    expect(await message({ timeIntervalSeconds: 60 })).toBe(
      "start_time_ms and end_time_ms are required if time_interval_seconds is set",
    );
    expect(await message({ filters: ["span.name = 'x'"] })).toBe(
      "Filtering by span is only supported for SPANS view type, got TRACES",
    );
    expect(await message({ filters: ["trace.status = 'a' AND trace.status = 'b'"] })).toBe(
      "Invalid clause(s) in filter string: AND",
    );
    expect(await message({ filters: ["trace.status = 'a' trace.status = 'b'"] })).toBe(
      "Invalid filter: 'trace.status = 'a' trace.status = 'b''. Expected one filter clause.",
    );
    expect(await message({ filters: ["trace.tag.team LIKE 'a'"] })).toBe(
      "Invalid comparator: 'LIKE', only '=' operator is supported",
    );
    expect(await message({ filters: ["trace.status.x = 'a'"] })).toBe(
      "Filtering by status does not require a key, use 'trace.status' instead",
    );
  });

  it("correlates two search filters", async () => {
    const correlate = (filter1: string, filter2: string, baseFilter?: string) =>
      calculateTraceFilterCorrelation(meta, { experimentIds: [experimentId], filter1, filter2, baseFilter });
    expect(await correlate("trace.status = 'ERROR'", "tags.team = 'b'")).toEqual({
      filter1Count: 1,
      filter2Count: 1,
      jointCount: 1,
      totalCount: 4,
      npmi: 1,
      npmiSmoothed: expect.closeTo(0.5849625007211561, 12) as number,
    });
    const based = await correlate("trace.status = 'OK'", "tags.team = 'a'", "name = 'agent'");
    expect([based.filter1Count, based.filter2Count, based.jointCount, based.totalCount]).toEqual([
      2, 2, 2, 3,
    ]);
    expect((await correlate("trace.status = 'ERROR'", "tags.team = 'zzz'")).npmi).toBeNaN();
  });
});

describe("npmi and percentiles", () => {
  it("follow mlflow's policy and numpy's linear method", () => {
    // Values recorded from mlflow 3.17's server.
    const counts = { filter1Count: 1, filter2Count: 3, jointCount: 1, totalCount: 6 };
    expect(npmiFromCounts(counts).npmi).toBeCloseTo(0.3868528072345415, 14);
    expect(npmiFromCounts(counts).npmiSmoothed).toBeCloseTo(0.24221673613591177, 14);
    expect(npmiFromCounts({ ...counts, jointCount: 0, filter2Count: 2 }).npmi).toBe(-1);
    expect(percentile([34, 0, 0, 3, 0], 95)).toBeCloseTo(27.8, 12);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
  });
});
