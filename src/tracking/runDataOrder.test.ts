import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataBackends } from "../../test/support/backends.js";
import type { MetadataDb } from "../db/connect.js";
import { createExperiment } from "./experimentStore.js";
import { readRuns } from "./runReader.js";
import { logBatch, logMetric, logParam } from "./runLogging.js";
import { createRun, deleteRunTag, getRun, setRunTag, updateRun } from "./runStore.js";

/** What MLflow 3.17.2's SQL store over SQLite answered for the same calls (get-run and search-runs alike). */
describe.each(metadataBackends())("a run's data order on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let experimentId: string;

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    experimentId = await createExperiment(meta.db, { name: "order" }, "mlflow-artifacts:/", 1);
  });
  afterAll(async () => close());

  it("gives params, tags and latest metrics in first-logged order, as MLflow's SQL store does", async () => {
    const tags = [
      { key: "zeta", value: "1" },
      { key: "alpha", value: "2" },
      { key: "mid", value: "3" },
    ];
    const created = await createRun(meta.db, { experiment_id: experimentId, tags }, 1);
    const runId = created.info.run_id;
    expect(created.data.tags.map((t) => t.key)).toEqual(["zeta", "alpha", "mid", "mlflow.runName"]);
    await logBatch(meta.db, runId, {
      params: ["p_z", "p_a", "p_m"].map((key) => ({ key, value: "1" })),
      metrics: [
        { key: "m_z", value: 1, timestamp: 1, step: 0 },
        { key: "m_a", value: 1, timestamp: 1, step: 0 },
        { key: "m_z", value: 2, timestamp: 1, step: 1 },
      ],
      tags: [
        { key: "t_z", value: "1" },
        { key: "alpha", value: "upd" },
        { key: "t_a", value: "1" },
        { key: "t_z", value: "2" },
      ],
    });
    await logParam(meta.db, runId, { key: "p_b", value: "1" });
    await logMetric(meta.db, runId, { key: "m_b", value: 1, timestamp: 1, step: 0 });
    await logMetric(meta.db, runId, { key: "m_z", value: 5, timestamp: 2, step: 7 });
    await setRunTag(meta.db, runId, { key: "t_b", value: "1" });
    await setRunTag(meta.db, runId, { key: "zeta", value: "again" });
    await deleteRunTag(meta.db, runId, "mid");
    await setRunTag(meta.db, runId, { key: "mid", value: "back" });
    await setRunTag(meta.db, runId, { key: "mlflow.runName", value: "renamed" });
    await updateRun(meta.db, runId, { run_name: "renamed2" });
    await logBatch(meta.db, runId, {
      params: [{ key: "p_0", value: "1" }],
      metrics: [
        { key: "m_0", value: 1, timestamp: 1, step: 0 },
        { key: "m_a", value: 9, timestamp: 9, step: 9 },
      ],
      tags: [
        { key: "t_0", value: "x" },
        { key: "mlflow.runName", value: "batchname" },
        { key: "t_00", value: "y" },
      ],
    });
    const other = (await createRun(meta.db, { experiment_id: experimentId, run_name: "second" }, 2)).info
      .run_id;
    await setRunTag(meta.db, other, { key: "b", value: "1" });
    await setRunTag(meta.db, runId, { key: "t_late", value: "1" });
    await setRunTag(meta.db, other, { key: "a", value: "1" });

    const [run, second] = await readRuns(meta.db, [runId, other]);
    for (const read of [run, await getRun(meta.db, runId)]) {
      expect(read?.data.metrics.map((m) => [m.key, m.value])).toEqual([
        ["m_z", 5],
        ["m_a", 9],
        ["m_b", 1],
        ["m_0", 1],
      ]);
      expect(read?.data.params.map((p) => p.key)).toEqual(["p_z", "p_a", "p_m", "p_b", "p_0"]);
      expect(read?.data.tags.map((t) => t.key)).toEqual([
        "zeta",
        "alpha",
        "mlflow.runName",
        "t_z",
        "t_a",
        "t_b",
        "mid",
        "t_0",
        "t_00",
        "t_late",
      ]);
    }
    expect(second?.data.tags.map((t) => t.key)).toEqual(["mlflow.runName", "b", "a"]);
  });
});
