import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment, deleteExperiment } from "../experimentStore.js";
import type { TraceInfo } from "./entities.js";
import { searchTraces } from "./search.js";
import { TraceStore, type NewTrace } from "./store.js";
import { rejection } from "../../../test/support/thrownError.js";

describe.each(metadataBackends())("trace store on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let store: TraceStore;
  let experimentId: string;

  const trace = (id: string, requestTime: number, extra: Partial<NewTrace> = {}): NewTrace => ({
    traceId: id,
    experimentId,
    requestTime,
    executionDuration: 10,
    state: "OK",
    metadata: {},
    tags: {},
    ...extra,
  });
  const ids = (traces: readonly TraceInfo[]) => traces.map((t) => t.traceId);
  const search = async (filter?: string, orderBy?: string[]) =>
    ids((await searchTraces(meta, { experimentIds: [experimentId], filter, orderBy })).traces);

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    store = new TraceStore(meta);
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
  });
  afterEach(async () => {
    await opened.close();
  });

  it("creates a trace with its artifact location and merges a retried create", async () => {
    const created = await store.start(
      trace("tr-1", 1000, { tags: { "mlflow.traceName": "f" }, metadata: { "mlflow.user": "u" } }),
    );
    expect(created).toMatchObject({
      traceId: "tr-1",
      experimentId,
      requestTime: 1000,
      executionDuration: 10,
      state: "OK",
      tags: {
        "mlflow.traceName": "f",
        "mlflow.artifactLocation": `mlflow-artifacts:/${experimentId}/traces/tr-1/artifacts`,
      },
      metadata: { "mlflow.user": "u", "mlflow.trace.infoFinalized": "true" },
    });
    const retried = await store.start(trace("tr-1", 1000, { state: "ERROR", tags: { extra: "x" } }));
    expect(retried.state).toBe("ERROR");
    expect(retried.tags).toMatchObject({ "mlflow.traceName": "f", extra: "x" });
  });

  it("refuses unknown and deleted experiments", async () => {
    expect((await rejection(store.start(trace("tr-1", 1, { experimentId: "999" })))).code).toBe(
      "RESOURCE_DOES_NOT_EXIST",
    );
    await deleteExperiment(meta.db, experimentId, 2);
    expect((await rejection(store.start(trace("tr-1", 1)))).code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("sets and deletes tags; a missing trace or tag is RESOURCE_DOES_NOT_EXIST", async () => {
    await store.start(trace("tr-1", 1));
    await store.setTag("tr-1", "k", "v1");
    await store.setTag("tr-1", "k", "v2");
    expect((await store.get("tr-1")).tags.k).toBe("v2");
    await store.deleteTag("tr-1", "k");
    expect((await store.get("tr-1")).tags.k).toBeUndefined();
    expect((await rejection(store.deleteTag("tr-1", "k"))).message).toBe(
      "No trace tag with key 'k' for trace with ID 'tr-1'",
    );
    expect((await rejection(store.get("tr-x"))).message).toBe("Trace with ID 'tr-x' not found.");
  });

  it("runs the 2.x start/end flow on the same rows", async () => {
    const started = await store.startV2({ experimentId, timestampMs: 100, metadata: { a: "1" }, tags: {} });
    expect(started.state).toBe("IN_PROGRESS");
    expect(started.executionDuration).toBeUndefined();
    const ended = await store.endV2({
      traceId: started.traceId,
      timestampMs: 160,
      state: "OK",
      metadata: { b: "2" },
      tags: { t: "x" },
    });
    expect(ended).toMatchObject({ state: "OK", executionDuration: 60, metadata: { a: "1", b: "2" } });
  });

  it("deletes oldest first by age and count, or by ids", async () => {
    for (const [id, time] of [
      ["tr-a", 10],
      ["tr-b", 20],
      ["tr-c", 30],
      ["tr-d", 40],
    ] as const) {
      await store.start(trace(id, time, { tags: { k: id } }));
    }
    expect(await store.delete({ experimentId, maxTimestampMillis: 30, maxTraces: 2 })).toBe(2);
    expect(await search()).toEqual(["tr-d", "tr-c"]);
    expect(await store.delete({ experimentId, traceIds: ["tr-d", "tr-zz"] })).toBe(1);
    expect(await search()).toEqual(["tr-c"]);
    expect((await rejection(store.delete({ experimentId }))).message).toBe(
      "Either `max_timestamp_millis` or `trace_ids` must be specified.",
    );
  });

  it("filters on attributes, tags and metadata, orders and pages as mlflow does", async () => {
    await store.start(
      trace("tr-a", 10, {
        tags: { "mlflow.traceName": "f", k: "x" },
        metadata: { "mlflow.sourceRun": "r1" },
      }),
    );
    await store.start(trace("tr-b", 20, { state: "ERROR", tags: { "mlflow.traceName": "g", k: "Y" } }));
    await store.start(trace("tr-c", 30, { executionDuration: 50, tags: { "mlflow.traceName": "f" } }));

    expect(await search()).toEqual(["tr-c", "tr-b", "tr-a"]);
    expect(await search("status = 'ERROR'")).toEqual(["tr-b"]);
    expect(await search("trace.status IN ('OK')")).toEqual(["tr-c", "tr-a"]);
    expect(await search("name = 'f' AND timestamp_ms > 10")).toEqual(["tr-c"]);
    expect(await search("execution_time >= 50")).toEqual(["tr-c"]);
    expect(await search("end_time_ms = 80")).toEqual(["tr-c"]);
    // Quoted numbers, as mlflow's SQLite store compares them (numeric affinity, none for the end-time sum).
    expect(await search("timestamp_ms > ' 15 '")).toEqual(["tr-c", "tr-b"]);
    expect(await search("timestamp_ms = '2e1'")).toEqual(["tr-b"]);
    expect(await search("timestamp_ms < 'x'")).toEqual(["tr-c", "tr-b", "tr-a"]);
    expect(await search("timestamp_ms >= 'x'")).toEqual([]);
    expect(await search("end_time_ms > '1'")).toEqual([]);
    expect(await search("end_time_ms != '80'")).toEqual(["tr-c", "tr-b", "tr-a"]);
    expect(await search("tags.k != 'x'")).toEqual(["tr-b"]);
    expect(await search("tags.k ILIKE 'y'")).toEqual(["tr-b"]);
    expect(await search("tags.k LIKE 'y'")).toEqual([]);
    expect(await search("tags.k IS NULL")).toEqual(["tr-c"]);
    expect(await search("run_id = 'r1'")).toEqual(["tr-a"]);
    expect(await search("metadata.`mlflow.sourceRun` IS NOT NULL")).toEqual(["tr-a"]);
    expect(await search(undefined, ["timestamp_ms ASC"])).toEqual(["tr-a", "tr-b", "tr-c"]);
    // Byte order: lowercase "x" sorts after "Y"; traces without the tag come last either way.
    expect(await search(undefined, ["tags.k DESC"])).toEqual(["tr-a", "tr-b", "tr-c"]);
    expect(await search(undefined, ["name"])).toEqual(["tr-c", "tr-a", "tr-b"]);

    const first = await searchTraces(meta, { experimentIds: [experimentId], maxResults: 2 });
    expect(ids(first.traces)).toEqual(["tr-c", "tr-b"]);
    const second = await searchTraces(meta, {
      experimentIds: [experimentId],
      maxResults: 2,
      pageToken: first.nextPageToken,
    });
    expect(ids(second.traces)).toEqual(["tr-a"]);
    expect(second.nextPageToken).toBeUndefined();

    expect((await rejection(search("attribute.bogus = 'x'"))).message).toMatch(
      /^Invalid attribute key 'bogus'/,
    );
    // These traces keep their spans in artifacts (no span rows), so no span filter matches them.
    expect(await search("span.name != 'x'")).toEqual([]);
    // No issue assessment links these traces to the issue.
    expect(await search("issue.id = 'iss-1'")).toEqual([]);
    expect((await rejection(search("tags.k > 'x'"))).message).toMatch(/^Invalid comparator '>'/);
    expect((await rejection(search(undefined, ["tags.k", "tags.k DESC"]))).message).toBe(
      "`order_by` contains duplicate fields: ['tags.k', 'tags.k DESC']",
    );
  });

  it("links traces to a run as mlflow 3.17.2 does: unknown ids skipped, the run not read, no metadata shown", async () => {
    await store.start(trace("tr-a", 10));
    await store.start(trace("tr-b", 20));
    await store.start(trace("tr-c", 30, { metadata: { "mlflow.sourceRun": "r2" } }));
    await store.linkToRun(["tr-a", "tr-unknown"], "r9");
    await store.linkToRun(["tr-a", "tr-c"], "r9");
    await store.linkToRun(["tr-b"], "no-such-run");
    await store.linkToRun(["tr-unknown"], "no-such-run");

    expect((await store.get("tr-a")).metadata).toEqual({ "mlflow.trace.infoFinalized": "true" });
    expect((await store.get("tr-c")).metadata).toEqual({
      "mlflow.sourceRun": "r2",
      "mlflow.trace.infoFinalized": "true",
    });
    // Only `=` reads the links; the other comparators see the metadata alone.
    expect(await search("run_id = 'r9'")).toEqual(["tr-c", "tr-a"]);
    expect(await search("metadata.`mlflow.sourceRun` = 'r9'")).toEqual(["tr-c", "tr-a"]);
    expect(await search("run_id = 'no-such-run'")).toEqual(["tr-b"]);
    expect(await search("run_id = 'r2'")).toEqual(["tr-c"]);
    expect(await search("metadata.`mlflow.sourceRun` != 'r9'")).toEqual(["tr-c"]);
    expect(await search("metadata.`mlflow.sourceRun` IS NULL")).toEqual(["tr-b", "tr-a"]);
    expect(await search("metadata.`mlflow.sourceRun` LIKE 'r9'")).toEqual([]);
    await store.delete({ experimentId, traceIds: ["tr-a"] });
    expect(await search("run_id = 'r9'")).toEqual(["tr-c"]);
  });
});
