import { describe, expect, it } from "vitest";
import type { InlineOnnxSession, InlineSessionConfig } from "../onnx/inlineSession.js";
import type { OnnxExecutionProvider } from "../onnx/ortSession.js";
import type { Tensor } from "../tensor.js";
import { loadOnnxModel, type OnnxWorld } from "./onnx.js";
import { features, mlpFile, useMlpDirectory } from "./onnxFixtures.js";

useMlpDirectory();

/** A session on the event loop whose provider and batch-1 timing the test sets; it answers with its provider. */
function standInSession(provider: OnnxExecutionProvider, runMs: number, closed: string[]): InlineOnnxSession {
  const session = {
    inputs: [{ name: "input", datatype: "FP32", shape: [-1, 16] }],
    outputs: [{ name: "provider", datatype: "BYTES", shape: [1] }],
    skippedOutputs: [],
    provider,
    fallbacks: [],
    ready: () => true,
    run: (): Promise<Tensor[]> =>
      Promise.resolve([{ name: "provider", datatype: "BYTES", shape: [1], data: [provider] }]),
    timeRuns: () => Promise.resolve({ medianMs: runMs, fastestMs: runMs }),
    close: () => {
      closed.push(provider);
      return Promise.resolve();
    },
  };
  return session as unknown as InlineOnnxSession;
}

function world(
  timings: Record<OnnxExecutionProvider, number>,
  asked: string[][],
  closed: string[],
): OnnxWorld {
  return {
    gpuPresent: () => true,
    startWorker: () => {
      throw new Error("no worker threads in these tests");
    },
    openInline: (config: InlineSessionConfig) => {
      asked.push([...config.providers]);
      const provider = config.providers[0]!;
      return Promise.resolve(standInSession(provider, timings[provider], closed));
    },
  };
}

async function servedBy(model: { infer(inputs: Tensor[]): Promise<Tensor[]> }): Promise<unknown> {
  const [output] = await model.infer([features(1)]);
  return output?.data[0];
}

describe("choosing between CUDA and the CPU for one-row runs", () => {
  it("keeps the CPU when a one-row run is faster there, and says why", async () => {
    const asked: string[][] = [];
    const closed: string[] = [];
    const lines: string[] = [];
    const model = await loadOnnxModel(
      mlpFile(),
      { name: "m", version: "1", log: (line) => lines.push(line) },
      world({ cuda: 0.115, cpu: 0.049 }, asked, closed),
    );
    expect(asked).toEqual([["cuda", "cpu"], ["cpu"]]);
    expect(closed).toEqual(["cuda"]);
    expect(await servedBy(model)).toBe("cpu");
    expect(lines[0]).toBe(
      "onnx model 'm' version 1: a batch-1 run takes 0.115 ms on cuda, 0.049 ms on cpu; using the cpu execution " +
        "provider (--execution-provider cuda keeps the GPU)",
    );
    await model.close();
  });

  it("keeps CUDA when it is faster", async () => {
    const closed: string[] = [];
    const lines: string[] = [];
    const model = await loadOnnxModel(
      mlpFile(),
      { name: "m", version: "1", log: (line) => lines.push(line) },
      world({ cuda: 0.08, cpu: 0.3 }, [], closed),
    );
    expect(closed).toEqual(["cpu"]);
    expect(await servedBy(model)).toBe("cuda");
    expect(lines[0]).toMatch(/0\.080 ms on cuda, 0\.300 ms on cpu; keeping cuda$/);
    await model.close();
  });

  it("does not compare when batches are larger, or CUDA was asked for by name", async () => {
    for (const options of [{ batchRows: 64 }, { executionProviders: "cuda" as const }]) {
      const asked: string[][] = [];
      const model = await loadOnnxModel(
        mlpFile(),
        { name: "m", version: "1", ...options },
        world({ cuda: 0.115, cpu: 0.049 }, asked, []),
      );
      expect(asked).toHaveLength(1);
      expect(await servedBy(model)).toBe("cuda");
      await model.close();
    }
  });
});
