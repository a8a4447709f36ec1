import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEFAULT_PART_ROWS } from "../serving/batchPredict.js";
import { loadModel, type LoadModelOptions } from "../serving/loadModel.js";
import { mlpOnnx } from "../serving/onnx/onnxModelWriter.js";
import type { LoadedModel } from "../serving/runtime.js";
import type { Tensor } from "../serving/tensor.js";
import { openTable } from "../tables/openTable.js";
import type { CellValue } from "../tables/tableChunk.js";
import { predictCommand, runPredict, type PredictDependencies } from "./predict.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-predict-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A model that doubles its single column and records whether it was closed. */
function doublingModel(): LoadedModel & { closed: boolean } {
  const model = {
    name: "doubler",
    version: "3",
    platform: "test",
    inputs: [{ name: "x", datatype: "FP64" as const, shape: [-1, 1] }],
    outputs: [{ name: "twice", datatype: "FP64" as const, shape: [-1] }],
    closed: false,
    ready: () => true,
    infer: (inputs: Tensor[]): Promise<Tensor[]> => {
      const x = inputs[0] as Tensor;
      const data = Float64Array.from(x.data as Float64Array, (v) => v * 2);
      return Promise.resolve([{ name: "twice", datatype: "FP64", shape: [data.length], data }]);
    },
    close: () => {
      model.closed = true;
      return Promise.resolve();
    },
  };
  return model;
}

function captured(
  model: LoadedModel,
): PredictDependencies & { text: () => string; uris: string[]; loadOptions: LoadModelOptions[] } {
  let text = "";
  const uris: string[] = [];
  const loadOptions: LoadModelOptions[] = [];
  let clock = 0;
  return {
    loadModel: (uri, options) => {
      uris.push(uri);
      loadOptions.push(options);
      return Promise.resolve(model);
    },
    stdout: { write: (chunk: string) => (text += chunk) },
    progress: { enabled: false },
    now: () => (clock += 500),
    text: () => text,
    uris,
    loadOptions,
  };
}

async function readAll(path: string): Promise<Record<string, CellValue[]>> {
  const result: Record<string, CellValue[]> = {};
  for await (const chunk of openTable(path).chunks()) {
    for (const name of chunk.columns) (result[name] ??= []).push(...chunk.column(name));
  }
  return result;
}

