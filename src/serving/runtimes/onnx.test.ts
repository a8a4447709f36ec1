import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { encodeOnnxModel, mlpOnnx, type MlpWeights } from "../onnx/onnxModelWriter.js";
import type { LoadedModel } from "../runtime.js";
import type { Tensor } from "../tensor.js";
import { defaultOnnxWorld, loadOnnxModel, type OnnxWorld } from "./onnx.js";
import type { OnnxWorkerReply } from "./onnxWorker.js";
import { watchedOnnxWorld } from "../../../test/support/watchedOnnxWorld.js";

const SIZES = { inputs: 16, hidden: 32, outputs: 3 };
let dir: string;
let mlpPath: string;
let weights: MlpWeights;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-onnx-"));
  const mlp = mlpOnnx({ ...SIZES, seed: 11 });
  weights = mlp.weights;
  mlpPath = join(dir, "mlp.onnx");
  await writeFile(mlpPath, mlp.bytes);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Probabilities of one row, computed in float64 straight from the weights. */
function expectedProbabilities(row: Float32Array): number[] {
  const hidden = Array.from({ length: SIZES.hidden }, (_, j) => {
    let sum = weights.b1[j]!;
    for (let i = 0; i < SIZES.inputs; i++) sum += row[i]! * weights.w1[i * SIZES.hidden + j]!;
    return Math.max(0, sum);
  });
  const logits = Array.from({ length: SIZES.outputs }, (_, k) => {
    let sum = weights.b2[k]!;
    for (let j = 0; j < SIZES.hidden; j++) sum += hidden[j]! * weights.w2[j * SIZES.outputs + k]!;
    return sum;
  });
  const exps = logits.map((logit) => Math.exp(logit - Math.max(...logits)));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

function features(rows: number, salt = 0): Tensor {
  const data = Float32Array.from({ length: rows * SIZES.inputs }, (_, i) => Math.cos(i * 0.37 + salt) * 3);
  return { name: "input", datatype: "FP32", shape: [rows, SIZES.inputs], data };
}

function checkOutputs(input: Tensor, outputs: Tensor[]): void {
  const rows = input.shape[0]!;
  const [probabilities, label] = outputs;
  expect(probabilities?.shape).toEqual([rows, SIZES.outputs]);
  expect(label).toMatchObject({ name: "label", datatype: "INT64", shape: [rows] });
  expect(label?.data).toBeInstanceOf(BigInt64Array);
  for (let r = 0; r < rows; r++) {
    const expected = expectedProbabilities((input.data as Float32Array).subarray(r * 16, r * 16 + 16));
    expected.forEach((p, k) => expect((probabilities!.data as Float32Array)[r * 3 + k]).toBeCloseTo(p, 5));
    expect((label!.data as BigInt64Array)[r]).toBe(BigInt(expected.indexOf(Math.max(...expected))));
  }
}

/**
 * A worker thread that announces the model as the real one would and then never answers. Terminating a thread
 * while onnxruntime runs on it, or letting onnxruntime fail inside a provider library, can abort the whole
 * process (a native exception during teardown), so tests of crash handling and provider fallback use this
 * stand-in instead of provoking onnxruntime.
 */
function standInWorker(ready: OnnxWorkerReply): Worker {
  return new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     parentPort.postMessage(workerData.ready);
     parentPort.on("message", (message) => { if (message.type === "close") process.exit(0); });`,
    { eval: true, workerData: { ready } },
  );
}

/** The ready reply of the test MLP, read from a real load. */
async function mlpReady(overrides: Partial<OnnxWorkerReply> = {}): Promise<OnnxWorkerReply> {
  const probe = await loadOnnxModel(mlpPath, {
    name: "mlp",
    version: "1",
    execution: "workers",
    threads: 1,
    executionProviders: "cpu",
  });
  await probe.close();
  return {
    type: "ready",
    inputs: probe.inputs,
    outputs: probe.outputs,
    skippedOutputs: [],
    provider: "cpu",
    fallbacks: [],
    ...overrides,
  } as OnnxWorkerReply;
}

async function rejection(promise: Promise<unknown>): Promise<FlowOpsError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FlowOpsError);
  return error as FlowOpsError;
}

describe("loadOnnxModel", () => {
  let model: LoadedModel;
  const world = watchedOnnxWorld();

  beforeAll(async () => {
    model = await loadOnnxModel(
      mlpPath,
      { name: "mlp", version: "3", threads: 2, executionProviders: "cpu" },
      world,
    );
  });

  afterAll(async () => {
    await model.close();
  });

  it("describes the model's inputs and outputs as V2 tensor specs", () => {
    expect(model).toMatchObject({ name: "mlp", version: "3", platform: "onnx_onnxv1" });
    expect(model.ready()).toBe(true);
    expect(model.inputs).toEqual([{ name: "input", datatype: "FP32", shape: [-1, 16] }]);
    expect(model.outputs).toEqual([
      { name: "probabilities", datatype: "FP32", shape: [-1, 3] },
      { name: "label", datatype: "INT64", shape: [-1] },
    ]);
  });

  it("returns the hand-computed probabilities and an INT64 label for a single row", async () => {
    const input = features(1);
    const copy = structuredClone(input);
    checkOutputs(copy, await model.infer([input]));
  });

  it("returns only the outputs asked for, in the order asked", async () => {
    const outputs = await model.infer([features(2)], { outputs: ["label"] });
    expect(outputs.map((output) => output.name)).toEqual(["label"]);
  });

  it("answers concurrent requests on both threads, each with its own rows", async () => {
    const answered = world.workers.map(() => 0);
    const listeners = world.workers.map((worker, index) => {
      const listener = (reply: OnnxWorkerReply) => {
        if (reply.type === "result") answered[index]!++;
      };
      worker.on("message", listener);
      return listener;
    });
    const inputs = Array.from({ length: 20 }, (_, i) => features(1 + (i % 5), i));
    const copies = inputs.map((input) => structuredClone(input));
    const results = await Promise.all(inputs.map((input) => model.infer([input])));
    results.forEach((outputs, i) => checkOutputs(copies[i]!, outputs));
    world.workers.forEach((worker, index) => worker.off("message", listeners[index]!));
    expect(answered.every((count) => count > 0)).toBe(true);
    expect(answered.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it("rejects an unknown input name, naming it and the expected inputs", async () => {
    const error = await rejection(model.infer([{ ...features(1), name: "features" }]));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toBe("model 'mlp' has no input 'features' (expected: input)");
  });

  it("rejects a missing input, a wrong datatype, a wrong shape and an unknown output", async () => {
    expect((await rejection(model.infer([]))).message).toMatch(/missing input 'input'/);
    const fp64: Tensor = { name: "input", datatype: "FP64", shape: [1, 16], data: new Float64Array(16) };
    expect((await rejection(model.infer([fp64]))).message).toBe(
      "input 'input': datatype FP64 does not match the model's FP32",
    );
    const wide: Tensor = { name: "input", datatype: "FP32", shape: [2, 8], data: new Float32Array(16) };
    expect((await rejection(model.infer([wide]))).message).toBe(
      "input 'input': shape [2,8] does not match [-1,16]",
    );
    const short: Tensor = { name: "input", datatype: "FP32", shape: [2, 16], data: new Float32Array(16) };
    expect((await rejection(model.infer([short]))).message).toMatch(
      /16 values for shape \[2,16\], which needs 32/,
    );
    const error = await rejection(model.infer([features(1)], { outputs: ["score"] }));
    expect(error.message).toBe("model 'mlp' has no output 'score' (available: probabilities, label)");
  });

  it("transfers a whole-buffer input to the worker and copies a view into a larger buffer", async () => {
    const owned = features(2);
    await model.infer([owned]);
    expect(owned.data.length).toBe(0);
    const backing = new Float32Array(64).fill(0.5);
    const view: Tensor = { name: "input", datatype: "FP32", shape: [1, 16], data: backing.subarray(16, 32) };
    await model.infer([view]);
    expect(backing.length).toBe(64);
    expect(view.data.length).toBe(16);
  });
});

describe.each(["inline", "workers"] as const)("loadOnnxModel with INT64 tensors (%s)", (execution) => {
  it("feeds and returns BigInt64Array data", async () => {
    const path = join(dir, `int64-${execution}.onnx`);
    const bytes = encodeOnnxModel({
      name: "int64",
      inputs: [{ name: "ids", datatype: "INT64", shape: [-1] }],
      outputs: [
        { name: "shifted", datatype: "INT64", shape: [-1] },
        { name: "as_float", datatype: "FP32", shape: [-1] },
      ],
      initializers: [{ name: "offset", dims: [1], data: BigInt64Array.from([2n ** 33n]) }],
      nodes: [
        { opType: "Add", inputs: ["ids", "offset"], outputs: ["shifted"] },
        { opType: "Cast", inputs: ["ids"], outputs: ["as_float"], attributes: { to: { int: 1 } } },
      ],
    });
    await writeFile(path, bytes);
    const model = await loadOnnxModel(path, {
      name: "ids",
      version: "1",
      execution,
      threads: 1,
      executionProviders: "cpu",
    });
    try {
      expect(model.inputs).toEqual([{ name: "ids", datatype: "INT64", shape: [-1] }]);
      const ids: Tensor = {
        name: "ids",
        datatype: "INT64",
        shape: [3],
        data: BigInt64Array.from([-1n, 0n, 7n]),
      };
      const [shifted, asFloat] = await model.infer([ids]);
      expect(shifted?.data).toEqual(BigInt64Array.from([2n ** 33n - 1n, 2n ** 33n, 2n ** 33n + 7n]));
      expect(asFloat?.data).toEqual(Float32Array.from([-1, 0, 7]));
    } finally {
      await model.close();
    }
  });
});

describe.each(["inline", "workers"] as const)(
  "loadOnnxModel with BOOL and BYTES tensors (%s)",
  (execution) => {
    it("feeds and returns BOOL as Uint8Array and BYTES as strings", async () => {
      const path = join(dir, `bool-bytes-${execution}.onnx`);
      const bytes = encodeOnnxModel({
        name: "bool_bytes",
        inputs: [
          { name: "flags", datatype: "BOOL", shape: [-1] },
          { name: "words", datatype: "BYTES", shape: [-1] },
        ],
        outputs: [
          { name: "negated", datatype: "BOOL", shape: [-1] },
          { name: "same_words", datatype: "BYTES", shape: [-1] },
        ],
        nodes: [
          { opType: "Not", inputs: ["flags"], outputs: ["negated"] },
          { opType: "Identity", inputs: ["words"], outputs: ["same_words"] },
        ],
      });
      await writeFile(path, bytes);
      const model = await loadOnnxModel(path, {
        name: "bb",
        version: "1",
        execution,
        threads: 1,
        executionProviders: "cpu",
      });
      try {
        const [negated, words] = await model.infer([
          { name: "flags", datatype: "BOOL", shape: [3], data: Uint8Array.from([1, 0, 1]) },
          { name: "words", datatype: "BYTES", shape: [2], data: ["héllo", ""] },
        ]);
        expect(negated).toMatchObject({ datatype: "BOOL", shape: [3] });
        expect([...(negated!.data as Uint8Array)]).toEqual([0, 1, 0]);
        expect(words).toEqual({ name: "same_words", datatype: "BYTES", shape: [2], data: ["héllo", ""] });
      } finally {
        await model.close();
      }
    });
  },
);

describe("loadOnnxModel failures", () => {
  it("reports a missing file as not found", async () => {
    const error = await rejection(
      loadOnnxModel(join(dir, "absent.onnx"), { name: "m", version: "1", threads: 1 }),
    );
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toContain("absent.onnx");
  });

  it("names the file and gives onnxruntime's message when the model does not load, and stops its threads", async () => {
    const path = join(dir, "broken.onnx");
    await writeFile(path, "this is not a protobuf");
    const world = watchedOnnxWorld();
    const error = await rejection(loadOnnxModel(path, { name: "m", version: "1", threads: 2 }, world));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toMatch(
      new RegExp(
        `^${path.replace(/[.]/g, "\\.")}: cannot load the ONNX model: .*(protobuf|parse|Load model)`,
        "i",
      ),
    );
    expect(world.workers).toHaveLength(2);
    // A Worker's threadId reads -1 once its thread has exited.
    expect(world.workers.map((worker) => worker.threadId)).toEqual([-1, -1]);
  });

  it("rejects the requests of a crashed worker as temporarily unavailable and serves the next on a replacement", async () => {
    const ready = await mlpReady();
    const workers: Worker[] = [];
    const world: OnnxWorld = {
      gpuPresent: () => false,
      startWorker(data) {
        const worker = workers.length === 0 ? standInWorker(ready) : defaultOnnxWorld.startWorker(data);
        workers.push(worker);
        return worker;
      },
    };
    const lines: string[] = [];
    const model = await loadOnnxModel(
      mlpPath,
      {
        name: "mlp",
        version: "1",
        execution: "workers",
        threads: 1,
        executionProviders: "cpu",
        log: (line) => lines.push(line),
      },
      world,
    );
    try {
      const inFlight = model.infer([features(4)]);
      await workers[0]!.terminate();
      const error = await rejection(inFlight);
      expect(error.code).toBe("TEMPORARILY_UNAVAILABLE");
      expect(error.httpStatus).toBe(503);
      expect(lines.join("\n")).toMatch(/worker stopped .*starting a replacement/);
      const input = features(3);
      const copy = structuredClone(input);
      checkOutputs(copy, await model.infer([input]));
      expect(workers).toHaveLength(2);
    } finally {
      await model.close();
    }
  });

  it("asks for CUDA first when a GPU is present, and logs the fallback to the CPU", async () => {
    const ready = await mlpReady({ fallbacks: ["cuda: libonnxruntime_providers_cuda.so is not installed"] });
    const asked: string[][] = [];
    const world: OnnxWorld = {
      gpuPresent: () => true,
      startWorker(data) {
        asked.push([...data.providers]);
        return standInWorker(ready);
      },
    };
    const lines: string[] = [];
    const model = await loadOnnxModel(
      mlpPath,
      {
        name: "mlp",
        version: "1",
        execution: "workers",
        threads: 1,
        executionProviders: "auto",
        log: (line) => lines.push(line),
      },
      world,
    );
    try {
      expect(asked).toEqual([["cuda", "cpu"]]);
      expect(lines.join("\n")).toMatch(/execution provider cuda: .*not installed; falling back/);
      expect(lines.join("\n")).toMatch(/using the cpu execution provider/);
    } finally {
      await model.close();
    }
  });
});

describe("LoadedModel.close", () => {
  it("terminates every worker thread and turns later requests away", async () => {
    const world = watchedOnnxWorld();
    const model = await loadOnnxModel(
      mlpPath,
      { name: "mlp", version: "1", threads: 3, executionProviders: "cpu" },
      world,
    );
    const exits = world.workers.map(
      (worker) => new Promise<number>((resolve) => worker.once("exit", resolve)),
    );
    await model.infer([features(1)]);
    await model.close();
    expect(await Promise.all(exits)).toHaveLength(3);
    expect(model.ready()).toBe(false);
    const error = await rejection(model.infer([features(1)]));
    expect(error.code).toBe("TEMPORARILY_UNAVAILABLE");
  });
});
