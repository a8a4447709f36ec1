import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadedModel } from "../runtime.js";
import { loadOnnxModel, type OnnxExecution } from "../runtimes/onnx.js";
import type { Tensor } from "../tensor.js";
import { encodeOnnxModel, mlpOnnx } from "./onnxModelWriter.js";
import { watchedOnnxWorld } from "../../../test/support/watchedOnnxWorld.js";
import { rejection } from "../../../test/support/thrownError.js";

let dir: string;
let mlpPath: string;
/** Takes any number of values and reshapes them to [2,2], so onnxruntime itself rejects all but 4 of them. */
let reshapePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-inline-"));
  mlpPath = join(dir, "mlp.onnx");
  await writeFile(mlpPath, mlpOnnx({ inputs: 16, hidden: 32, outputs: 3, seed: 5 }).bytes);
  reshapePath = join(dir, "reshape.onnx");
  await writeFile(
    reshapePath,
    encodeOnnxModel({
      name: "reshape",
      inputs: [{ name: "values", datatype: "FP32", shape: [-1] }],
      outputs: [{ name: "square", datatype: "FP32", shape: [2, 2] }],
      initializers: [{ name: "target", dims: [2], data: BigInt64Array.from([2n, 2n]) }],
      nodes: [{ opType: "Reshape", inputs: ["values", "target"], outputs: ["square"] }],
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rows(count: number, salt: number): Tensor {
  const data = Float32Array.from({ length: count * 16 }, (_, i) => Math.sin(i * 0.91 + salt) * 4);
  return { name: "input", datatype: "FP32", shape: [count, 16], data };
}

async function load(
  path: string,
  execution: OnnxExecution,
  world = watchedOnnxWorld(),
): Promise<LoadedModel> {
  return loadOnnxModel(
    path,
    { name: "m", version: "1", execution, threads: 1, executionProviders: "cpu", log: () => undefined },
    world,
  );
}

describe("inline and worker execution", () => {
  const models: Partial<Record<"inline" | "workers", LoadedModel>> = {};

  beforeAll(async () => {
    models.inline = await load(mlpPath, "inline");
    models.workers = await load(mlpPath, "workers");
  });

  afterAll(async () => {
    await Promise.all([models.inline?.close(), models.workers?.close()]);
  });

  it("describe the model with the same input and output specs", () => {
    expect(models.inline?.inputs).toEqual(models.workers?.inputs);
    expect(models.inline?.outputs).toEqual(models.workers?.outputs);
  });

  it("give bit-identical outputs for batches of 1 to 7 rows", async () => {
    for (let count = 1; count <= 7; count++) {
      const input = rows(count, count);
      const inline = await models.inline!.infer([structuredClone(input)]);
      const workers = await models.workers!.infer([structuredClone(input)]);
      expect(inline).toEqual(workers);
      expect(inline.map((t) => t.shape)).toEqual([[count, 3], [count]]);
    }
  });

  it("reject a wrong datatype and a wrong shape with the same 400 error", async () => {
    const fp64: Tensor = { name: "input", datatype: "FP64", shape: [1, 16], data: new Float64Array(16) };
    const wide: Tensor = { name: "input", datatype: "FP32", shape: [2, 8], data: new Float32Array(16) };
    for (const bad of [fp64, wide]) {
      const inline = await rejection(models.inline!.infer([structuredClone(bad)]));
      const workers = await rejection(models.workers!.infer([structuredClone(bad)]));
      expect(inline.code).toBe("INVALID_PARAMETER_VALUE");
      expect(inline.httpStatus).toBe(400);
      expect({ code: inline.code, message: inline.message }).toEqual({
        code: workers.code,
        message: workers.message,
      });
    }
  });
});

describe("errors onnxruntime raises during a run", () => {
  it("are the same 400 in both modes, naming the model", async () => {
    const messages: string[] = [];
    for (const execution of ["inline", "workers"] as const) {
      const model = await load(reshapePath, execution);
      try {
        const three: Tensor = { name: "values", datatype: "FP32", shape: [3], data: new Float32Array(3) };
        const error = await rejection(model.infer([three]));
        expect(error.code).toBe("INVALID_PARAMETER_VALUE");
        expect(error.message).toMatch(/^model 'm' version 1: .*/);
        messages.push(error.message);
        const four: Tensor = {
          name: "values",
          datatype: "FP32",
          shape: [4],
          data: Float32Array.from([1, 2, 3, 4]),
        };
        const [square] = await model.infer([four]);
        expect(square).toMatchObject({ shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) });
      } finally {
        await model.close();
      }
    }
    expect(messages[0]).toBe(messages[1]);
  });
});

describe("execution 'auto'", () => {
  it("runs a tiny model on the event loop, starting no worker thread", async () => {
    const world = watchedOnnxWorld();
    const lines: string[] = [];
    const model = await loadOnnxModel(
      mlpPath,
      { name: "tiny", version: "2", executionProviders: "cpu", log: (line) => lines.push(line) },
      world,
    );
    try {
      expect(world.workers).toHaveLength(0);
      expect(lines.join("\n")).toMatch(
        /'tiny' version 2: a batch-1 run takes [\d.]+ ms; running on the event loop/,
      );
      const [probabilities] = await model.infer([rows(1, 0)]);
      expect(probabilities?.shape).toEqual([1, 3]);
    } finally {
      await model.close();
    }
  });

  it("times runs of the probe's rows and compares them with its threshold", async () => {
    for (const [belowMs, workers] of [
      [60_000, 0],
      [0, 1],
    ] as const) {
      const world = watchedOnnxWorld();
      const lines: string[] = [];
      const model = await loadOnnxModel(
        mlpPath,
        {
          name: "batch",
          version: "1",
          threads: 1,
          executionProviders: "cpu",
          inlineProbe: { rows: 4096, belowMs },
          log: (line) => lines.push(line),
        },
        world,
      );
      try {
        expect(world.workers).toHaveLength(workers);
        expect(lines.join("\n")).toMatch(
          workers === 0
            ? /'batch' version 1: a run of 4096 rows takes [\d.]+ ms; running on the event loop/
            : /'batch' version 1: a run of 4096 rows takes [\d.]+ ms \(inline below 0 ms\); using worker threads/,
        );
        expect((await model.infer([rows(3, 0)]))[0]?.shape).toEqual([3, 3]);
      } finally {
        await model.close();
      }
    }
  });

  it("uses worker threads when more than one is asked for", async () => {
    const world = watchedOnnxWorld();
    const model = await loadOnnxModel(
      mlpPath,
      { name: "m", version: "1", threads: 2, executionProviders: "cpu", log: () => undefined },
      world,
    );
    try {
      expect(world.workers).toHaveLength(2);
      expect((await model.infer([rows(1, 0)]))[0]?.shape).toEqual([1, 3]);
    } finally {
      await model.close();
    }
  });
});

describe("timing runs", () => {
  it("gives the probe's rows to the first unknown dimension, and stops once enough time is spent", async () => {
    const { InlineOnnxSession } = await import("./inlineSession.js");
    const session = await InlineOnnxSession.open({ label: "'r'", path: reshapePath, providers: ["cpu"] });
    try {
      // The model reshapes its [-1] input to [2,2]: only a run of 4 values works.
      const timed = await session.timeRuns(3, 4);
      expect(timed.fastestMs).toBeGreaterThan(0);
      expect(timed.medianMs).toBeGreaterThanOrEqual(timed.fastestMs);
      await expect(session.timeRuns(3, 5)).rejects.toThrow();
      // With nothing to spend, one timed run is the whole sample: its median is its fastest.
      const once = await session.timeRuns(15, 4, 0);
      expect(once.medianMs).toBe(once.fastestMs);
    } finally {
      await session.close();
    }
  });
});

describe("execution 'inline'", () => {
  it("refuses more than one worker thread, saying which options conflict", async () => {
    const error = await rejection(
      loadOnnxModel(
        mlpPath,
        { name: "m", version: "1", execution: "inline", threads: 4 },
        watchedOnnxWorld(),
      ),
    );
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toMatch(/execution 'inline' .* cannot use 4 worker threads/);
  });

  it("names the file and gives onnxruntime's message when the model does not load", async () => {
    const path = join(dir, "broken.onnx");
    await writeFile(path, "this is not a protobuf");
    for (const execution of ["inline", "auto"] as const) {
      const world = watchedOnnxWorld();
      const error = await rejection(load(path, execution, world));
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      expect(error.message.startsWith(`${path}: cannot load the ONNX model: `)).toBe(true);
      expect(error.message).toMatch(/protobuf|parse|Load model/i);
      expect(world.workers).toHaveLength(0);
    }
  });

  it("turns requests away once closed", async () => {
    const model = await load(mlpPath, "inline");
    const inFlight = model.infer([rows(2, 1)]);
    await model.close();
    expect((await inFlight)[0]?.shape).toEqual([2, 3]);
    expect(model.ready()).toBe(false);
    const error = await rejection(model.infer([rows(1, 0)]));
    expect(error.code).toBe("TEMPORARILY_UNAVAILABLE");
  });
});
