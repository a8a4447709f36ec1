import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { DynamicBatcher } from "./dynamicBatcher.js";
import type { LoadedModel } from "./runtime.js";
import type { BatchObserver } from "./servingMetrics.js";
import type { Tensor } from "./tensor.js";

/** y = sum(x) per row, recording the rows of every call. */
function rowSumModel(
  behaviour: {
    fail?: boolean;
    failure?: (data: Float64Array) => FlowOpsError | undefined;
    /** How long each call waits in the fake's own queue before it starts (a busy worker). */
    startAfterMs?: number;
  } = {},
): LoadedModel & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    name: "sum",
    version: "1",
    platform: "test",
    inputs: [{ name: "x", datatype: "FP64", shape: [-1, 2] }],
    outputs: [{ name: "y", datatype: "FP64", shape: [-1] }],
    calls,
    ready: () => true,
    infer: async (inputs, options) => {
      if (behaviour.startAfterMs !== undefined) await sleep(behaviour.startAfterMs);
      options?.onStart?.();
      const x = inputs[0] as Tensor;
      calls.push([...x.shape]);
      if (behaviour.fail === true) throw new FlowOpsError("INVALID_PARAMETER_VALUE", "row 1 is bad");
      const data = x.data as Float64Array;
      const failure = behaviour.failure?.(data);
      if (failure !== undefined) throw failure;
      const rows = x.shape[0] as number;
      const width = x.shape[1] as number;
      const y = new Float64Array(rows);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < width; c++) y[r] = (y[r] as number) + (data[r * width + c] as number);
      return [{ name: "y", datatype: "FP64", shape: [rows], data: y }];
    },
    close: async () => undefined,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An observer that keeps what it is told. */
function recorder(): BatchObserver & { batches: number[]; queued: number[] } {
  const batches: number[] = [];
  const queued: number[] = [];
  return { batches, queued, observeBatch: (n) => batches.push(n), observeQueue: (s) => queued.push(s) };
}

function rows(...values: number[][]): Tensor {
  const width = values[0]?.length ?? 0;
  return {
    name: "x",
    datatype: "FP64",
    shape: [values.length, width],
    data: Float64Array.from(values.flat()),
  };
}

const sums = (outputs: Tensor[]): number[] => Array.from(outputs[0]?.data as Float64Array);

