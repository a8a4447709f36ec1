import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../test/support/backends.js";
import type { MetadataDb } from "../db/connect.js";
import { searchDatasetSummaries } from "./datasetSummaries.js";
import { createExperiment, deleteExperiment } from "./experimentStore.js";
import { logInputs } from "./runInputs.js";
import { createRun } from "./runStore.js";

const dataset = (name: string, digest: string) => ({
  name,
  digest,
  source_type: "http",
  source: '{"url": "https://example.com/d.csv"}',
});
const context = (value: string) => [{ key: "mlflow.data.context", value }];

// Expected rows and messages are what mlflow 3.17.2's SqlAlchemyStore._search_datasets and handler gave.
describe.each(metadataBackends())("dataset summaries on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let first: string;
  let second: string;

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    first = await createExperiment(meta.db, { name: "first" }, "mlflow-artifacts:/", 1);
    second = await createExperiment(meta.db, { name: "second" }, "mlflow-artifacts:/", 1);
    const runA = await createRun(meta.db, { experiment_id: first }, 1);
    const runB = await createRun(meta.db, { experiment_id: first }, 1);
    const runC = await createRun(meta.db, { experiment_id: second }, 1);
    await logInputs(meta.db, runA.info.run_id, {
      datasets: [
        { dataset: dataset("train", "d1"), tags: [...context("training"), { key: "split", value: "a" }] },
        { dataset: dataset("eval", "d2"), tags: context("evaluation") },
      ],
    });
    await logInputs(meta.db, runB.info.run_id, {
      datasets: [
        { dataset: dataset("train", "d1"), tags: context("training") },
        { dataset: dataset("eval", "d2"), tags: [] },
      ],
    });
    await logInputs(meta.db, runC.info.run_id, { datasets: [{ dataset: dataset("other", "d3"), tags: [] }] });
  });
  afterEach(async () => opened.close());

  it("lists each dataset and context once, leaving out a missing context", async () => {
    expect(await searchDatasetSummaries(meta.db, [first])).toEqual([
      { experiment_id: first, name: "eval", digest: "d2" },
      { experiment_id: first, name: "eval", digest: "d2", context: "evaluation" },
      { experiment_id: first, name: "train", digest: "d1", context: "training" },
    ]);
  });

  it("spans several experiments, reads ids as int() and keeps deleted experiments", async () => {
    await deleteExperiment(meta.db, second, 2);
    const got = await searchDatasetSummaries(meta.db, [` ${second} `, "987654", "9".repeat(30)]);
    expect(got).toEqual([{ experiment_id: second, name: "other", digest: "d3" }]);
  });

  it("refuses what MLflow refuses, with its messages", async () => {
    await expect(searchDatasetSummaries(meta.db, [])).rejects.toThrow(
      "SearchDatasets request must specify at least one experiment_id.",
    );
    await expect(
      searchDatasetSummaries(
        meta.db,
        Array.from({ length: 21 }, (_, i) => String(i)),
      ),
    ).rejects.toThrow(
      "SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.",
    );
    await expect(searchDatasetSummaries(meta.db, ["abc"])).rejects.toThrow(
      "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
    );
  });
});
