import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../test/support/backends.js";
import type { MetadataDb } from "../db/connect.js";
import { createModelVersion } from "../registry/modelVersionStore.js";
import { createRegisteredModel } from "../registry/registeredModelStore.js";
import { createExperiment } from "../tracking/experimentStore.js";
import { logInputs } from "../tracking/runInputs.js";
import { readRuns } from "../tracking/runReader.js";
import { createRun } from "../tracking/runStore.js";
import {
  getDatasetVersion,
  lineageOfModelVersion,
  linkDatasetVersionToRun,
  listDatasetVersions,
  recordDatasetVersion,
  runsOfDatasetVersion,
  type RecordDatasetVersionInput,
} from "./datasetVersions.js";
import { rejection } from "../../test/support/thrownError.js";

const TRAIN: RecordDatasetVersionInput = {
  name: "data/train",
  path: "data/train",
  md5: "5fc28ea78987408341668eba6525ebd1.dir",
  size: 1234,
  nfiles: 3,
  remote: "storage",
  git_commit: "0123456789abcdef0123456789abcdef01234567",
  created_by: "ann",
};
const LABELS: RecordDatasetVersionInput = {
  name: "labels.csv",
  path: "labels.csv",
  md5: "d41d8cd98f00b204e9800998ecf8427e",
  size: 0,
};

