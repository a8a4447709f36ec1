import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment, deleteExperiment } from "../experimentStore.js";
import { recordLoggedModelMetrics } from "./metrics.js";
import { LoggedModelStore } from "./store.js";
import { rejection } from "../../../test/support/thrownError.js";

describe.each(metadataBackends())("logged model store on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let store: LoggedModelStore;
  let clock: number;
  let experimentId: string;

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    clock = 1_700_000_000_000;
    store = new LoggedModelStore(meta, () => clock);
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", clock);
  });
  afterEach(async () => {
    await opened.close();
  });

  it("creates a pending model under the experiment's artifact location", async () => {
    const model = await store.create({
      experimentId,
      name: "clf",
      modelType: "Classifier",
      sourceRunId: "abc",
      params: [{ key: "alpha", value: "0.1" }],
      tags: [{ key: "team", value: "ml" }],
    });
    expect(model.info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model.info).toMatchObject({
      experiment_id: experimentId,
      name: "clf",
      status: "LOGGED_MODEL_PENDING",
      model_type: "Classifier",
      source_run_id: "abc",
      creation_timestamp_ms: clock,
      last_updated_timestamp_ms: clock,
      artifact_uri: `mlflow-artifacts:/${experimentId}/models/${model.info.model_id}/artifacts`,
      tags: [{ key: "team", value: "ml" }],
      registrations: [],
    });
    expect(model.data).toEqual({ params: [{ key: "alpha", value: "0.1" }], metrics: [] });
  });

  it("generates an adjective-noun-number name when none is given", async () => {
    const model = await store.create({ experimentId });
    expect(model.info.name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
  });

  it("rejects names with characters that break model URIs", async () => {
    const error = await rejection(store.create({ experimentId, name: "a/b" }));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("refuses to create a model in a missing or deleted experiment", async () => {
    expect((await rejection(store.create({ experimentId: "999" }))).code).toBe("RESOURCE_DOES_NOT_EXIST");
    await deleteExperiment(meta.db, experimentId, clock);
    expect((await rejection(store.create({ experimentId }))).code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("finalizes a model and bumps its update time", async () => {
    const { info } = await store.create({ experimentId, name: "m" });
    clock += 5;
    const ready = await store.finalize(info.model_id, "LOGGED_MODEL_READY");
    expect(ready.info.status).toBe("LOGGED_MODEL_READY");
    expect(ready.info.last_updated_timestamp_ms).toBe(clock);
  });

  it("treats a deleted model as missing", async () => {
    const { info } = await store.create({ experimentId, name: "m" });
    await store.delete(info.model_id);
    expect((await rejection(store.get(info.model_id))).message).toBe(
      `Logged model with ID '${info.model_id}' not found.`,
    );
    expect((await rejection(store.delete(info.model_id))).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("upserts tags and deletes one, failing on an unknown key", async () => {
    const { info } = await store.create({ experimentId, name: "m", tags: [{ key: "a", value: "1" }] });
    const updated = await store.setTags(info.model_id, [
      { key: "a", value: "2" },
      { key: "b/c", value: "3" },
    ]);
    expect(updated.info.tags).toEqual([
      { key: "a", value: "2" },
      { key: "b/c", value: "3" },
    ]);
    await store.deleteTag(info.model_id, "b/c");
    expect((await store.get(info.model_id)).info.tags).toEqual([{ key: "a", value: "2" }]);
    expect((await rejection(store.deleteTag(info.model_id, "zzz"))).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("keeps params immutable but accepts the same value again", async () => {
    const { info } = await store.create({ experimentId, name: "m", params: [{ key: "a", value: "1" }] });
    await store.logParams(info.model_id, [
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
    expect((await store.get(info.model_id)).data.params).toEqual([
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
    expect((await rejection(store.logParams(info.model_id, [{ key: "a", value: "9" }]))).code).toBe(
      "INVALID_PARAMETER_VALUE",
    );
  });

  it("links metrics to a model, including NaN and infinities, idempotently", async () => {
    const { info } = await store.create({ experimentId, name: "m" });
    const metrics = [
      {
        key: "acc",
        value: 0.9,
        timestamp: 10,
        step: 0,
        runId: "r1",
        datasetName: "test",
        datasetDigest: "d1",
      },
      { key: "loss", value: Number.NaN, timestamp: 10, step: 0, runId: "r1" },
      { key: "big", value: Number.POSITIVE_INFINITY, timestamp: 10, step: 0, runId: "r1" },
    ];
    await recordLoggedModelMetrics(meta.db, info.model_id, metrics);
    await recordLoggedModelMetrics(meta.db, info.model_id, metrics);
    const read = (await store.get(info.model_id)).data.metrics;
    expect(read).toHaveLength(3);
    expect(read.find((m) => m.key === "acc")).toEqual({
      key: "acc",
      value: 0.9,
      timestamp: 10,
      step: 0,
      run_id: "r1",
      model_id: info.model_id,
      dataset_name: "test",
      dataset_digest: "d1",
    });
    expect(read.find((m) => m.key === "loss")?.value).toBeNaN();
    expect(read.find((m) => m.key === "big")?.value).toBeGreaterThanOrEqual(1.79e308);
  });

  // MLflow 3.17.2's server answered logged-models/<id> with "timestamp": 9223372036854775807, "step":
  // 9223372036854775807 and "timestamp": 9007199254740993, "step": -9223372036854775807, every digit kept.
  it("keeps int64 steps and timestamps beyond 2^53 to the last digit", async () => {
    const { info } = await store.create({ experimentId, name: "m" });
    const max = 2n ** 63n - 1n;
    await recordLoggedModelMetrics(meta.db, info.model_id, [
      { key: "a", value: 1, timestamp: max, step: max, runId: "r1" },
      { key: "b", value: 2, timestamp: 2n ** 53n + 1n, step: -max, runId: "r1" },
      { key: "c", value: 3, timestamp: 5, step: 2 ** 53, runId: "r1" },
    ]);
    const read = (await store.get(info.model_id)).data.metrics;
    expect(read.map((m) => [m.key, m.timestamp, m.step])).toEqual([
      ["a", max, max],
      ["b", 2n ** 53n + 1n, -max],
      ["c", 5, 2n ** 53n],
    ]);
  });
});
