import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetadataDb } from "../db/connect.js";
import { FlowOpsError } from "../errors.js";
import { metadataBackends } from "../../test/support/backends.js";
import { insertExperimentRuns, insertLoggedModel } from "../../test/support/registryRuns.js";
import { deleteRegisteredModelAlias, getModelVersionByAlias, setRegisteredModelAlias } from "./aliasStore.js";
import {
  createModelVersion,
  deleteModelVersion,
  deleteModelVersionTag,
  getModelVersion,
  getModelVersionDownloadUri,
  setModelVersionTag,
  transitionModelVersionStage,
  updateModelVersion,
} from "./modelVersionStore.js";
import {
  createRegisteredModel,
  deleteRegisteredModel,
  deleteRegisteredModelTag,
  getLatestVersions,
  getRegisteredModel,
  renameRegisteredModel,
  setRegisteredModelTag,
  updateRegisteredModel,
} from "./registeredModelStore.js";

const ROOTS = ["mlflow-artifacts:/", "/srv/artifacts"];
const RUN_ID = "0123456789abcdef0123456789abcdef";
/** The artifact directory of the fixture run: a host-less mlflow-artifacts source must lie under its run's. */
const RUN_ARTIFACTS = `mlflow-artifacts:/1/${RUN_ID}/artifacts`;

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlowOpsError);
  expect((error as FlowOpsError).code).toBe(code);
  if (message) expect((error as FlowOpsError).message).toMatch(message);
}

