import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeOnnxModel } from "../onnx/onnxModelWriter.js";
import type { LoadedModel } from "../runtime.js";
import type { Tensor } from "../tensor.js";
import { loadOnnxModel } from "./onnx.js";
import { rejection } from "../../../test/support/thrownError.js";
import { checkOutputs, features, mlpFile, scratchDir, useMlpDirectory } from "./onnxFixtures.js";
import type { OnnxWorkerReply } from "./onnxWorker.js";
import { watchedOnnxWorld } from "../../../test/support/watchedOnnxWorld.js";

useMlpDirectory();

describe("loadOnnxModel", () => {
  let model: LoadedModel;
  const world = watchedOnnxWorld();

  beforeAll(async () => {
    model = await loadOnnxModel(
      mlpFile(),
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

  it("regression: starts a request queued behind busy threads only when a thread answers the one before it", async () => {
    // Two threads, each running one request at a time: the third starts only once a thread has answered one of
    // the first two. Counted by listeners that run before the pool's own (prepended), which starts the next.
    let answered = 0;
    const listeners = world.workers.map((worker) => {
      const listener = (reply: OnnxWorkerReply) => {
        if (reply.type === "result") answered++;
      };
      worker.prependListener("message", listener);
      return listener;
    });
    const startedAfter: number[] = [];
    const calls = [0, 1, 2].map((i) =>
      model.infer([features(1)], { onStart: () => (startedAfter[i] = answered) }),
    );
    await Promise.all(calls);
    world.workers.forEach((worker, index) => worker.off("message", listeners[index]!));
    expect(startedAfter).toHaveLength(3);
    expect(startedAfter[2]).toBeGreaterThanOrEqual(1);
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
    const path = join(scratchDir(), `int64-${execution}.onnx`);
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
      const path = join(scratchDir(), `bool-bytes-${execution}.onnx`);
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
