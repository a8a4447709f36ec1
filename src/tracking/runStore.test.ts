import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataBackends } from "../../test/support/backends.js";
import type { MetadataDb } from "../db/connect.js";
import { createExperiment } from "./experimentStore.js";
import { logOutputs } from "./runInputs.js";
import { readRuns } from "./runReader.js";
import { createRun, deleteRun, deleteRunTag, getRun, restoreRun, setRunTag, updateRun } from "./runStore.js";

describe.each(metadataBackends())("run store on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let experimentId: string;

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    experimentId = await createExperiment(meta.db, { name: "runs" }, "mlflow-artifacts:/", 1);
  });
  afterAll(async () => close());

  it("creates a RUNNING run with a uuid4 hex id and an artifact_uri under the experiment", async () => {
    const run = await createRun(
      meta.db,
      { experiment_id: experimentId, user_id: "ann", start_time: 42, run_name: "first" },
      1,
    );
    expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.info).toEqual({
      run_id: run.info.run_id,
      run_uuid: run.info.run_id,
      run_name: "first",
      experiment_id: experimentId,
      user_id: "ann",
      status: "RUNNING",
      start_time: 42,
      artifact_uri: `mlflow-artifacts:/${experimentId}/${run.info.run_id}/artifacts`,
      lifecycle_stage: "active",
    });
    expect(run.data.tags).toEqual([{ key: "mlflow.runName", value: "first" }]);
    expect(run.inputs).toEqual({ dataset_inputs: [], model_inputs: [] });
    expect(run.outputs).toEqual({ model_outputs: [] });
  });

  it("generates an adjective-noun-number name when none is given", async () => {
    const run = await createRun(meta.db, { experiment_id: experimentId }, 1);
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
    expect(run.data.tags).toContainEqual({ key: "mlflow.runName", value: run.info.run_name });
  });

  it("takes the name from the mlflow.runName tag and refuses a conflicting run_name", async () => {
    const run = await createRun(
      meta.db,
      { experiment_id: experimentId, tags: [{ key: "mlflow.runName", value: "from-tag" }] },
      1,
    );
    expect(run.info.run_name).toBe("from-tag");
    await expect(
      createRun(
        meta.db,
        { experiment_id: experimentId, run_name: "a", tags: [{ key: "mlflow.runName", value: "b" }] },
        1,
      ),
    ).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
  });

  it("refuses a run in an unknown experiment", async () => {
    await expect(createRun(meta.db, { experiment_id: "99999" }, 1)).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
  });

  it("updates only the fields given and keeps the name tag in sync", async () => {
    const run = await createRun(meta.db, { experiment_id: experimentId, run_name: "before" }, 1);
    const info = await updateRun(meta.db, run.info.run_id, { status: "FINISHED", end_time: 99 });
    expect(info).toMatchObject({ status: "FINISHED", end_time: 99, run_name: "before" });
    await updateRun(meta.db, run.info.run_id, { run_name: "after" });
    const read = await getRun(meta.db, run.info.run_id);
    expect(read.info).toMatchObject({ run_name: "after", status: "FINISHED", end_time: 99 });
    expect(read.data.tags).toContainEqual({ key: "mlflow.runName", value: "after" });
  });

  it("renames the run when the mlflow.runName tag is set", async () => {
    const run = await createRun(meta.db, { experiment_id: experimentId }, 1);
    await setRunTag(meta.db, run.info.run_id, { key: "mlflow.runName", value: "tag-rename" });
    expect((await getRun(meta.db, run.info.run_id)).info.run_name).toBe("tag-rename");
  });

  it("sets, overwrites and deletes tags, and reports a missing tag", async () => {
    const run = await createRun(meta.db, { experiment_id: experimentId, run_name: "t" }, 1);
    await setRunTag(meta.db, run.info.run_id, { key: "k", value: "1" });
    await setRunTag(meta.db, run.info.run_id, { key: "k", value: "2" });
    expect((await getRun(meta.db, run.info.run_id)).data.tags).toContainEqual({ key: "k", value: "2" });
    await deleteRunTag(meta.db, run.info.run_id, "k");
    await expect(deleteRunTag(meta.db, run.info.run_id, "k")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
  });

  it("validates tag keys and values as MLflow does", async () => {
    const run = await createRun(meta.db, { experiment_id: experimentId }, 1);
    await expect(setRunTag(meta.db, run.info.run_id, { key: "bad!", value: "x" })).rejects.toMatchObject({
      message: expect.stringContaining(
        `Invalid value "bad!" for parameter 'key' supplied: Names may only`,
      ) as unknown,
    });
    await expect(setRunTag(meta.db, run.info.run_id, { key: "../up", value: "x" })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
    await expect(
      setRunTag(meta.db, run.info.run_id, { key: "k".repeat(251), value: "x" }),
    ).rejects.toMatchObject({ message: "'key' exceeds the maximum length of 250 characters" });
  });

  it("soft-deletes and restores a run, refusing writes while it is deleted", async () => {
    const run = await createRun(meta.db, { experiment_id: experimentId }, 1);
    await deleteRun(meta.db, run.info.run_id, 5);
    expect((await getRun(meta.db, run.info.run_id)).info.lifecycle_stage).toBe("deleted");
    await expect(setRunTag(meta.db, run.info.run_id, { key: "k", value: "v" })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: `The run ${run.info.run_id} must be in the 'active' state. Current state is deleted.`,
    });
    await restoreRun(meta.db, run.info.run_id);
    expect((await getRun(meta.db, run.info.run_id)).info.lifecycle_stage).toBe("active");
  });

  it("reports an unknown run with MLflow's message", async () => {
    await expect(getRun(meta.db, "nope")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "Run with id=nope not found",
    });
  });

  it("reads runs in input order, dropping unknown ids", async () => {
    const a = await createRun(meta.db, { experiment_id: experimentId }, 1);
    const b = await createRun(meta.db, { experiment_id: experimentId }, 1);
    const runs = await readRuns(meta.db, [b.info.run_id, "missing", a.info.run_id]);
    expect(runs.map((r) => r.info.run_id)).toEqual([b.info.run_id, a.info.run_id]);
  });

  // mlflow server 3.17.2 keeps these with every digit (curl on runs/create, runs/update, runs/outputs).
  it("keeps start_time, end_time and output steps beyond 2^53 to the last digit", async () => {
    const max = 2n ** 63n - 1n;
    const run = await createRun(meta.db, { experiment_id: experimentId, start_time: max }, 1);
    expect(run.info.start_time).toBe(max);
    const id = run.info.run_id;
    expect((await updateRun(meta.db, id, { end_time: 2n ** 53n + 1n })).end_time).toBe(2n ** 53n + 1n);
    expect((await updateRun(meta.db, id, { end_time: -(2n ** 63n) })).end_time).toBe(-(2n ** 63n));
    await logOutputs(meta.db, id, [{ model_id: "m-wide", step: max }]);
    const [read] = await readRuns(meta.db, [id]);
    expect(read?.info).toMatchObject({ start_time: max, end_time: -(2n ** 63n) });
    expect(read?.outputs.model_outputs).toEqual([{ model_id: "m-wide", step: max }]);
  });

  it("keeps ordinary times as numbers", async () => {
    const run = await createRun(meta.db, { experiment_id: experimentId, start_time: 2 ** 53 - 1 }, 1);
    const info = await updateRun(meta.db, run.info.run_id, { end_time: 5 });
    expect(info).toMatchObject({ start_time: 2 ** 53 - 1, end_time: 5 });
  });
});