describe.each(metadataBackends())("registry stores on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let clock = 1000;
  const now = () => (clock += 1);

  beforeEach(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    await insertExperimentRuns(meta.db, { runIds: [RUN_ID] });
  });
  afterEach(async () => close());

  const version = (name: string) =>
    createModelVersion(meta.db, { name, source: `${RUN_ARTIFACTS}/model`, run_id: RUN_ID }, ROOTS, now());

  it("creates a registered model with tags and description and refuses a duplicate name", async () => {
    const model = await createRegisteredModel(
      meta.db,
      { name: "m", description: "d", tags: [{ key: "k", value: "v" }] },
      now(),
    );
    expect(model).toMatchObject({
      name: "m",
      description: "d",
      tags: [{ key: "k", value: "v" }],
      aliases: [],
    });
    expect(model.creation_timestamp).toBe(model.last_updated_timestamp);
    await rejects(createRegisteredModel(meta.db, { name: "m" }, now()), "RESOURCE_ALREADY_EXISTS", /name=m/);
    await rejects(createRegisteredModel(meta.db, { name: "" }, now()), "INVALID_PARAMETER_VALUE", /'name'/);
  });

  it("reports a missing registered model as RESOURCE_DOES_NOT_EXIST", async () => {
    await rejects(getRegisteredModel(meta.db, "nope"), "RESOURCE_DOES_NOT_EXIST", /name=nope not found/);
    await rejects(updateRegisteredModel(meta.db, "nope", "x", now()), "RESOURCE_DOES_NOT_EXIST");
    await rejects(deleteRegisteredModel(meta.db, "nope"), "RESOURCE_DOES_NOT_EXIST");
  });

  it("numbers versions per model and never reuses the number of a deleted version", async () => {
    await createRegisteredModel(meta.db, { name: "m" }, now());
    await createRegisteredModel(meta.db, { name: "other" }, now());
    expect((await version("m")).version).toBe("1");
    expect((await version("m")).version).toBe("2");
    expect((await version("other")).version).toBe("1");
    await deleteModelVersion(meta.db, "m", "2", now());
    const third = await version("m");
    expect(third).toMatchObject({ version: "3", status: "READY", current_stage: "None" });
    await rejects(getModelVersion(meta.db, "m", "2"), "RESOURCE_DOES_NOT_EXIST", /version=2/);
  });

  it("hands out distinct version numbers to concurrent creators", async () => {
    await createRegisteredModel(meta.db, { name: "m" }, now());
    const created = await Promise.all(Array.from({ length: 8 }, () => version("m")));
    expect(created.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("refuses a version for a model that does not exist", async () => {
    await rejects(version("ghost"), "RESOURCE_DOES_NOT_EXIST", /name=ghost not found/);
  });

  it("renames a model together with its versions, tags and aliases", async () => {
    await createRegisteredModel(meta.db, { name: "old", tags: [{ key: "t", value: "1" }] }, now());
    await version("old");
    await setModelVersionTag(meta.db, "old", "1", { key: "vt", value: "x" });
    await setRegisteredModelAlias(meta.db, "old", "champion", "1");
    const renamed = await renameRegisteredModel(meta.db, "old", "new", now());
    expect(renamed).toMatchObject({
      name: "new",
      tags: [{ key: "t", value: "1" }],
      aliases: [{ alias: "champion", version: "1" }],
    });
    expect(renamed.latest_versions.map((v) => v.name)).toEqual(["new"]);
    expect(await getModelVersion(meta.db, "new", "1")).toMatchObject({
      tags: [{ key: "vt", value: "x" }],
      aliases: ["champion"],
    });
    await rejects(getRegisteredModel(meta.db, "old"), "RESOURCE_DOES_NOT_EXIST");
    await createRegisteredModel(meta.db, { name: "taken" }, now());
    await rejects(renameRegisteredModel(meta.db, "new", "taken", now()), "RESOURCE_ALREADY_EXISTS", /taken/);
  });

  it("deletes a model with its versions, tags and aliases so the name starts afresh", async () => {
    await createRegisteredModel(meta.db, { name: "m", tags: [{ key: "t", value: "1" }] }, now());
    await version("m");
    await version("m");
    await setRegisteredModelAlias(meta.db, "m", "a", "2");
    await deleteRegisteredModel(meta.db, "m");
    const again = await createRegisteredModel(meta.db, { name: "m" }, now());
    expect(again).toMatchObject({ tags: [], aliases: [], latest_versions: [] });
    expect((await version("m")).version).toBe("1");
  });

  it("updates descriptions of models and versions", async () => {
    await createRegisteredModel(meta.db, { name: "m" }, now());
    await version("m");
    expect(await updateRegisteredModel(meta.db, "m", "new text", now())).toMatchObject({
      description: "new text",
    });
    expect(await updateModelVersion(meta.db, "m", "1", "v text", now())).toMatchObject({
      description: "v text",
    });
    expect((await updateModelVersion(meta.db, "m", "1", undefined, now())).description).toBeUndefined();
  });

  it("keeps the latest version per stage and filters get-latest-versions by stage, any case", async () => {
    await createRegisteredModel(meta.db, { name: "m" }, now());
    for (let i = 0; i < 4; i++) await version("m");
    await transitionModelVersionStage(
      meta.db,
      { name: "m", version: "1", stage: "production", archive_existing_versions: false },
      now(),
    );
    await transitionModelVersionStage(
      meta.db,
      { name: "m", version: "2", stage: "Staging", archive_existing_versions: false },
      now(),
    );
    const model = await getRegisteredModel(meta.db, "m");
    expect(model.latest_versions.map((v) => [v.current_stage, v.version])).toEqual([
      ["Production", "1"],
      ["Staging", "2"],
      ["None", "4"],
    ]);
    const staged = await getLatestVersions(meta.db, "m", ["STAGING", "production"]);
    expect(staged.map((v) => v.version).sort()).toEqual(["1", "2"]);
    expect(await getLatestVersions(meta.db, "m", [])).toHaveLength(3);
    await rejects(
      getLatestVersions(meta.db, "m", ["Live"]),
      "INVALID_PARAMETER_VALUE",
      /Invalid Model Version stage/,
    );
  });

  it("archives the other holders of a stage when asked, and only for active stages", async () => {
    await createRegisteredModel(meta.db, { name: "m" }, now());
    for (let i = 0; i < 3; i++) await version("m");
    const to = (v: string, stage: string, archive: boolean) =>
      transitionModelVersionStage(
        meta.db,
        { name: "m", version: v, stage, archive_existing_versions: archive },
        now(),
      );
    await to("1", "Production", false);
    await to("2", "Production", false);
    await to("3", "Staging", false);
    expect(await to("3", "Production", true)).toMatchObject({ current_stage: "Production" });
    expect((await getModelVersion(meta.db, "m", "1")).current_stage).toBe("Archived");
    expect((await getModelVersion(meta.db, "m", "2")).current_stage).toBe("Archived");
    await rejects(to("1", "Archived", true), "INVALID_PARAMETER_VALUE", /not an Active stage/);
    await rejects(to("1", "Gone", false), "INVALID_PARAMETER_VALUE");
  });

  it("sets, moves, reads and deletes aliases, and drops them with their version", async () => {
    await createRegisteredModel(meta.db, { name: "m" }, now());
    await version("m");
    await version("m");
    await setRegisteredModelAlias(meta.db, "m", "champion", "1");
    await setRegisteredModelAlias(meta.db, "m", "champion", "2");
    expect(await getModelVersionByAlias(meta.db, "m", "champion")).toMatchObject({
      version: "2",
      aliases: ["champion"],
    });
    expect((await getRegisteredModel(meta.db, "m")).aliases).toEqual([{ alias: "champion", version: "2" }]);
    await deleteModelVersion(meta.db, "m", "2", now());
    await rejects(
      getModelVersionByAlias(meta.db, "m", "champion"),
      "INVALID_PARAMETER_VALUE",
      /alias champion not found/,
    );
    await setRegisteredModelAlias(meta.db, "m", "b", "1");
    await deleteRegisteredModelAlias(meta.db, "m", "b");
    await deleteRegisteredModelAlias(meta.db, "m", "b");
    expect((await getRegisteredModel(meta.db, "m")).aliases).toEqual([]);
    await rejects(setRegisteredModelAlias(meta.db, "m", "x", "9"), "RESOURCE_DOES_NOT_EXIST");
  });

  // Regression: FlowOps answered "Registered model alias champion not found." (400); MLflow 3.17.2 a 404.
  it("reads an alias of a missing model as a missing model", async () => {
    await rejects(
      getModelVersionByAlias(meta.db, "absent", "champion"),
      "RESOURCE_DOES_NOT_EXIST",
      /Registered Model with name=absent not found/,
    );
  });

  it.each([
    ["latest", /reserved/],
    ["LaTeSt", /reserved/],
    ["v1", /reserved/],
    ["V22", /reserved/],
    ["bad alias", /Invalid alias name/],
    ["a".repeat(256), /exceeds the maximum length/],
    ["", /cannot be empty/],
  ])("rejects the alias name %j", async (alias, message) => {
    await createRegisteredModel(meta.db, { name: "m" }, now());
    await version("m");
    await rejects(setRegisteredModelAlias(meta.db, "m", alias, "1"), "INVALID_PARAMETER_VALUE", message);
  });

  // MLflow 3.17's `get_model_version_by_alias` answers `latest` (any case) with the newest version not
  // deleted, and validates reserved names only on set (read off mlflow server 3.17.2).
  it("reads the alias latest as the newest live version and deletes a reserved name as a no-op", async () => {
    await createRegisteredModel(meta.db, { name: "m" }, now());
    await rejects(
      getModelVersionByAlias(meta.db, "m", "latest"),
      "RESOURCE_DOES_NOT_EXIST",
      /^Latest version not found for model m\.$/,
    );
    for (let i = 0; i < 3; i++) await version("m");
    expect(await getModelVersionByAlias(meta.db, "m", "latest")).toMatchObject({ name: "m", version: "3" });
    expect((await getModelVersionByAlias(meta.db, "m", "LaTeSt")).version).toBe("3");
    await deleteModelVersion(meta.db, "m", "3", now());
    expect((await getModelVersionByAlias(meta.db, "m", "latest")).version).toBe("2");
    for (const reserved of ["latest", "LaTeSt", "v1", "V22"]) {
      await deleteRegisteredModelAlias(meta.db, "m", reserved);
    }
    expect((await getRegisteredModel(meta.db, "m")).aliases).toEqual([]);
  });

  it("sets, overwrites and deletes tags on models and versions", async () => {
    await createRegisteredModel(meta.db, { name: "m" }, now());
    await version("m");
    await setRegisteredModelTag(meta.db, "m", { key: "k", value: "1" });
    await setRegisteredModelTag(meta.db, "m", { key: "k", value: "2" });
    expect((await getRegisteredModel(meta.db, "m")).tags).toEqual([{ key: "k", value: "2" }]);
    await deleteRegisteredModelTag(meta.db, "m", "k");
    await deleteRegisteredModelTag(meta.db, "m", "k");
    expect((await getRegisteredModel(meta.db, "m")).tags).toEqual([]);
    await setModelVersionTag(meta.db, "m", "1", { key: "k", value: "a" });
    await setModelVersionTag(meta.db, "m", "1", { key: "k", value: "b" });
    expect((await getModelVersion(meta.db, "m", "1")).tags).toEqual([{ key: "k", value: "b" }]);
    await deleteModelVersionTag(meta.db, "m", "1", "k");
    expect((await getModelVersion(meta.db, "m", "1")).tags).toEqual([]);
    await rejects(setModelVersionTag(meta.db, "m", "7", { key: "k", value: "v" }), "RESOURCE_DOES_NOT_EXIST");
    await rejects(
      setRegisteredModelTag(meta.db, "m", { key: "../x", value: "v" }),
      "INVALID_PARAMETER_VALUE",
    );
    await rejects(
      setRegisteredModelTag(meta.db, "m", { key: "k", value: "x".repeat(100_001) }),
      "INVALID_PARAMETER_VALUE",
      /'value' exceeds the maximum length of 100000/,
    );
    await rejects(getModelVersion(meta.db, "m", "one"), "INVALID_PARAMETER_VALUE", /must be an integer/);
  });

  it("resolves a models:/<model_id> source to the logged model's location and source run", async () => {
    const { experimentId } = await insertExperimentRuns(meta.db, {
      runIds: [],
      experimentName: "e",
    });
    await insertLoggedModel(meta.db, "m-0a1b2c", experimentId, "run9");
    await createRegisteredModel(meta.db, { name: "m" }, now());
    const created = await createModelVersion(
      meta.db,
      { name: "m", source: "models:/m-0a1b2c", model_id: "m-0a1b2c" },
      ROOTS,
      now(),
    );
    expect(created).toMatchObject({ source: "models:/m-0a1b2c", model_id: "m-0a1b2c", run_id: "run9" });
    expect(await getModelVersionDownloadUri(meta.db, "m", "1")).toBe(
      "mlflow-artifacts:/1/models/m-0a1b2c/artifacts",
    );
    // mlflow server 3.17.2: a models:/<model_id> source needs the model_id naming that logged model.
    await rejects(
      createModelVersion(meta.db, { name: "m", source: "models:/m-0a1b2c" }, ROOTS, now()),
      "INVALID_PARAMETER_VALUE",
      /^Invalid model version source: 'models:\/m-0a1b2c'\. The model_id request parameter must identify/,
    );
    await rejects(
      createModelVersion(
        meta.db,
        { name: "m", source: "models:/m-missing", model_id: "m-missing" },
        ROOTS,
        now(),
      ),
      "INVALID_PARAMETER_VALUE",
      /Logged model with ID 'm-missing' not found/,
    );
  });

  // mlflow server 3.17.2: a version from `runs:/<run>/model2` and one from `models:/dl/1` (that version) both
  // answer get-download-uri with {"artifact_uri": "runs:/<run>/model2"}.
  it("answers a runs:/ source, and a models:/ source naming it, with the runs:/ URI for download", async () => {
    await insertExperimentRuns(meta.db, {
      runIds: ["abc123"],
      experimentName: "e",
      artifactLocation: "s3://bucket/1",
    });
    await createRegisteredModel(meta.db, { name: "m" }, now());
    const created = await createModelVersion(
      meta.db,
      { name: "m", source: "runs:/abc123/model", run_id: "abc123" },
      ROOTS,
      now(),
    );
    expect(created).toMatchObject({ source: "runs:/abc123/model", run_id: "abc123" });
    expect(await getModelVersionDownloadUri(meta.db, "m", "1")).toBe("runs:/abc123/model");
    const underRun = await createModelVersion(
      meta.db,
      { name: "m", source: "s3://bucket/1/abc123/artifacts/model", run_id: "abc123" },
      ROOTS,
      now(),
    );
    expect(underRun.version).toBe("2");
    const viaModelsUri = await createModelVersion(
      meta.db,
      { name: "m", source: "models:/m/1" },
      ROOTS,
      now(),
    );
    expect(await getModelVersionDownloadUri(meta.db, "m", viaModelsUri.version)).toBe("runs:/abc123/model");
    await rejects(
      createModelVersion(
        meta.db,
        { name: "m", source: "s3://bucket/1/other/artifacts", run_id: "abc123" },
        ROOTS,
        now(),
      ),
      "INVALID_PARAMETER_VALUE",
      /'source'/,
    );
  });
});