describe("flowops predict", () => {
  it("writes the predictions, closes the model and prints a summary with the rate", async () => {
    const input = join(dir, "numbers.csv");
    await writeFile(input, "x\n1\n2\n3\n");
    const output = join(dir, "numbers-out.csv");
    const model = doublingModel();
    const deps = captured(model);
    await runPredict("models:/doubler/3", { input, output, batchSize: 2 }, deps);
    expect(deps.uris).toEqual(["models:/doubler/3"]);
    expect(model.closed).toBe(true);
    // A float output keeps its point, as pandas' to_csv writes it (an integer input column stays as written).
    expect(await readAll(output)).toEqual({ x: ["1", "2", "3"], twice: ["2.0", "4.0", "6.0"] });
    expect(deps.text()).toBe(`Wrote 3 rows with twice to ${output}; 3 rows predicted in 0.5s (6 rows/s)\n`);
  });

  // A registry version's number is reused after its model is deleted and created again.
  it("resumes an interrupted run only when the downloaded model's content digest is the same", async () => {
    const input = join(dir, "three-parts.csv");
    const rows = Array.from({ length: 2 * DEFAULT_PART_ROWS + 1 }, (_, r) => r % 10);
    await writeFile(input, `x\n${rows.join("\n")}\n`);
    const output = join(dir, "three-parts-out.csv");
    const run = async (digest: string, failOnCall?: number) => {
      let calls = 0;
      const model = doublingModel();
      const failing: LoadedModel = {
        ...model,
        infer: (inputs) =>
          ++calls === failOnCall ? Promise.reject(new Error("worker crashed")) : model.infer(inputs),
      };
      const deps = captured(failing);
      const loadModel = deps.loadModel;
      deps.loadModel = (uri, options) => (options.onResolved?.({ digest }), loadModel(uri, options));
      const flags = { input, output, batchSize: DEFAULT_PART_ROWS, json: true };
      await runPredict("models:/doubler/3", flags, deps);
      return JSON.parse(deps.text()) as { resumedChunks: number };
    };
    await expect(run("digest-a", 2)).rejects.toThrow(/worker crashed/);
    expect(await run("digest-b")).toMatchObject({ resumedChunks: 0 });
    await expect(run("digest-b", 2)).rejects.toThrow(/worker crashed/);
    expect(await run("digest-b")).toMatchObject({ resumedChunks: 1 });
  }, 60_000);

  it("prints a JSON summary with --json", async () => {
    const input = join(dir, "json.jsonl");
    await writeFile(input, '{"x": 1}\n{"x": 5}\n');
    const output = join(dir, "json-out.parquet");
    const deps = captured(doublingModel());
    await runPredict("./model", { input, output, json: true }, deps);
    const summary = JSON.parse(deps.text()) as Record<string, unknown>;
    expect(summary).toMatchObject({
      rows: 2,
      format: "parquet",
      predictionColumns: ["twice"],
      model: { name: "doubler", version: "3" },
    });
    expect((await readAll(output)).twice).toEqual([2, 10]);
  });

  it("regression: does not give a batch chunk the online 60 s request limit, so a slow batch finishes", async () => {
    const input = join(dir, "slow.csv");
    await writeFile(input, "x\n1\n");
    const deps = captured(doublingModel());
    await runPredict("./model", { input, output: join(dir, "slow-out.csv") }, deps);
    expect(deps.loadOptions[0]?.requestTimeoutMs).toBe(Infinity);
  });

  it("limits each chunk to --chunk-timeout seconds when asked to", async () => {
    const input = join(dir, "limited.csv");
    await writeFile(input, "x\n1\n");
    const deps = captured(doublingModel());
    await runPredict("./model", { input, output: join(dir, "limited-out.csv"), chunkTimeout: 90 }, deps);
    expect(deps.loadOptions[0]?.requestTimeoutMs).toBe(90_000);
  });

  it("passes --execution-provider to the model loader", async () => {
    const input = join(dir, "gpu.csv");
    await writeFile(input, "x\n1\n");
    const deps = captured(doublingModel());
    await runPredict("./model", { input, output: join(dir, "gpu-out.csv"), executionProvider: "cuda" }, deps);
    expect(deps.loadOptions[0]?.executionProviders).toBe("cuda");
  });

  it("lets the loader choose inline or worker threads by timing a run of one batch", async () => {
    const input = join(dir, "auto.csv");
    await writeFile(input, "x\n1\n");
    const deps = captured(doublingModel());
    await runPredict("./model", { input, output: join(dir, "auto-out.csv"), batchSize: 4000 }, deps);
    expect(deps.loadOptions[0]).toMatchObject({
      execution: "auto",
      inlineProbe: { rows: 4000, belowMs: 2 },
      batchRows: 4000,
    });
    await runPredict(
      "./model",
      { input, output: join(dir, "workers-out.csv"), execution: "workers", workers: 3 },
      deps,
    );
    expect(deps.loadOptions[1]).toMatchObject({ execution: "workers", workers: 3 });
  });

  it("refuses --execution inline with more than one worker, before loading the model", async () => {
    const input = join(dir, "inline.csv");
    await writeFile(input, "x\n1\n");
    const deps = captured(doublingModel());
    await expect(
      runPredict("./model", { input, output: join(dir, "o.csv"), execution: "inline", workers: 2 }, deps),
    ).rejects.toThrow("--execution inline runs ONNX models on the main thread; it cannot use --workers 2");
    expect(deps.uris).toEqual([]);
  });

  it("accepts only auto, cuda or cpu as --execution-provider", async () => {
    const command = predictCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    await expect(
      command.parseAsync(["m", "-i", "a.csv", "-o", "b.csv", "--execution-provider", "tpu"], {
        from: "user",
      }),
    ).rejects.toThrow(/Allowed choices are auto, cuda, cpu/);
  });

  it("fails on a missing input before loading the model", async () => {
    const deps = captured(doublingModel());
    await expect(
      runPredict("./model", { input: join(dir, "absent.csv"), output: join(dir, "o.csv") }, deps),
    ).rejects.toThrow(/does not exist/);
    expect(deps.uris).toEqual([]);
  });

  it("rejects a batch size that is not a positive integer as a usage error", async () => {
    const command = predictCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    await expect(
      command.parseAsync(["m", "--input", "a.csv", "--output", "b.csv", "--batch-size", "0"], {
        from: "user",
      }),
    ).rejects.toBeInstanceOf(CommanderError);
  });

  it("runs an ONNX model directory end to end", async () => {
    const modelDir = join(dir, "mlp");
    await mkdir(modelDir);
    const { bytes } = mlpOnnx({ inputs: 2, hidden: 4, outputs: 3, seed: 7 });
    await writeFile(join(modelDir, "model.onnx"), bytes);
    const input = join(dir, "features.csv");
    await writeFile(input, "id,f0,f1\na,0.5,1\nb,-1,2\nc,3,0\n");
    const output = join(dir, "features-out.jsonl");
    let text = "";
    await runPredict(
      modelDir,
      { input, output, batchSize: 2, columns: ["f0", "f1"], workers: 1 },
      {
        loadModel,
        stdout: { write: (chunk: string) => (text += chunk) },
        progress: { enabled: false },
        now: Date.now,
      },
    );
    const table = await readAll(output);
    expect(Object.keys(table)).toEqual([
      "id",
      "f0",
      "f1",
      "probabilities_0",
      "probabilities_1",
      "probabilities_2",
      "label",
    ]);
    for (let r = 0; r < 3; r++) {
      const probabilities = [0, 1, 2].map((k) => table[`probabilities_${k}`]?.[r] as number);
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(table.label?.[r]).toBe(probabilities.indexOf(Math.max(...probabilities)));
    }
    expect(text).toContain("Wrote 3 rows");
  }, 60_000);
});