describe("DynamicBatcher", () => {
  it("calls the model once per request when batching is off", async () => {
    const model = rowSumModel();
    const batcher = new DynamicBatcher(model);
    const answers = await Promise.all([batcher.infer([rows([1, 2])]), batcher.infer([rows([3, 4], [5, 6])])]);
    expect(model.calls).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(answers.map(sums)).toEqual([[3], [7, 11]]);
  });

  it("combines concurrent requests into one model call and gives each its own rows", async () => {
    const model = rowSumModel();
    // The batch fills to its size before the (long) delay, so the combination does not depend on timing.
    const batcher = new DynamicBatcher(model, { maxBatchSize: 6, maxQueueDelayMs: 60_000 });
    const answers = await Promise.all([
      batcher.infer([rows([1, 1])]),
      batcher.infer([rows([2, 2], [3, 3])]),
      batcher.infer([rows([4, 4], [5, 5], [6, 6])]),
    ]);
    expect(model.calls).toEqual([[6, 2]]);
    expect(answers.map(sums)).toEqual([[2], [4, 6], [8, 10, 12]]);
  });

  it("runs a partial batch when its queue delay expires", async () => {
    const model = rowSumModel();
    const batcher = new DynamicBatcher(model, { maxBatchSize: 100, maxQueueDelayMs: 1 });
    const answers = await Promise.all([batcher.infer([rows([1, 2])]), batcher.infer([rows([3, 4])])]);
    expect(model.calls).toEqual([[2, 2]]);
    expect(answers.map(sums)).toEqual([[3], [7]]);
  });

  it("starts a new batch when the next request would overflow the batch size", async () => {
    const model = rowSumModel();
    const batcher = new DynamicBatcher(model, { maxBatchSize: 3, maxQueueDelayMs: 60_000 });
    const first = batcher.infer([rows([1, 1], [1, 1])]);
    const second = batcher.infer([rows([2, 2], [2, 2])]);
    const third = batcher.infer([rows([3, 3])]);
    expect((await Promise.all([first, second, third])).map(sums)).toEqual([[2, 2], [4, 4], [6]]);
    expect(model.calls).toEqual([
      [2, 2],
      [3, 2],
    ]);
  });

  it("does not combine requests whose rows have different widths", async () => {
    const model = rowSumModel();
    const batcher = new DynamicBatcher(model, { maxBatchSize: 2, maxQueueDelayMs: 1 });
    const answers = await Promise.all([batcher.infer([rows([1, 2])]), batcher.infer([rows([1, 2, 3])])]);
    expect(model.calls).toHaveLength(2);
    expect(answers.map(sums)).toEqual([[3], [6]]);
  });

  it("runs requests holding values as sent alone, without waiting for a batch", async () => {
    const model = rowSumModel();
    const batcher = new DynamicBatcher(model, { maxBatchSize: 4, maxQueueDelayMs: 60_000 });
    const sent = (a: number, b: number): Tensor => ({ ...rows([a, b]), jsonData: [a, b] });
    const answers = await Promise.all([batcher.infer([sent(1, 2)]), batcher.infer([sent(3, 4)])]);
    expect(model.calls).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(answers.map(sums)).toEqual([[3], [7]]);
  });

  it("runs requests whose columns keep their Parquet dtype alone", async () => {
    const model = rowSumModel();
    const batcher = new DynamicBatcher(model, { maxBatchSize: 4, maxQueueDelayMs: 60_000 });
    const kept = (a: number, b: number): Tensor => ({ ...rows([a, b]), keepDtype: true });
    const answers = await Promise.all([batcher.infer([kept(1, 2)]), batcher.infer([kept(3, 4)])]);
    expect(model.calls).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(answers.map(sums)).toEqual([[3], [7]]);
  });

  it("sends requests with parameters to the model on their own", async () => {
    const model = rowSumModel();
    const batcher = new DynamicBatcher(model, { maxBatchSize: 2, maxQueueDelayMs: 60_000 });
    await batcher.infer([rows([1, 2])], { params: { threshold: 0.5 } });
    expect(model.calls).toEqual([[1, 2]]);
  });

  it("rejects every request of a batch the model failed", async () => {
    const batcher = new DynamicBatcher(rowSumModel({ fail: true }), {
      maxBatchSize: 2,
      maxQueueDelayMs: 60_000,
    });
    const results = await Promise.allSettled([batcher.infer([rows([1, 2])]), batcher.infer([rows([3, 4])])]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
  });

  it("fails only the request whose rows the model refused, and gives it its own error", async () => {
    // sklearn refuses a whole batch when one row holds a NaN; the other requests of the batch must still be
    // answered, and not with that request's error.
    const model = rowSumModel({
      failure: (data) =>
        data.some(Number.isNaN) ? new FlowOpsError("BAD_REQUEST", "Input X contains NaN") : undefined,
    });
    const batcher = new DynamicBatcher(model, { maxBatchSize: 4, maxQueueDelayMs: 60_000 });
    const results = await Promise.allSettled([
      batcher.infer([rows([1, 2])]),
      batcher.infer([rows([NaN, 3])]),
      batcher.infer([rows([3, 4])]),
      batcher.infer([rows([5, 6])]),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    expect(results.flatMap((result) => (result.status === "fulfilled" ? [sums(result.value)] : []))).toEqual([
      [3],
      [7],
      [11],
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: "BAD_REQUEST",
      message: "Input X contains NaN",
    });
    // One combined call, then one call per request.
    expect(model.calls).toEqual([
      [4, 2],
      [1, 2],
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
  });

  it("does not run requests again when the runtime itself failed the batch", async () => {
    const model = rowSumModel({
      failure: () => new FlowOpsError("TEMPORARILY_UNAVAILABLE", "the Python model worker exited"),
    });
    const batcher = new DynamicBatcher(model, { maxBatchSize: 2, maxQueueDelayMs: 60_000 });
    const results = await Promise.allSettled([batcher.infer([rows([1, 2])]), batcher.infer([rows([3, 4])])]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: "TEMPORARILY_UNAVAILABLE" });
    expect(model.calls).toEqual([[2, 2]]);
  });

  it("drain runs a waiting batch and resolves after it finished", async () => {
    const model = rowSumModel();
    const batcher = new DynamicBatcher(model, { maxBatchSize: 10, maxQueueDelayMs: 60_000 });
    const waiting = batcher.infer([rows([1, 2])]);
    await batcher.drain();
    expect(model.calls).toEqual([[1, 2]]);
    expect(sums(await waiting)).toEqual([3]);
  });

  it("reports rows per call and queue time to its observer", async () => {
    const batches: number[] = [];
    const queued: number[] = [];
    const batcher = new DynamicBatcher(
      rowSumModel(),
      { maxBatchSize: 3, maxQueueDelayMs: 60_000 },
      { observeBatch: (n) => batches.push(n), observeQueue: (s) => queued.push(s) },
    );
    await Promise.all([batcher.infer([rows([1, 1])]), batcher.infer([rows([1, 1], [2, 2])])]);
    expect(batches).toEqual([3]);
    expect(queued).toHaveLength(2);
  });

  it("regression: records queue time without batching, until the runtime starts the call", async () => {
    const observer = recorder();
    const batcher = new DynamicBatcher(rowSumModel({ startAfterMs: 60 }), undefined, observer);
    await Promise.all([batcher.infer([rows([1, 1])]), batcher.infer([rows([2, 2])])]);
    expect(observer.queued).toHaveLength(2);
    for (const seconds of observer.queued) expect(seconds).toBeGreaterThanOrEqual(0.05);
  });

  it("regression: counts a batch's wait inside the runtime as queue time, not only the wait to fill it", async () => {
    const observer = recorder();
    const batcher = new DynamicBatcher(
      rowSumModel({ startAfterMs: 60 }),
      { maxBatchSize: 2, maxQueueDelayMs: 1 },
      observer,
    );
    await Promise.all([batcher.infer([rows([1, 1])]), batcher.infer([rows([2, 2])])]);
    expect(observer.batches).toEqual([2]);
    expect(observer.queued).toHaveLength(2);
    for (const seconds of observer.queued) expect(seconds).toBeGreaterThanOrEqual(0.05);
  });

  it("records each request's queue time once when its failed batch runs every request alone", async () => {
    const observer = recorder();
    const bad = (data: Float64Array): FlowOpsError | undefined =>
      data.includes(999) ? new FlowOpsError("INVALID_PARAMETER_VALUE", "999 is bad") : undefined;
    const batcher = new DynamicBatcher(
      rowSumModel({ failure: bad }),
      { maxBatchSize: 2, maxQueueDelayMs: 60_000 },
      observer,
    );
    const results = await Promise.allSettled([
      batcher.infer([rows([1, 1])]),
      batcher.infer([rows([999, 1])]),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected"]);
    expect(observer.batches).toEqual([2, 1, 1]);
    expect(observer.queued).toHaveLength(2);
  });

  it("regression: drain runs a queued batch at once and later requests without waiting for a batch", async () => {
    const model = rowSumModel();
    const batcher = new DynamicBatcher(model, { maxBatchSize: 10, maxQueueDelayMs: 60_000 });
    const queued = batcher.infer([rows([1, 2])]);
    const draining = batcher.drain();
    const late = batcher.infer([rows([3, 4])]);
    expect(sums(await queued)).toEqual([3]);
    expect(sums(await late)).toEqual([7]);
    await draining;
    expect(model.calls).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });

  it("rejects a batch size below one row", () => {
    expect(() => new DynamicBatcher(rowSumModel(), { maxBatchSize: 0, maxQueueDelayMs: 1 })).toThrow(
      /max batch size/,
    );
  });
});
