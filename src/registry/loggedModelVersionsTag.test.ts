import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetadataDb } from "../db/connect.js";
import { metadataBackends } from "../../test/support/backends.js";
import { insertExperimentRuns, insertLoggedModel } from "../../test/support/registryRuns.js";
import { MODEL_VERSIONS_TAG, modelVersionsTagValue } from "./loggedModelVersionsTag.js";
import { createModelVersion } from "./modelVersionStore.js";
import { createRegisteredModel } from "./registeredModelStore.js";

// Values as mlflow 3.17.2's set_model_versions_tags writes them (json.dumps of the list it builds).
describe("modelVersionsTagValue", () => {
  it("starts the list, then appends in Python's json.dumps spelling", () => {
    expect(modelVersionsTagValue(undefined, "reg", 1)).toBe('[{"name": "reg", "version": 1}]');
    // What the official client's register_model leaves after the server's entry: the version as a string.
    const afterClient = '[{"name": "reg", "version": 1}, {"name": "reg", "version": "1"}]';
    expect(modelVersionsTagValue(afterClient, "reg", 2)).toBe(
      '[{"name": "reg", "version": 1}, {"name": "reg", "version": "1"}, {"name": "reg", "version": 2}]',
    );
    expect(modelVersionsTagValue("[]", "caf\u00e9", 3)).toBe('[{"name": "caf\\u00e9", "version": 3}]');
  });

  it("keeps MLflow's answer when an equal entry is already listed: the new entry alone", () => {
    expect(
      modelVersionsTagValue('[{"version": 2.0, "name": "a"}, {"name": "b", "version": 1}]', "a", 2),
    ).toBe('[{"name": "a", "version": 2}]');
  });

  it("replaces a value that is not a JSON list", () => {
    expect(modelVersionsTagValue("not json", "a", 1)).toBe('[{"name": "a", "version": 1}]');
    expect(modelVersionsTagValue('{"name": "a"}', "a", 1)).toBe('[{"name": "a", "version": 1}]');
  });
});

describe.each(metadataBackends())("a version registered from a logged model on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let clock = 1000;
  const now = () => (clock += 1);

  beforeEach(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
  });
  afterEach(async () => close());

  const tagsOf = async (modelId: string) =>
    meta.db
      .selectFrom("logged_model_tags")
      .select(["key", "value"])
      .where("model_id", "=", modelId)
      .execute();

  it("is listed in the logged model's mlflow.modelVersions tag", async () => {
    const { experimentId } = await insertExperimentRuns(meta.db, { runIds: [], experimentName: "e" });
    await insertLoggedModel(meta.db, "m-0a1b2c", experimentId, null);
    await createRegisteredModel(meta.db, { name: "reg" }, now());
    await createRegisteredModel(meta.db, { name: "other" }, now());
    const source = { source: "models:/m-0a1b2c", model_id: "m-0a1b2c" };
    await createModelVersion(meta.db, { name: "reg", ...source }, [], now());
    expect(await tagsOf("m-0a1b2c")).toEqual([
      { key: MODEL_VERSIONS_TAG, value: '[{"name": "reg", "version": 1}]' },
    ]);
    await createModelVersion(meta.db, { name: "reg", ...source }, [], now());
    await createModelVersion(meta.db, { name: "other", ...source }, [], now());
    expect(await tagsOf("m-0a1b2c")).toEqual([
      {
        key: MODEL_VERSIONS_TAG,
        value:
          '[{"name": "reg", "version": 1}, {"name": "reg", "version": 2}, {"name": "other", "version": 1}]',
      },
    ]);
  });
});