describe.each(metadataBackends())("dataset version store on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let experimentId: string;
  let clock: number;
  const now = () => (clock += 1);

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    clock = 1_700_000_000_000;
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", now());
  });
  afterEach(async () => {
    await opened.close();
  });

  const newRun = async () => (await createRun(meta.db, { experiment_id: experimentId }, now())).info;

  it("records a version with every field and reads it back by id", async () => {
    const { datasetVersion, created } = await recordDatasetVersion(meta.db, TRAIN, now());
    expect(created).toBe(true);
    expect(datasetVersion.id).toMatch(/^[0-9a-f]{32}$/);
    expect(datasetVersion).toEqual({ id: datasetVersion.id, ...TRAIN, created_at: clock });
    expect(await getDatasetVersion(meta.db, datasetVersion.id)).toEqual(datasetVersion);
  });

  it("returns the existing version when the same name and md5 are recorded again", async () => {
    const first = await recordDatasetVersion(meta.db, TRAIN, now());
    const again = await recordDatasetVersion(meta.db, { ...TRAIN, created_by: "bob" }, now());
    expect(again.created).toBe(false);
    expect(again.datasetVersion).toEqual(first.datasetVersion);
  });

  it("omits the optional fields a file version does not have", async () => {
    const { datasetVersion } = await recordDatasetVersion(meta.db, LABELS, now());
    expect(Object.keys(datasetVersion).sort()).toEqual(["created_at", "id", "md5", "name", "path", "size"]);
  });

  it("lists versions newest first, optionally of one name", async () => {
    const a = (await recordDatasetVersion(meta.db, TRAIN, now())).datasetVersion;
    const b = (await recordDatasetVersion(meta.db, LABELS, now())).datasetVersion;
    const c = (
      await recordDatasetVersion(
        meta.db,
        { ...TRAIN, md5: "5fb6b29836c388e093ca0715c872fe2a.dir", nfiles: 2 },
        now(),
      )
    ).datasetVersion;
    expect((await listDatasetVersions(meta.db)).map((v) => v.id)).toEqual([c.id, b.id, a.id]);
    expect((await listDatasetVersions(meta.db, { name: "data/train" })).map((v) => v.id)).toEqual([
      c.id,
      a.id,
    ]);
    expect(await listDatasetVersions(meta.db, { name: "nothing" })).toEqual([]);
  });

  it("rejects a malformed md5, a negative size and nfiles on a file", async () => {
    expect((await rejection(recordDatasetVersion(meta.db, { ...LABELS, md5: "abc" }, 1))).message).toMatch(
      /md5 must be 32 hex digits/,
    );
    expect((await rejection(recordDatasetVersion(meta.db, { ...LABELS, size: -1 }, 1))).code).toBe(
      "INVALID_PARAMETER_VALUE",
    );
    expect((await rejection(recordDatasetVersion(meta.db, { ...LABELS, nfiles: 2 }, 1))).message).toMatch(
      /only meaningful for a directory/,
    );
  });

  it("reports an unknown id as RESOURCE_DOES_NOT_EXIST", async () => {
    const error = await rejection(getDatasetVersion(meta.db, "nope"));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toMatch(/'nope'/);
  });

  it("links a version to a run as an MLflow dataset input with digest md5 and source type dvc", async () => {
    const run = await newRun();
    const version = (await recordDatasetVersion(meta.db, TRAIN, now())).datasetVersion;
    await linkDatasetVersionToRun(meta.db, version.id, run.run_id, { context: "training" });
    // Linking twice is a no-op, as MLflow's log-inputs.
    await linkDatasetVersionToRun(meta.db, version.id, run.run_id, { context: "training" });
    const [read] = await readRuns(meta.db, [run.run_id]);
    expect(read?.inputs.dataset_inputs).toEqual([
      {
        tags: [{ key: "mlflow.data.context", value: "training" }],
        dataset: {
          name: "data/train",
          digest: TRAIN.md5,
          source_type: "dvc",
          source: JSON.stringify({
            path: "data/train",
            md5: TRAIN.md5,
            remote: "storage",
            git_commit: TRAIN.git_commit,
          }),
        },
      },
    ]);
    expect(await runsOfDatasetVersion(meta.db, version.id)).toEqual([run.run_id]);
  });

  it("refuses to link to a run that does not exist", async () => {
    const version = (await recordDatasetVersion(meta.db, TRAIN, now())).datasetVersion;
    expect((await rejection(linkDatasetVersionToRun(meta.db, version.id, "missing-run"))).code).toBe(
      "RESOURCE_DOES_NOT_EXIST",
    );
  });

  it("traces a model version to its run and the dataset versions the run consumed", async () => {
    const run = await newRun();
    const other = await newRun();
    const train = (await recordDatasetVersion(meta.db, TRAIN, now())).datasetVersion;
    const labels = (await recordDatasetVersion(meta.db, LABELS, now())).datasetVersion;
    const unrelated = (
      await recordDatasetVersion(
        meta.db,
        { ...LABELS, md5: "0cc175b9c0f1b6a831c399e269772661", size: 1 },
        now(),
      )
    ).datasetVersion;
    await linkDatasetVersionToRun(meta.db, labels.id, run.run_id);
    await linkDatasetVersionToRun(meta.db, train.id, run.run_id);
    await linkDatasetVersionToRun(meta.db, unrelated.id, other.run_id);
    // A dataset input with no recorded version is not part of the lineage.
    await logInputs(meta.db, run.run_id, {
      datasets: [{ tags: [], dataset: { name: "df", digest: "abc", source_type: "code", source: "{}" } }],
    });
    await createRegisteredModel(meta.db, { name: "churn" }, now());
    await createModelVersion(
      meta.db,
      { name: "churn", source: `${run.artifact_uri}/model`, run_id: run.run_id },
      ["mlflow-artifacts:/"],
      now(),
    );

    const lineage = await lineageOfModelVersion(meta.db, "churn", "1");
    expect(lineage.model_version).toMatchObject({ name: "churn", version: "1", run_id: run.run_id });
    expect(lineage.run).toMatchObject({ run_id: run.run_id, experiment_id: experimentId, status: "RUNNING" });
    expect(lineage.datasets).toEqual([train, labels]);
  });

  it("returns an empty lineage for a model version without a run", async () => {
    await createRegisteredModel(meta.db, { name: "bare" }, now());
    // A host-less mlflow-artifacts source needs its run; one under a local artifact root needs none.
    await createModelVersion(
      meta.db,
      { name: "bare", source: "/srv/artifacts/1/x/model" },
      ["mlflow-artifacts:/", "/srv/artifacts"],
      now(),
    );
    const lineage = await lineageOfModelVersion(meta.db, "bare", 1);
    expect(lineage.run).toBeUndefined();
    expect(lineage.model_version.run_id).toBeUndefined();
    expect(lineage.datasets).toEqual([]);
  });

  it("reports a missing model version the way the registry does", async () => {
    const error = await rejection(lineageOfModelVersion(meta.db, "ghost", "3"));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toBe("Model Version (name=ghost, version=3) not found");
  });
});
