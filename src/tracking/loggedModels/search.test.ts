import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import type { MetadataDb } from "../../db/connect.js";
import { FlowOpsError } from "../../errors.js";
import { createExperiment } from "../experimentStore.js";
import { recordLoggedModelMetrics } from "./metrics.js";
import { searchLoggedModels } from "./search.js";
import { LoggedModelStore } from "./store.js";

describe.each(metadataBackends())("logged model search on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let experimentId: string;
  const ids: Record<string, string> = {};

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    let clock = 1000;
    const store = new LoggedModelStore(meta, () => clock);
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", clock);
    const specs = [
      { name: "alpha", type: "Classifier", run: "run1", acc: 0.7, lr: "0.1" },
      { name: "beta", type: "Regressor", run: "run1", acc: 0.9, lr: "0.2" },
      { name: "Gamma", type: "Classifier", run: "run2", acc: undefined, lr: "0.3" },
    ];
    for (const spec of specs) {
      clock += 10;
      const model = await store.create({
        experimentId,
        name: spec.name,
        modelType: spec.type,
        sourceRunId: spec.run,
        params: [{ key: "lr", value: spec.lr }],
        tags: [{ key: "owner", value: spec.name.toUpperCase() }],
      });
      ids[spec.name] = model.info.model_id;
      if (spec.acc !== undefined) {
        await recordLoggedModelMetrics(meta.db, model.info.model_id, [
          { key: "acc", value: spec.acc, timestamp: 1, step: 0, runId: spec.run, datasetName: "eval" },
        ]);
      }
    }
    await store.finalize(ids.beta ?? "", "LOGGED_MODEL_READY");
    await store.delete((await store.create({ experimentId, name: "gone" })).info.model_id);
  });
  afterEach(async () => {
    await opened.close();
  });

  const names = async (query: Partial<Parameters<typeof searchLoggedModels>[1]>) =>
    (await searchLoggedModels(meta, { experimentIds: [experimentId], ...query })).models.map(
      (m) => m.info.name,
    );

  it("returns active models newest first by default", async () => {
    expect(await names({})).toEqual(["Gamma", "beta", "alpha"]);
  });

  it("filters on attributes, params, tags and metrics joined by AND", async () => {
    expect(await names({ filter: "name = 'alpha'" })).toEqual(["alpha"]);
    expect(await names({ filter: "model_type = 'Classifier' AND source_run_id = 'run1'" })).toEqual([
      "alpha",
    ]);
    expect(await names({ filter: "status = 'LOGGED_MODEL_READY'" })).toEqual(["beta"]);
    await expect(names({ filter: "params.lr >= '0.2'" })).rejects.toThrow(/Invalid comparator '>='/);
    expect(await names({ filter: "params.lr != '0.2'" })).toEqual(["Gamma", "alpha"]);
    expect(await names({ filter: "tags.owner LIKE 'B%'" })).toEqual(["beta"]);
    expect(await names({ filter: "metrics.acc > 0.8" })).toEqual(["beta"]);
    expect(await names({ filter: "creation_time > 1015" })).toEqual(["Gamma", "beta"]);
    expect(await names({ filter: `model_id IN ('${ids.alpha}', '${ids.Gamma}')` })).toEqual([
      "Gamma",
      "alpha",
    ]);
  });

  // mlflow server 3.17.2, POST /api/2.0/mlflow/logged-models/search: an unquoted value for a string column is
  // its text (`experiment_id = 5`, `name = m1`, `tags.k = 1` all match), a double-quoted one keeps its quotes.
  it("compares an unquoted value for a string column as its text, as MLflow does", async () => {
    expect(await names({ filter: `experiment_id = ${experimentId}` })).toEqual(["Gamma", "beta", "alpha"]);
    expect(await names({ filter: "name = alpha" })).toEqual(["alpha"]);
    expect(await names({ filter: "params.lr = 0.1" })).toEqual(["alpha"]);
    expect(await names({ filter: "params.lr IN (0.3, 'x')" })).toEqual(["Gamma"]);
    expect(await names({ filter: 'name = "alpha"' })).toEqual([]);
  });

  it("takes IN and NOT IN on params and tags, as MLflow's logged-model filter does", async () => {
    expect(await names({ filter: "params.lr IN ('0.1', '0.3')" })).toEqual(["Gamma", "alpha"]);
    expect(await names({ filter: "tags.owner NOT IN ('ALPHA')" })).toEqual(["Gamma", "beta"]);
    expect(await names({ filter: "tags.missing NOT IN ('x')" })).toEqual([]);
  });

  it("compares a model created without a type or source run as the empty string", async () => {
    const store = new LoggedModelStore(meta, () => 2000);
    await store.create({ experimentId, name: "bare" });
    expect(await names({ filter: "model_type != 'Classifier'" })).toEqual(["bare", "beta"]);
    expect(await names({ filter: "source_run_id = ''" })).toEqual(["bare"]);
  });

  it("filters on the other columns of MLflow's logged_models table, as its SQL store does", async () => {
    // mlflow server 3.17.2: experiment_id = '<id>' -> all, lifecycle_stage = 'deleted' -> none, and a
    // status_message never set is NULL, which neither = '' nor != 'x' matches.
    expect(await names({ filter: `experiment_id = '${experimentId}'` })).toEqual(["Gamma", "beta", "alpha"]);
    expect(await names({ filter: `experiment_id != '${experimentId}'` })).toEqual([]);
    expect(await names({ filter: "artifact_location LIKE '%/artifacts'" })).toEqual([
      "Gamma",
      "beta",
      "alpha",
    ]);
    expect(await names({ filter: "lifecycle_stage = 'active'" })).toEqual(["Gamma", "beta", "alpha"]);
    expect(await names({ filter: "lifecycle_stage = 'deleted'" })).toEqual([]);
    expect(await names({ filter: "status_message = ''" })).toEqual([]);
    expect(await names({ filter: "status_message != 'x'" })).toEqual([]);
    expect(await names({ filter: "creation_timestamp_ms > 1015" })).toEqual(["Gamma", "beta"]);
    expect(await names({ filter: "last_updated_timestamp_ms > 0 AND name = 'beta'" })).toEqual(["beta"]);
  });

  it("matches LIKE case-sensitively and ILIKE case-insensitively", async () => {
    expect(await names({ filter: "name LIKE 'g%'" })).toEqual([]);
    expect(await names({ filter: "name ILIKE 'g%'" })).toEqual(["Gamma"]);
  });

  it("fails a metric comparison for a model without that metric", async () => {
    expect(await names({ filter: "metrics.acc != 0.5" })).toEqual(["beta", "alpha"]);
  });

  it("keeps only models with metrics on the requested datasets", async () => {
    expect(await names({ datasets: [{ dataset_name: "eval" }] })).toEqual(["beta", "alpha"]);
    expect(await names({ datasets: [{ dataset_name: "other" }] })).toEqual([]);
  });

  it("orders by metrics with missing values last, and by attributes", async () => {
    expect(await names({ orderBy: [{ field_name: "metrics.acc", ascending: true }] })).toEqual([
      "alpha",
      "beta",
      "Gamma",
    ]);
    expect(await names({ orderBy: [{ field_name: "metrics.acc", ascending: false }] })).toEqual([
      "beta",
      "alpha",
      "Gamma",
    ]);
    expect(await names({ orderBy: [{ field_name: "name" }] })).toEqual(["Gamma", "alpha", "beta"]);
  });

  it("pages with a token bound to its query", async () => {
    const first = await searchLoggedModels(meta, { experimentIds: [experimentId], maxResults: 2 });
    expect(first.models.map((m) => m.info.name)).toEqual(["Gamma", "beta"]);
    expect(first.nextPageToken).toBeDefined();
    const second = await searchLoggedModels(meta, {
      experimentIds: [experimentId],
      maxResults: 2,
      pageToken: first.nextPageToken,
    });
    expect(second.models.map((m) => m.info.name)).toEqual(["alpha"]);
    expect(second.nextPageToken).toBeUndefined();
    await expect(
      searchLoggedModels(meta, {
        experimentIds: [experimentId],
        filter: "name = 'x'",
        pageToken: first.nextPageToken,
      }),
    ).rejects.toThrow(/Filter string in the page token/);
  });

  it("rejects unknown attributes and order_by fields", async () => {
    await expect(names({ filter: "colour = 'red'" })).rejects.toBeInstanceOf(FlowOpsError);
    await expect(names({ orderBy: [{ field_name: "params.lr" }] })).rejects.toThrow(
      "Invalid order by field name: params.lr. Only metrics are supported.",
    );
  });

  // mlflow 3.17.2's server answers these with 400 INVALID_PARAMETER_VALUE and these messages.
  it.each([
    "metric",
    "attribute",
    "attr",
    "param",
    "parameter",
    "parameters",
    "tag",
    "run",
    "dataset",
    "datasets",
  ])("refuses the %s. prefix, which MLflow's logged-model filter does not take", async (prefix) => {
    await expect(names({ filter: `name = 'alpha' AND ${prefix}.x = '1'` })).rejects.toThrow(
      `Invalid entity type: '${prefix}'. Expected one of ['attributes', 'metrics', 'params', 'tags'].`,
    );
  });

  it("takes MLflow's four prefixes, and reads a prefix not in lower case as an unknown attribute", async () => {
    expect(
      await names({ filter: "attributes.name = 'alpha' AND params.lr = '0.1' AND tags.owner = 'ALPHA'" }),
    ).toEqual(["alpha"]);
    expect(await names({ filter: "metrics.acc > 0.8" })).toEqual(["beta"]);
    await expect(names({ filter: "Metrics.acc > 0.8" })).rejects.toThrow(
      "Invalid attribute key 'Metrics.acc'",
    );
    await expect(names({ filter: "last_updated_time > 0" })).rejects.toThrow(
      "Invalid attribute key 'last_updated_time'",
    );
  });

  // An unknown column is ATTRIBUTE_NOT_FOUND (KAM04) in MLflow's store; a dotted non-metric field is not.
  it.each([
    ["last_updated_time", "Invalid order by field name: last_updated_time", "KAM04"],
    [" name", "Invalid order by field name:  name", "KAM04"],
    ["name ", "Invalid order by field name: name ", "KAM04"],
    ["tags", "Invalid order by field name: tags", "KAM04"],
    ["metric.acc", "Invalid order by field name: metric.acc. Only metrics are supported.", "KAM00"],
    ["attributes.name", "Invalid order by field name: attributes.name. Only metrics are supported.", "KAM00"],
  ])("refuses order_by %j as MLflow's SQL store does", async (field, message, sqlstate) => {
    const error = await names({ orderBy: [{ field_name: field }] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("INVALID_PARAMETER_VALUE");
    expect((error as FlowOpsError).message).toBe(message);
    expect((error as FlowOpsError).toJSON()).toMatchObject({
      sqlstate,
      error_class: sqlstate === "KAM04" ? "ATTRIBUTE_NOT_FOUND" : "INVALID_PARAMETER_VALUE",
    });
  });

  it("orders by the columns and aliases MLflow's SQL store sorts by", async () => {
    for (const field of ["creation_time", "creation_timestamp", "creation_timestamp_ms"]) {
      expect(await names({ orderBy: [{ field_name: field, ascending: true }] })).toEqual([
        "alpha",
        "beta",
        "Gamma",
      ]);
    }
    expect(await names({ orderBy: [{ field_name: "last_updated_timestamp_ms", ascending: true }] })).toEqual([
      "alpha",
      "Gamma",
      "beta",
    ]);
    for (const field of ["experiment_id", "artifact_location", "lifecycle_stage", "status_message"]) {
      expect(await names({ orderBy: [{ field_name: field }] })).toHaveLength(3);
    }
  });
});
