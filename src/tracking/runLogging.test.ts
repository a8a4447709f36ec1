import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataBackends } from "../../test/support/backends.js";
import type { MetadataDb } from "../db/connect.js";
import { createExperiment } from "./experimentStore.js";
import { LOGGED_MODELS_TAG, logModel } from "./modelHistory.js";
import { logInputs, logOutputs } from "./runInputs.js";
import { logBatch, logMetric, logParam } from "./runLogging.js";
import { createRun, deleteRun, getRun, setRunTag } from "./runStore.js";

describe.each(metadataBackends())("run logging on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let experimentId: string;

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    experimentId = await createExperiment(meta.db, { name: "logging" }, "mlflow-artifacts:/", 1);
  });
  afterAll(async () => close());

  const newRun = async (): Promise<string> =>
    (await createRun(meta.db, { experiment_id: experimentId }, 1)).info.run_id;

  it("keeps params immutable: the same value again is fine, a different one is refused", async () => {
    const runId = await newRun();
    await logParam(meta.db, runId, { key: "lr", value: "0.1" });
    await logParam(meta.db, runId, { key: "lr", value: "0.1" });
    await logParam(meta.db, runId, { key: "empty", value: "" });
    await expect(logParam(meta.db, runId, { key: "lr", value: "0.2" })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringMatching(/^Changing param values is not allowed\./) as unknown,
    });
    await expect(logBatch(meta.db, runId, { params: [{ key: "lr", value: "0.3" }] })).rejects.toMatchObject({
      message: expect.stringMatching(/^Changing param values is not allowed\./) as unknown,
    });
    expect((await getRun(meta.db, runId)).data.params).toEqual([
      { key: "lr", value: "0.1" },
      { key: "empty", value: "" },
    ]);
  });

  it("truncates param values over 6000 and run tag values over 8000 characters, as MLflow's store does", async () => {
    const runId = await newRun();
    await logParam(meta.db, runId, { key: "p", value: "x".repeat(6001) });
    await logBatch(meta.db, runId, {
      params: [{ key: "q", value: "y".repeat(7000) }],
      tags: [{ key: "t", value: "z".repeat(8001) }],
    });
    await setRunTag(meta.db, runId, { key: "u", value: "w".repeat(9000) });
    const { data } = await getRun(meta.db, runId);
    const lengths = (list: { key: string; value: string }[]) =>
      Object.fromEntries(list.map((e) => [e.key, e.value.length]));
    expect(lengths(data.params)).toEqual({ p: 6000, q: 6000 });
    expect(lengths(data.tags)).toMatchObject({ t: 8000, u: 8000 });
  });

  it("refuses over-long values instead when MLFLOW_TRUNCATE_LONG_VALUES is false, as MLflow does", async () => {
    const runId = await newRun();
    process.env.MLFLOW_TRUNCATE_LONG_VALUES = "False";
    try {
      await expect(logParam(meta.db, runId, { key: "p", value: "x".repeat(6001) })).rejects.toMatchObject({
        code: "INVALID_PARAMETER_VALUE",
        message: "'Param value' exceeds the maximum length of 6000 characters",
      });
      await expect(setRunTag(meta.db, runId, { key: "t", value: "z".repeat(8001) })).rejects.toMatchObject({
        message: "'value' exceeds the maximum length of 8000 characters",
      });
    } finally {
      delete process.env.MLFLOW_TRUNCATE_LONG_VALUES;
    }
  });

  it("accepts metric names with a colon and keeps a step of 2**62 (read back as the exact BigInt)", async () => {
    const runId = await newRun();
    await logMetric(meta.db, runId, { key: "eval:loss", value: 1, timestamp: 1, step: 2 ** 62 });
    const { data } = await getRun(meta.db, runId);
    expect(data.metrics).toEqual([{ key: "eval:loss", value: 1, timestamp: 1, step: 2n ** 62n }]);
  });

  it("reports the latest metric by step, then timestamp, then value", async () => {
    const runId = await newRun();
    await logMetric(meta.db, runId, { key: "m", value: 5, timestamp: 100, step: 2 });
    await logMetric(meta.db, runId, { key: "m", value: 9, timestamp: 200, step: 1 });
    await logBatch(meta.db, runId, {
      metrics: [
        { key: "m", value: 1, timestamp: 100, step: 2 },
        { key: "m", value: 3, timestamp: 50, step: 2 },
      ],
    });
    expect((await getRun(meta.db, runId)).data.metrics).toEqual([
      { key: "m", value: 5, timestamp: 100, step: 2 },
    ]);
    await logMetric(meta.db, runId, { key: "m", value: 0, timestamp: 1, step: 3 });
    expect((await getRun(meta.db, runId)).data.metrics).toEqual([
      { key: "m", value: 0, timestamp: 1, step: 3 },
    ]);
  });

  it("stores NaN as a flag and clamps infinities to the largest double", async () => {
    const runId = await newRun();
    await logBatch(meta.db, runId, {
      metrics: [
        { key: "nan", value: Number.NaN, timestamp: 1, step: 0 },
        { key: "pinf", value: Number.POSITIVE_INFINITY, timestamp: 1, step: 0 },
        { key: "ninf", value: Number.NEGATIVE_INFINITY, timestamp: 1, step: 0 },
      ],
    });
    const metrics = (await getRun(meta.db, runId)).data.metrics;
    expect(metrics.find((m) => m.key === "nan")?.value).toBeNaN();
    expect(metrics.find((m) => m.key === "pinf")?.value).toBe(1.7976931348623157e308);
    expect(metrics.find((m) => m.key === "ninf")?.value).toBe(-1.7976931348623157e308);
  });

  it("makes an exact replay of a batch a no-op", async () => {
    const runId = await newRun();
    const batch = {
      metrics: [
        { key: "loss", value: 0.5, timestamp: 1, step: 0 },
        { key: "loss", value: 0.4, timestamp: 2, step: 1 },
      ],
      params: [{ key: "p", value: "1" }],
      tags: [{ key: "t", value: "1" }],
    };
    await logBatch(meta.db, runId, batch);
    await logBatch(meta.db, runId, batch);
    const count = await meta.db
      .selectFrom("metrics")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("run_uuid", "=", runId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it("survives concurrent replays of the same batch", async () => {
    const runId = await newRun();
    const batch = {
      metrics: [
        { key: "b", value: 1, timestamp: 1, step: 0 },
        { key: "a", value: 2, timestamp: 1, step: 0 },
      ],
      params: [{ key: "p", value: "1" }],
      tags: [{ key: "t", value: "1" }],
    };
    await Promise.all([1, 2, 3, 4].map(() => logBatch(meta.db, runId, batch)));
    const run = await getRun(meta.db, runId);
    expect(run.data.metrics.map((m) => m.key)).toEqual(["b", "a"]);
    expect(run.data.params).toEqual([{ key: "p", value: "1" }]);
  });

  it("lets the last value of a tag win within a batch, and renames the run through mlflow.runName", async () => {
    const runId = await newRun();
    await logBatch(meta.db, runId, {
      tags: [
        { key: "t", value: "1" },
        { key: "t", value: "2" },
        { key: "mlflow.runName", value: "batch-name" },
      ],
    });
    const run = await getRun(meta.db, runId);
    expect(run.data.tags).toContainEqual({ key: "t", value: "2" });
    expect(run.info.run_name).toBe("batch-name");
  });

  it("enforces MLflow's batch limits with its wording", async () => {
    const runId = await newRun();
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "v" }));
    await expect(logBatch(meta.db, runId, { params })).rejects.toMatchObject({
      message: expect.stringContaining(
        "A batch logging request can contain at most 100 params. Got 101 params.",
      ) as unknown,
    });
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: "m", value: i, timestamp: i, step: i }));
    await expect(logBatch(meta.db, runId, { metrics })).rejects.toMatchObject({
      message: expect.stringContaining("at most 1000 metrics") as unknown,
    });
  });

  it("writes a full batch of 1000 metrics in one call", async () => {
    const runId = await newRun();
    const metrics = Array.from({ length: 1000 }, (_, i) => ({
      key: `k${i % 10}`,
      value: i,
      timestamp: i,
      step: i,
    }));
    await logBatch(meta.db, runId, { metrics });
    const run = await getRun(meta.db, runId);
    expect(run.data.metrics).toHaveLength(10);
    expect(run.data.metrics.find((m) => m.key === "k9")).toEqual({
      key: "k9",
      value: 999,
      timestamp: 999,
      step: 999,
    });
  });

  it("refuses invalid metric keys", async () => {
    const runId = await newRun();
    await expect(
      logMetric(meta.db, runId, { key: "a//b", value: 1, timestamp: 1, step: 0 }),
    ).rejects.toMatchObject({
      message: expect.stringContaining("This name would resolve to 'a/b'") as unknown,
    });
  });

  it("refuses logging to a deleted run", async () => {
    const runId = await newRun();
    await deleteRun(meta.db, runId, 1);
    await expect(
      logMetric(meta.db, runId, { key: "m", value: 1, timestamp: 1, step: 0 }),
    ).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("must be in the 'active' state") as unknown,
    });
  });

  it("records dataset inputs once per run, sharing datasets within the experiment", async () => {
    const runA = await newRun();
    const runB = await newRun();
    const dataset = { name: "d", digest: "abc", source_type: "local", source: "/tmp/d.csv", schema: "{}" };
    const datasets = [{ tags: [{ key: "mlflow.data.context", value: "train" }], dataset }];
    await logInputs(meta.db, runA, { datasets });
    await logInputs(meta.db, runA, { datasets });
    await logInputs(meta.db, runB, { datasets, models: [{ model_id: "m-1" }] });
    const a = await getRun(meta.db, runA);
    expect(a.inputs.dataset_inputs).toEqual([
      { tags: [{ key: "mlflow.data.context", value: "train" }], dataset },
    ]);
    const b = await getRun(meta.db, runB);
    expect(b.inputs.model_inputs).toEqual([{ model_id: "m-1" }]);
    const rows = await meta.db.selectFrom("datasets").select("dataset_uuid").execute();
    expect(rows).toHaveLength(1);
  });

  it("records model outputs with their step", async () => {
    const runId = await newRun();
    await logOutputs(meta.db, runId, [{ model_id: "m-2", step: 3 }]);
    await logOutputs(meta.db, runId, [{ model_id: "m-2", step: 3 }]);
    expect((await getRun(meta.db, runId)).outputs.model_outputs).toEqual([{ model_id: "m-2", step: 3 }]);
  });

  it("appends logged models to the mlflow.log-model.history tag and refuses incomplete model_json", async () => {
    const runId = await newRun();
    const model = { artifact_path: "model", flavors: {}, utc_time_created: "2024-01-01", run_id: runId };
    await logModel(meta.db, runId, JSON.stringify(model));
    await logModel(meta.db, runId, JSON.stringify({ ...model, artifact_path: "model2" }));
    const tag = (await getRun(meta.db, runId)).data.tags.find((t) => t.key === LOGGED_MODELS_TAG);
    expect(JSON.parse(tag?.value ?? "[]")).toEqual([model, { ...model, artifact_path: "model2" }]);
    await Promise.all(
      ["c1", "c2", "c3"].map((path) =>
        logModel(meta.db, runId, JSON.stringify({ ...model, artifact_path: path })),
      ),
    );
    const after = (await getRun(meta.db, runId)).data.tags.find((t) => t.key === LOGGED_MODELS_TAG);
    expect(JSON.parse(after?.value ?? "[]")).toHaveLength(5);
    await expect(logModel(meta.db, runId, JSON.stringify({ flavors: {} }))).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("Model json is missing mandatory fields") as unknown,
    });
  });
});
