/**
 * The ONNX runtime: serves an `.onnx` file with onnxruntime-node on a pool of worker threads (one session per
 * thread, sized to the cores by default), because a session's `run` holds the thread that calls it. It checks
 * each request against the model's own input and output metadata before it leaves the event loop, so a wrong
 * name, datatype or shape is a clear 400 rather than an onnxruntime message. The CUDA execution provider is
 * tried when asked for ("auto") and a GPU answers `nvidia-smi`; CPU otherwise.
 * `infer` hands the inputs' typed arrays to a worker thread (transfer, not copy): afterwards the caller's arrays
 * are detached (length 0) and must not be reused.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { Worker } from "node:worker_threads";
import { FlowOpsError, notFound } from "../../errors.js";
import { startModuleWorker } from "../../moduleWorker.js";
import { OnnxWorkerPool } from "../onnx/onnxWorkerPool.js";
import type { LoadedModel } from "../runtime.js";
import type { ModelSignature } from "../signature.js";
import { elementCount, type Tensor, type TensorSpec } from "../tensor.js";
import type { OnnxExecutionProvider, OnnxWorkerData } from "./onnxWorker.js";

export interface OnnxLoadOptions {
  name: string;
  version: string;
  /** Worker threads, each with its own session; default os.availableParallelism(). */
  threads?: number;
  /** "auto" (default) tries CUDA when a GPU is present, then CPU; "cpu" never tries CUDA. */
  executionProviders?: "auto" | "cpu";
  /** The MLflow signature from the model's MLmodel, when there is one. */
  signature?: ModelSignature;
  /** Where provider choices and worker restarts are reported; default stderr. */
  log?: (line: string) => void;
}

/** What loading touches beyond the model file; tests wrap the worker start to watch or stop threads. */
export interface OnnxWorld {
  startWorker(data: OnnxWorkerData): Worker;
  gpuPresent(): boolean;
}

export const defaultOnnxWorld: OnnxWorld = { startWorker: startOnnxWorker, gpuPresent };

/** Loads `path` on every thread of a new pool; a file that onnxruntime rejects fails with its message. */
export async function loadOnnxModel(
  path: string,
  options: OnnxLoadOptions,
  world: OnnxWorld = defaultOnnxWorld,
): Promise<LoadedModel> {
  const file = resolve(path);
  if (!existsSync(file)) throw notFound(`${file}: ONNX model file not found`);
  const providers: OnnxExecutionProvider[] =
    (options.executionProviders ?? "auto") === "auto" && world.gpuPresent() ? ["cuda", "cpu"] : ["cpu"];
  const label = `'${options.name}' version ${options.version}`;
  const pool = new OnnxWorkerPool({
    label,
    size: options.threads ?? availableParallelism(),
    workerData: { path: file, providers },
    startWorker: world.startWorker,
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
  });
  let ready;
  try {
    ready = await pool.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${file}: cannot load the ONNX model: ${message}`, {
      cause: error,
    });
  }
  return new OnnxModel(options, ready.inputs, ready.outputs, pool);
}

class OnnxModel implements LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly platform = "onnx_onnxv1";
  readonly signature?: ModelSignature;

  constructor(
    options: OnnxLoadOptions,
    readonly inputs: TensorSpec[],
    readonly outputs: TensorSpec[],
    private readonly pool: OnnxWorkerPool,
  ) {
    this.name = options.name;
    this.version = options.version;
    if (options.signature !== undefined) this.signature = options.signature;
  }

  ready(): boolean {
    return this.pool.ready();
  }

  infer(
    inputs: Tensor[],
    options: { outputs?: string[]; params?: Record<string, unknown> } = {},
  ): Promise<Tensor[]> {
    let outputs: string[];
    try {
      this.checkInputs(inputs);
      outputs = this.outputNames(options.outputs);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.pool.run(inputs, outputs);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private checkInputs(inputs: readonly Tensor[]): void {
    const expected = this.inputs.map((spec) => spec.name);
    const seen = new Set<string>();
    for (const input of inputs) {
      const spec = this.inputs.find((candidate) => candidate.name === input.name);
      if (spec === undefined) {
        throw invalid(`model '${this.name}' has no input '${input.name}' (expected: ${expected.join(", ")})`);
      }
      if (seen.has(input.name)) throw invalid(`input '${input.name}' is given more than once`);
      seen.add(input.name);
      checkTensor(input, spec);
    }
    const missing = expected.filter((name) => !seen.has(name));
    if (missing.length > 0) {
      throw invalid(
        `model '${this.name}' is missing input ${missing.map((name) => `'${name}'`).join(", ")} (expected: ${expected.join(", ")})`,
      );
    }
  }

  private outputNames(requested: readonly string[] | undefined): string[] {
    const available = this.outputs.map((spec) => spec.name);
    if (requested === undefined || requested.length === 0) return available;
    for (const name of requested) {
      if (!available.includes(name)) {
        throw invalid(`model '${this.name}' has no output '${name}' (available: ${available.join(", ")})`);
      }
    }
    return [...requested];
  }
}

function checkTensor(input: Tensor, spec: TensorSpec): void {
  if (input.datatype !== spec.datatype) {
    throw invalid(
      `input '${input.name}': datatype ${input.datatype} does not match the model's ${spec.datatype}`,
    );
  }
  const fits =
    spec.shape.length === 0 ||
    (input.shape.length === spec.shape.length &&
      spec.shape.every((dim, i) => dim < 0 || dim === input.shape[i]));
  if (!fits) {
    throw invalid(
      `input '${input.name}': shape ${formatShape(input.shape)} does not match ${formatShape(spec.shape)}`,
    );
  }
  const count = elementCount(input.shape);
  if (input.data.length !== count) {
    const detached =
      input.data.length === 0 ? " (a typed array passed to an earlier infer() is detached)" : "";
    throw invalid(
      `input '${input.name}': ${input.data.length} values for shape ${formatShape(input.shape)}, which needs ${count}${detached}`,
    );
  }
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

function invalid(message: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", message);
}

function gpuPresent(): boolean {
  try {
    execFileSync("nvidia-smi", ["-L"], { stdio: "ignore", timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** Starts onnxWorker beside this module (the bundle has it as the entry `onnxWorker`). */
export function startOnnxWorker(data: OnnxWorkerData): Worker {
  return startModuleWorker(import.meta.url, "onnxWorker", { workerData: data });
}
