import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment } from "../experimentStore.js";
import { calculateTraceFilterCorrelation } from "./filterCorrelation.js";
import { searchTraces } from "./search.js";
import { TraceStore } from "./store.js";

// Mon Dec 07 2026 03:00:00 UTC.
const START_MS = 1_796_612_400_000;

/** Each trace's spans as name and status; the team tag where it has one. */
const TRACES: Record<string, { team?: string; spans: [string, string][] }> = {
  "tr-a": { team: "a", spans: [["llm", "OK"]] },
  "tr-b": { team: "b", spans: [["broken", "ERROR"]] },
  "tr-c": {
    team: "a",
    spans: [
      ["broken", "ERROR"],
      ["llm", "OK"],
    ],
  },
  "tr-d": { spans: [] },
};

describe.each(metadataBackends())("trace filter correlation on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let experimentId: string;

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    for (const [i, [traceId, trace]] of Object.entries(TRACES).entries()) {
      await new TraceStore(meta).start({
        traceId,
        experimentId,
        requestTime: START_MS + i,
        executionDuration: 1,
        state: "OK",
        tags: trace.team === undefined ? {} : { team: trace.team },
        metadata: {},
      });
      for (const [j, [name, status]] of trace.spans.entries()) {
        const start = `${START_MS + i}000000`;
        await sql`insert into spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, content)
          values (${traceId}, ${Number(experimentId)}, ${`s${j}`}, ${null}, ${name}, ${"UNKNOWN"}, ${status}, ${start}, ${start}, ${"{}"})`.execute(
          meta.db,
        );
      }
    }
  });
  afterEach(async () => {
    await opened.close();
  });

  const correlate = (filter1: string, filter2: string, baseFilter?: string, experimentIds = [experimentId]) =>
    calculateTraceFilterCorrelation(meta, { experimentIds, filter1, filter2, baseFilter });
  const searched = async (filter: string) =>
    new Set(
      (await searchTraces(meta, { experimentIds: [experimentId], filter })).traces.map((t) => t.traceId),
    );

  it("counts what the trace searches of each filter find", async () => {
    const filters = ["tags.team = 'a'", "span.name = 'broken'", "span.status = 'OK'", "tags.team != 'b'", ""];
    for (const base of [undefined, "span.name = 'llm'", "tags.team = 'a'"]) {
      for (const filter1 of filters) {
        for (const filter2 of filters) {
          const combine = (f: string) => (base === undefined ? f : `${base} and ${f}`);
          const matching1 = await searched(combine(filter1));
          const matching2 = await searched(combine(filter2));
          const counts = await correlate(filter1, filter2, base);
          expect([counts.filter1Count, counts.filter2Count, counts.jointCount, counts.totalCount]).toEqual([
            matching1.size,
            matching2.size,
            [...matching1].filter((id) => matching2.has(id)).length,
            (await searched(base ?? "")).size,
          ]);
        }
      }
    }
  });

  it("holds each filter's span clauses, with the base filter's, on one span, but not the two filters'", async () => {
    // tr-c has a broken span and an OK span, but no broken OK span.
    expect(await correlate("span.name = 'broken'", "span.status = 'OK'")).toMatchObject({
      filter1Count: 2,
      filter2Count: 2,
      jointCount: 1,
      totalCount: 4,
    });
    expect(await correlate("span.status = 'ERROR'", "tags.team = 'a'", "span.name = 'llm'")).toMatchObject({
      filter1Count: 0,
      filter2Count: 2,
      jointCount: 0,
      totalCount: 2,
    });
  });

  it("refuses the filters a search refuses, and counts nothing without experiments", async () => {
    expect((await rejection(correlate("tags.team = 'a'", "bogus = 1"))).message).toBe(
      (await rejection(searchTraces(meta, { experimentIds: [experimentId], filter: "bogus = 1" }))).message,
    );
    expect(await correlate("tags.team = 'a'", "span.name = 'llm'", undefined, [])).toMatchObject({
      filter1Count: 0,
      totalCount: 0,
    });
    expect(await rejection(correlate("tags.team = 'a'", "bogus = 1", undefined, []))).toBeInstanceOf(Error);
  });
});
