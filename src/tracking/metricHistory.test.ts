import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataBackends } from "../../test/support/backends.js";
import type { MetadataDb } from "../db/connect.js";
import { createExperiment } from "./experimentStore.js";
import { getMetricHistory, getMetricHistoryBulk } from "./metricHistory.js";
import { getMetricHistoryBulkInterval } from "./metricSampling.js";
import { logBatch } from "./runLogging.js";
import { createRun, getRun } from "./runStore.js";

describe.each(metadataBackends())("metric history on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let runA: string;
  let runB: string;

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    const experimentId = await createExperiment(meta.db, { name: "history" }, "mlflow-artifacts:/", 1);
    runA = (await createRun(meta.db, { experiment_id: experimentId }, 1)).info.run_id;
    runB = (await createRun(meta.db, { experiment_id: experimentId }, 1)).info.run_id;
    await logBatch(meta.db, runA, {
      metrics: Array.from({ length: 50 }, (_, step) => ({
        key: "loss",
        value: step / 10,
        timestamp: 1000 + step,
        step,
      })),
    });
    await logBatch(meta.db, runB, {
      metrics: [
        { key: "loss", value: Number.NaN, timestamp: 5, step: 100 },
        { key: "loss", value: 2, timestamp: 4, step: 7 },
      ],
    });
  });
  afterAll(async () => close());

  it("keeps steps and timestamps beyond 2^53 to the last digit, in history, bulk and latest metrics", async () => {
    const max = 2n ** 63n - 1n;
    const points = [
      { key: "wide", value: 1, timestamp: max, step: max },
      { key: "wide", value: 2, timestamp: 2n ** 53n + 1n, step: -(2n ** 63n) },
    ];
    await logBatch(meta.db, runB, { metrics: points });
    const expected = [points[1], points[0]];
    expect((await getMetricHistory(meta.db, runB, "wide")).metrics).toEqual(expected);
    expect(await getMetricHistoryBulk(meta.db, [runB], "wide")).toEqual(
      expected.map((point) => ({ ...point, run_id: runB })),
    );
    expect(await getMetricHistoryBulkInterval(meta.db, [runB], "wide", { maxResults: 10 })).toEqual(
      [points[1], points[0]].map((point) => ({ ...point, run_id: runB })),
    );
    const run = await getRun(meta.db, runB);
    expect(run.data.metrics.find((metric) => metric.key === "wide")).toEqual(points[0]);
  });

  it("returns the whole history in step order when max_results is unset", async () => {
    const page = await getMetricHistory(meta.db, runA, "loss");
    expect(page.metrics).toHaveLength(50);
    expect(page.metrics[0]).toEqual({ key: "loss", value: 0, timestamp: 1000, step: 0 });
    expect(page.next_page_token).toBeUndefined();
  });

  it("pages with an opaque token until the history is exhausted", async () => {
    const steps: (number | bigint)[] = [];
    let token: string | undefined;
    do {
      const page = await getMetricHistory(meta.db, runA, "loss", { maxResults: 20, pageToken: token });
      steps.push(...page.metrics.map((m) => m.step));
      token = page.next_page_token;
    } while (token !== undefined);
    expect(steps).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("refuses a malformed page token", async () => {
    await expect(
      getMetricHistory(meta.db, runA, "loss", { maxResults: 1, pageToken: "%%%" }),
    ).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
  });

  it("reads several runs in id order, with NaN kept", async () => {
    const metrics = await getMetricHistoryBulk(meta.db, [runB, runA], "loss");
    expect(metrics).toHaveLength(52);
    const bPoints = metrics.filter((m) => m.run_id === runB);
    expect(bPoints.map((m) => m.step)).toEqual([7, 100]);
    expect(bPoints[1]?.value).toBeNaN();
    expect(await getMetricHistoryBulk(meta.db, [runA], "loss", 3)).toHaveLength(3);
  });

  it("limits sampling to a step range", async () => {
    const metrics = await getMetricHistoryBulkInterval(meta.db, [runA], "loss", {
      startStep: 10,
      endStep: 12,
    });
    expect(metrics.map((m) => m.step)).toEqual([10, 11, 12]);
  });

  it("validates the interval request as MLflow does", async () => {
    await expect(
      getMetricHistoryBulkInterval(meta.db, [runA], "loss", { startStep: 1 }),
    ).rejects.toMatchObject({
      message: "If either start step or end step are specified, both must be specified.",
    });
    await expect(
      getMetricHistoryBulkInterval(meta.db, [runA], "loss", { startStep: 5, endStep: 1 }),
    ).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(
      getMetricHistoryBulkInterval(meta.db, [runA], "loss", { maxResults: 2501 }),
    ).rejects.toMatchObject({
      message:
        "max_results must be between 1 and 2500. See the API docs for more information about request parameters.",
    });
    const tooMany = Array.from({ length: 101 }, (_, i) => `r${i}`);
    await expect(getMetricHistoryBulkInterval(meta.db, tooMany, "loss")).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
  });
});
