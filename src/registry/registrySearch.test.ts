import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataDb } from "../db/connect.js";
import { FlowOpsError } from "../errors.js";
import { metadataBackends } from "../../test/support/backends.js";
import { insertExperimentRuns } from "../../test/support/registryRuns.js";
import { createModelVersion, deleteModelVersion, setModelVersionTag } from "./modelVersionStore.js";
import { createRegisteredModel } from "./registeredModelStore.js";
import { searchModelVersions, searchRegisteredModels } from "./registrySearch.js";

const ROOTS = ["mlflow-artifacts:/", "/srv/artifacts"];

/** The artifact directory of the fixture run `run<name>`: a host-less mlflow-artifacts source needs its run. */
const runArtifacts = (name: string) => `mlflow-artifacts:/1/run${name}/artifacts`;

describe.each(metadataBackends())("registry search on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let clock = 1000;
  const now = () => (clock += 10);

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    await insertExperimentRuns(meta.db, { runIds: ["alpha", "beta", "gamma"].map((name) => `run${name}`) });
    // Created in this order, so creation and update times rise: alpha, beta, gamma.
    for (const [name, team] of [
      ["alpha", "Red"],
      ["beta", "red"],
      ["gamma", "blue"],
    ] as const) {
      await createRegisteredModel(meta.db, { name, tags: [{ key: "team", value: team }] }, now());
    }
    for (const name of ["alpha", "beta", "alpha", "gamma", "alpha"]) {
      await createModelVersion(
        meta.db,
        { name, source: runArtifacts(name), run_id: `run${name}` },
        ROOTS,
        now(),
      );
    }
    await setModelVersionTag(meta.db, "alpha", "2", { key: "stage", value: "candidate_1" });
    await deleteModelVersion(meta.db, "alpha", "3", now());
    // A version without a run: a source under a local artifact root needs none.
    await createModelVersion(meta.db, { name: "alpha", source: "/srv/artifacts/alpha" }, ROOTS, now());
    await createRegisteredModel(
      meta.db,
      { name: "prompt", tags: [{ key: "mlflow.prompt.is_prompt", value: "true" }] },
      now(),
    );
  });
  afterAll(async () => close());

  const modelNames = async (request: Parameters<typeof searchRegisteredModels>[1]) =>
    (await searchRegisteredModels(meta, request)).items.map((m) => m.name);
  const versionKeys = async (request: Parameters<typeof searchModelVersions>[1]) =>
    (await searchModelVersions(meta, request)).items.map((v) => `${v.name}/${v.version}`);

  it("orders registered models by name by default and leaves prompts out", async () => {
    expect(await modelNames({})).toEqual(["alpha", "beta", "gamma"]);
  });

  it("matches tags with case-sensitive LIKE and = but case-insensitive ILIKE", async () => {
    expect(await modelNames({ filter: "tags.team LIKE 'r%'" })).toEqual(["beta"]);
    expect(await modelNames({ filter: "tags.team = 'Red'" })).toEqual(["alpha"]);
    expect(await modelNames({ filter: "tags.team ILIKE 'r%'" })).toEqual(["alpha", "beta"]);
    expect(await modelNames({ filter: "tags.team != 'blue'" })).toEqual(["alpha", "beta"]);
    expect(await modelNames({ filter: "tags.missing != 'x'" })).toEqual([]);
    expect(await modelNames({ filter: "name != 'beta' and tags.team ILIKE '%e%'" })).toEqual([
      "alpha",
      "gamma",
    ]);
  });

  it("orders registered models by timestamps with name as the tiebreak", async () => {
    expect(await modelNames({ order_by: ["creation_timestamp DESC"] })).toEqual(["gamma", "beta", "alpha"]);
    // alpha got the last new version, so it was updated last.
    expect(await modelNames({ order_by: ["last_updated_timestamp DESC"] })).toEqual([
      "alpha",
      "gamma",
      "beta",
    ]);
    expect(await modelNames({ order_by: ["timestamp ASC"] })).toEqual(["beta", "gamma", "alpha"]);
  });

  // Regression: the list was quoted as JSON (["name","name DESC"]); MLflow writes Python's repr.
  it("refuses a field named twice in order_by, quoting the list as MLflow does", async () => {
    await expect(modelNames({ order_by: ["name", "name DESC"] })).rejects.toThrow(
      "`order_by` contains duplicate fields: ['name', 'name DESC']",
    );
  });

  it("pages with a token only while more results remain", async () => {
    const first = await searchRegisteredModels(meta, { max_results: 2 });
    expect(first.items.map((m) => m.name)).toEqual(["alpha", "beta"]);
    const second = await searchRegisteredModels(meta, { max_results: 2, page_token: first.nextPageToken });
    expect(second.items.map((m) => m.name)).toEqual(["gamma"]);
    expect(second.nextPageToken).toBeUndefined();
  });

  it("orders model versions by last update, then name, then version, and hides deleted ones", async () => {
    expect(await versionKeys({})).toEqual(["alpha/4", "gamma/1", "alpha/2", "beta/1", "alpha/1"]);
  });

  it("filters model versions by attributes and tags", async () => {
    expect(await versionKeys({ filter: "name = 'alpha'", order_by: ["version_number"] })).toEqual([
      "alpha/1",
      "alpha/2",
      "alpha/4",
    ]);
    expect(await versionKeys({ filter: "run_id IN ('runbeta', 'rungamma')", order_by: ["name"] })).toEqual([
      "beta/1",
      "gamma/1",
    ]);
    expect(await versionKeys({ filter: `source_path = '${runArtifacts("gamma")}'` })).toEqual(["gamma/1"]);
    expect(await versionKeys({ filter: "version_number >= 2 and name = 'alpha'" })).toEqual([
      "alpha/4",
      "alpha/2",
    ]);
    expect(await versionKeys({ filter: "tags.stage LIKE 'candidate\\_%'" })).toEqual(["alpha/2"]);
  });

  // Regression: MLflow 3.17 accepts a list of names; FlowOps answered 400.
  it("filters model versions and models by a list of names with IN and NOT IN", async () => {
    expect(await versionKeys({ filter: "name IN ('beta', 'gamma')", order_by: ["name"] })).toEqual([
      "beta/1",
      "gamma/1",
    ]);
    expect(await versionKeys({ filter: "name NOT IN ('alpha')", order_by: ["name"] })).toEqual([
      "beta/1",
      "gamma/1",
    ]);
    expect(
      await versionKeys({ filter: "run_id NOT IN ('runalpha', 'runbeta')", order_by: ["name"] }),
    ).toEqual(["gamma/1"]);
    const models = await searchRegisteredModels(meta, { filter: "name IN ('alpha', 'gamma')" });
    expect(models.items.map((m) => m.name)).toEqual(["alpha", "gamma"]);
  });

  // MLflow 3.17.2 answers these with a 500; the message named tags as the entity that takes IS NULL.
  it("refuses IS NULL on tags without claiming tags take it", async () => {
    await expect(versionKeys({ filter: "tags.stage IS NULL" })).rejects.toThrow(
      "IS NULL / IS NOT NULL is not supported in this search (tag 'stage')",
    );
    await expect(searchRegisteredModels(meta, { filter: "tags.team IS NOT NULL" })).rejects.toThrow(
      "IS NULL / IS NOT NULL is not supported in this search (tag 'team')",
    );
  });

  it.each([
    [{ filter: "run_id = 'x' OR name = 'y'" }],
    [{ filter: "metrics.acc > 1" }],
    [{ filter: "tags.stage IN ('x')" }],
    [{ filter: "source_path IN ('x')" }],
    [{ order_by: ["name", "name DESC"] }],
    [{ order_by: ["run_id"] }],
    [{ max_results: 200_001 }],
    [{ max_results: 0 }],
    [{ page_token: "not a token" }],
  ])("rejects the model version search %j", async (request) => {
    await expect(searchModelVersions(meta, request)).rejects.toBeInstanceOf(FlowOpsError);
  });
});
