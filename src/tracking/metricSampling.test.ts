/**
 * The run charts' sampling against what `mlflow server` 3.17.2 (SQLite store) answered for the same points,
 * read off get-history-bulk-interval with curl: 13 points on steps 0..9, three of them on step 3 and a NaN
 * logged last on step 9.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataBackends } from "../../test/support/backends.js";
import type { MetadataDb } from "../db/connect.js";
import { createExperiment } from "./experimentStore.js";
import { getMetricHistoryBulkInterval, type StepInterval } from "./metricSampling.js";
import { logBatch } from "./runLogging.js";
import { createRun } from "./runStore.js";

const POINTS = [
  ...Array.from({ length: 10 }, (_, step) => ({ key: "s", value: step, timestamp: 1000 + step, step })),
  { key: "s", value: 30, timestamp: 900, step: 3 },
  { key: "s", value: -1, timestamp: 1003, step: 3 },
  { key: "s", value: Number.NaN, timestamp: 2000, step: 9 },
];

describe.each(metadataBackends())("metric sampling on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let runId: string;

  const sample = async (interval: StepInterval) =>
    (await getMetricHistoryBulkInterval(meta.db, [runId], "s", interval)).map(
      (m) => [m.step, m.timestamp, Number.isNaN(m.value) ? "NaN" : m.value] as const,
    );

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    const experimentId = await createExperiment(meta.db, { name: "sampling" }, "mlflow-artifacts:/", 1);
    runId = (await createRun(meta.db, { experiment_id: experimentId }, 1)).info.run_id;
    await logBatch(meta.db, runId, { metrics: POINTS });
  });
  afterAll(async () => close());

  // Regression: FlowOps sampled distinct steps (MLflow before 3.17) and answered max_results=3 with four
  // points, [0, 1, 3, 4] on a five-step history where MLflow answers [0, 2, 4].
  it("keeps the first point of each NTILE bucket and ends on the run's last point", async () => {
    expect(await sample({ maxResults: 1 })).toEqual([[9, 2000, "NaN"]]);
    expect(await sample({ maxResults: 2 })).toEqual([
      [0, 1000, 0],
      [9, 2000, "NaN"],
    ]);
    expect(await sample({ maxResults: 3 })).toEqual([
      [0, 1000, 0],
      [3, 1003, 3],
      [9, 2000, "NaN"],
    ]);
    expect(await sample({ maxResults: 4 })).toEqual([
      [0, 1000, 0],
      [3, 1003, -1],
      [5, 1005, 5],
      [9, 2000, "NaN"],
    ]);
    expect(await sample({ maxResults: 5 })).toEqual([
      [0, 1000, 0],
      [3, 900, 30],
      [4, 1004, 4],
      [7, 1007, 7],
      [9, 2000, "NaN"],
    ]);
    expect(await sample({ maxResults: 7 })).toEqual([
      [0, 1000, 0],
      [2, 1002, 2],
      [3, 1003, -1],
      [4, 1004, 4],
      [6, 1006, 6],
      [8, 1008, 8],
      [9, 2000, "NaN"],
    ]);
  });

  it("returns every point, several per step, when they fit", async () => {
    expect(await sample({ maxResults: 20 })).toHaveLength(POINTS.length);
  });

  it("samples within a step range", async () => {
    expect(await sample({ startStep: 2, endStep: 6, maxResults: 2 })).toEqual([
      [2, 1002, 2],
      [6, 1006, 6],
    ]);
    expect(await sample({ startStep: 2, endStep: 6, maxResults: 3 })).toEqual([
      [2, 1002, 2],
      [3, 1003, 3],
      [6, 1006, 6],
    ]);
  });

  it("answers a repeated run id again, as MLflow's loop over run_ids does", async () => {
    const metrics = await getMetricHistoryBulkInterval(meta.db, [runId, runId], "s", { maxResults: 2 });
    expect(metrics.map((m) => m.step)).toEqual([0, 9, 0, 9]);
  });
});
