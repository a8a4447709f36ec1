import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { defaultOnnxWorld, loadOnnxModel, type OnnxWorld } from "./onnx.js";
import { rejection } from "../../../test/support/thrownError.js";
import { checkOutputs, features, mlpFile, scratchDir, useMlpDirectory } from "./onnxFixtures.js";
import type { OnnxWorkerReply } from "./onnxWorker.js";
import { watchedOnnxWorld } from "../../../test/support/watchedOnnxWorld.js";

useMlpDirectory();

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

/** A world whose workers are stand-ins answering `reply`, recording the providers each was asked for. */
function providerAskingWorld(gpu: boolean, reply: OnnxWorkerReply): { world: OnnxWorld; asked: string[][] } {
  const asked: string[][] = [];
  const world: OnnxWorld = {
    gpuPresent: () => gpu,
    startWorker(data) {
      asked.push([...data.providers]);
      return standInWorker(reply);
    },
  };
  return { world, asked };
}

/** The ready reply of the test MLP, read from a real load. */
async function mlpReady(overrides: Partial<OnnxWorkerReply> = {}): Promise<OnnxWorkerReply> {
  const probe = await loadOnnxModel(mlpFile(), {
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

describe("loadOnnxModel failures", () => {
  it("reports a missing file as not found", async () => {
    const error = await rejection(
      loadOnnxModel(join(scratchDir(), "absent.onnx"), { name: "m", version: "1", threads: 1 }),
    );
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toContain("absent.onnx");
  });

  it("names the file and gives onnxruntime's message when the model does not load, and stops its threads", async () => {
    const path = join(scratchDir(), "broken.onnx");
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
      mlpFile(),
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
    const { world, asked } = providerAskingWorld(true, ready);
    const lines: string[] = [];
    const model = await loadOnnxModel(
      mlpFile(),
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

  it("asks for CUDA alone when told 'cuda', even without a GPU, and says what CUDA needs when it fails", async () => {
    const failure: OnnxWorkerReply = {
      type: "failed",
      message: "libonnxruntime_providers_cuda.so: cannot open shared object file",
    };
    const { world, asked } = providerAskingWorld(false, failure);
    const error = await rejection(
      loadOnnxModel(
        mlpFile(),
        { name: "mlp", version: "1", execution: "workers", threads: 1, executionProviders: "cuda" },
        world,
      ),
    );
    expect(asked[0]).toEqual(["cuda"]);
    expect(error.code).toBe("INVALID_STATE");
    expect(error.message).toContain("cannot load the ONNX model with the CUDA execution provider");
    expect(error.message).toContain("libonnxruntime_providers_cuda.so: cannot open shared object file");
    expect(error.message).toMatch(/onnxruntime-gpu wheel .*LD_LIBRARY_PATH/);
  });

  it("never asks for CUDA when told 'cpu', even with a GPU", async () => {
    const ready = await mlpReady();
    const { world, asked } = providerAskingWorld(true, ready);
    const model = await loadOnnxModel(
      mlpFile(),
      { name: "mlp", version: "1", execution: "workers", threads: 1, executionProviders: "cpu" },
      world,
    );
    await model.close();
    expect(asked).toEqual([["cpu"]]);
  });
});

describe("LoadedModel.close", () => {
  it("terminates every worker thread and turns later requests away", async () => {
    const world = watchedOnnxWorld();
    const model = await loadOnnxModel(
      mlpFile(),
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
