import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataBackends } from "../../test/support/backends.js";
import type { MetadataDb } from "../db/connect.js";
import { readExperiments } from "./experimentReader.js";
import {
  createExperiment,
  deleteExperiment,
  deleteExperimentTag,
  ensureDefaultExperiment,
  getExperiment,
  getExperimentByName,
  renameExperiment,
  restoreExperiment,
  setExperimentTag,
} from "./experimentStore.js";
import { createRun, getRun } from "./runStore.js";

describe.each(metadataBackends())("experiment store on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  const root = "s3://bucket/prefix/";

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    await ensureDefaultExperiment(meta.db, "mlflow-artifacts:/", 1);
  });
  afterAll(async () => close());

  it("keeps the Default experiment idempotent when several replicas ensure it at once", async () => {
    await Promise.all([1, 2, 3].map(() => ensureDefaultExperiment(meta.db, "mlflow-artifacts:/", 2)));
    const experiment = await getExperiment(meta.db, "0");
    expect(experiment).toMatchObject({
      name: "Default",
      artifact_location: "mlflow-artifacts:/0",
      creation_time: 1,
    });
  });

  it("derives the artifact location from the id and keeps the tags", async () => {
    const id = await createExperiment(
      meta.db,
      { name: "located", tags: [{ key: "k", value: "v" }] },
      root,
      5,
    );
    expect(id).not.toBe("0");
    expect(await getExperiment(meta.db, id)).toEqual({
      experiment_id: id,
      name: "located",
      artifact_location: `s3://bucket/prefix/${id}`,
      lifecycle_stage: "active",
      creation_time: 5,
      last_update_time: 5,
      tags: [{ key: "k", value: "v" }],
    });
  });

  it("keeps an explicit artifact location and refuses runs: URIs and traversal", async () => {
    const id = await createExperiment(meta.db, { name: "explicit", artifact_location: "/data/x" }, root, 1);
    expect((await getExperiment(meta.db, id)).artifact_location).toBe("/data/x");
    await expect(
      createExperiment(meta.db, { name: "bad1", artifact_location: "runs:/abc/model" }, root, 1),
    ).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(
      createExperiment(meta.db, { name: "bad2", artifact_location: "s3://b/a/../../etc" }, root, 1),
    ).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
  });

  it("refuses a duplicate name with RESOURCE_ALREADY_EXISTS and an empty name as invalid", async () => {
    await createExperiment(meta.db, { name: "twice" }, root, 1);
    await expect(createExperiment(meta.db, { name: "twice" }, root, 1)).rejects.toMatchObject({
      code: "RESOURCE_ALREADY_EXISTS",
    });
    await expect(createExperiment(meta.db, { name: "" }, root, 1)).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
  });

  it("reports unknown ids and names as RESOURCE_DOES_NOT_EXIST", async () => {
    await expect(getExperiment(meta.db, "987654")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "No Experiment with id=987654 exists",
    });
    // MLflow 3.17.2 (`_parse_experiment_id`): not an integer is a 400, not a 404.
    await expect(getExperiment(meta.db, "not-a-number")).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: "Invalid experiment ID 'not-a-number'. Experiment ID must be a valid integer.",
    });
    await expect(getExperiment(meta.db, "99999999999999999999")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
    await expect(getExperimentByName(meta.db, "x")).rejects.toMatchObject({
      message: "Could not find experiment with name 'x'",
    });
  });

  it("renames an experiment and refuses a name in use", async () => {
    const id = await createExperiment(meta.db, { name: "old-name" }, root, 1);
    await createExperiment(meta.db, { name: "taken" }, root, 1);
    await renameExperiment(meta.db, id, "new-name", 9);
    expect(await getExperimentByName(meta.db, "new-name")).toMatchObject({
      experiment_id: id,
      last_update_time: 9,
    });
    await expect(renameExperiment(meta.db, id, "taken", 10)).rejects.toMatchObject({
      code: "RESOURCE_ALREADY_EXISTS",
    });
  });

  it("soft-deletes an experiment with its runs, still serves it by id, and restores both", async () => {
    const id = await createExperiment(meta.db, { name: "to-delete" }, root, 1);
    const run = await createRun(meta.db, { experiment_id: id }, 1);
    await deleteExperiment(meta.db, id, 7);
    expect((await getExperiment(meta.db, id)).lifecycle_stage).toBe("deleted");
    expect((await getRun(meta.db, run.info.run_id)).info.lifecycle_stage).toBe("deleted");
    await expect(createRun(meta.db, { experiment_id: id }, 1)).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
    await restoreExperiment(meta.db, id, 8);
    expect((await getExperiment(meta.db, id)).lifecycle_stage).toBe("active");
    expect((await getRun(meta.db, run.info.run_id)).info.lifecycle_stage).toBe("active");
  });

  // mlflow 3.17.2's server, asked the same (ids sent as " <id>" and "+<id>").
  it("refuses a call for the wrong stage as mlflow's SQL store does", async () => {
    const id = await createExperiment(meta.db, { name: "stages" }, root, 1);
    await expect(restoreExperiment(meta.db, ` ${id}`, 2)).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: `No Experiment with id=${id} exists`,
    });
    await deleteExperiment(meta.db, id, 3);
    await expect(deleteExperiment(meta.db, `+${id}`, 4)).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: `No Experiment with id=${id} exists`,
    });
    await expect(renameExperiment(meta.db, id, "renamed", 5)).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: "Cannot rename a non-active experiment.",
    });
    await expect(setExperimentTag(meta.db, ` ${id}`, { key: "k", value: "v" })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: `The experiment ${id} must be in the 'active' state. Current state is deleted.`,
    });
  });

  it("deletes and restores the Default experiment, as MLflow 3's SQL store does", async () => {
    await deleteExperiment(meta.db, "0", 1);
    expect((await getExperiment(meta.db, "0")).lifecycle_stage).toBe("deleted");
    await restoreExperiment(meta.db, "0", 2);
    expect((await getExperiment(meta.db, "0")).lifecycle_stage).toBe("active");
  });

  it("upserts and deletes experiment tags", async () => {
    const id = await createExperiment(meta.db, { name: "tagged" }, root, 1);
    await setExperimentTag(meta.db, id, { key: "a", value: "1" });
    await setExperimentTag(meta.db, id, { key: "a", value: "2" });
    expect((await getExperiment(meta.db, id)).tags).toEqual([{ key: "a", value: "2" }]);
    await deleteExperimentTag(meta.db, id, "a");
    expect((await getExperiment(meta.db, id)).tags).toEqual([]);
    await expect(deleteExperimentTag(meta.db, id, "a")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
  });

  it("accepts experiment tag values up to 20000 characters and refuses longer ones", async () => {
    const id = await createExperiment(meta.db, { name: "long-tags" }, root, 1);
    await setExperimentTag(meta.db, id, { key: "note:v1", value: "x".repeat(20000) });
    expect((await getExperiment(meta.db, id)).tags[0]?.value).toHaveLength(20000);
    await expect(setExperimentTag(meta.db, id, { key: "n", value: "x".repeat(20001) })).rejects.toThrow(
      "'value' exceeds the maximum length of 20000 characters",
    );
  });

  it("reads experiments in input order and drops unknown ids", async () => {
    const a = await createExperiment(meta.db, { name: "order-a" }, root, 1);
    const b = await createExperiment(meta.db, { name: "order-b" }, root, 1);
    const read = await readExperiments(meta.db, [Number(b), 424242, Number(a)]);
    expect(read.map((e) => e.experiment_id)).toEqual([b, a]);
  });
});
