import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataDb } from "../db/connect.js";
import { metadataBackends } from "../../test/support/backends.js";
import { insertExperimentRuns } from "../../test/support/registryRuns.js";
import { getModelVersionByAlias, setRegisteredModelAlias } from "./aliasStore.js";
import { createModelVersion, getModelVersion } from "./modelVersionStore.js";
import { createRegisteredModel, getLatestVersions, getRegisteredModel } from "./registeredModelStore.js";
import { searchModelVersions, searchRegisteredModels } from "./registrySearch.js";

const RUN_ID = "0123456789abcdef0123456789abcdef";
const SOURCE = `mlflow-artifacts:/1/${RUN_ID}/artifacts/model`;

/**
 * Where a version lists its aliases, as MLflow 3.17.2's SQL store answered over REST and GraphQL: reads of
 * one version and get-latest-versions list them; search results and a model's latest_versions do not.
 */
describe.each(metadataBackends())("model version aliases on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    await insertExperimentRuns(meta.db, { runIds: [RUN_ID] });
    await createRegisteredModel(meta.db, { name: "m" }, 1);
    for (const time of [2, 3]) {
      await createModelVersion(
        meta.db,
        { name: "m", source: SOURCE, run_id: RUN_ID },
        ["mlflow-artifacts:/"],
        time,
      );
    }
    await setRegisteredModelAlias(meta.db, "m", "champ", "1");
    await setRegisteredModelAlias(meta.db, "m", "alpha", "1");
    await setRegisteredModelAlias(meta.db, "m", "beta", "2");
  });
  afterAll(async () => close());

  it("lists them where one version is read", async () => {
    expect((await getModelVersion(meta.db, "m", "1")).aliases).toEqual(["alpha", "champ"]);
    expect((await getModelVersionByAlias(meta.db, "m", "champ")).aliases).toEqual(["alpha", "champ"]);
    expect((await getLatestVersions(meta.db, "m", [])).map((v) => v.aliases)).toEqual([["beta"]]);
  });

  it("leaves them out of search results and of a model's latest_versions", async () => {
    const found = await searchModelVersions(meta, { filter: "name='m'" });
    expect(found.items.map((v) => [v.version, v.aliases])).toEqual([
      ["2", []],
      ["1", []],
    ]);
    const model = await getRegisteredModel(meta.db, "m");
    expect(model.aliases).toEqual([
      { alias: "alpha", version: "1" },
      { alias: "beta", version: "2" },
      { alias: "champ", version: "1" },
    ]);
    expect(model.latest_versions.map((v) => [v.version, v.aliases])).toEqual([["2", []]]);
    const [searched] = (await searchRegisteredModels(meta, { filter: "name='m'" })).items;
    expect(searched?.latest_versions.map((v) => v.aliases)).toEqual([[]]);
    expect(searched?.aliases).toHaveLength(3);
  });
});
