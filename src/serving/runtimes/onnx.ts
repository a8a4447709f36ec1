/**
 * The ONNX runtime: serves an `.onnx` file with onnxruntime-node, in one of two places. A model whose runs are
 * short runs on the server's event loop (onnx/inlineSession.ts), because for it the hop to a worker thread costs
 * more than the run; any other runs on a pool of worker threads (one session per thread, sized to the cores by
 * default), because a session's `run` holds the thread that calls it. "auto" times the model to choose. It checks
 * each request against the model's own input and output metadata before it reaches either, so a wrong name,
 * datatype or shape is a clear 400 rather than an onnxruntime message. The CUDA execution provider is tried when
 * asked for ("auto") and a GPU answers `nvidia-smi`; CPU otherwise.
 * `infer` may hand the inputs' typed arrays to a worker thread (transfer, not copy): afterwards the caller's
 * arrays may be detached (length 0) and must not be reused.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { Worker } from "node:worker_threads";
import { FlowOpsError, notFound } from "../../errors.js";
import { startModuleWorker } from "../../moduleWorker.js";
import type { InlineOnnxSession, InlineSessionConfig } from "../onnx/inlineSession.js";
import { OnnxWorkerPool } from "../onnx/onnxWorkerPool.js";
import { CUDA_PROVIDER_HINT, providersFor, type ProviderChoice } from "../onnx/providerChoice.js";
import { sessionChoiceLines } from "../onnx/sessionChoiceLog.js";
import type { LoadedModel } from "../runtime.js";
import type { ModelSignature } from "../signature.js";
import { elementCount, type Tensor, type TensorSpec } from "../tensor.js";
import type { OnnxExecutionProvider, OnnxWorkerData } from "./onnxWorker.js";

/** Where runs happen: on the event loop, on worker threads, or chosen by timing the model ("auto"). */
export const ONNX_EXECUTIONS = ["auto", "inline", "workers"] as const;
export type OnnxExecution = (typeof ONNX_EXECUTIONS)[number];

/**
 * "auto" runs a model inline when a batch-1 run (the fastest of a timed probe on the CPU) is under this. An inline run holds the event loop, which
 * also parses and answers every request (roughly 0.05-0.1 ms each), so at 1,000 req/s a 0.5 ms run keeps the loop
 * about 60% busy and requests rarely queue behind one another; at 1 ms the loop would be saturated at that rate.
 * Above this the worker hop (about 0.1-0.3 ms of messaging and wake-up) is small beside the run, and worker
 * threads run requests in parallel, so the pool is the better place.
 */
export const INLINE_RUN_THRESHOLD_MS = 0.5;
const TIMED_PROBE_RUNS = 15;
/**
 * Timed runs stop once they add up to this many times the threshold (see InlineSession.timeRuns): a model whose
 * runs are near the threshold still gets every sample, and one far above it is known after a run or two.
 */
const PROBE_ENOUGH_THRESHOLDS = 20;

export interface OnnxLoadOptions {
  name: string;
  version: string;
  /**
   * "auto" (default): inline when a timed probe finds runs shorter than INLINE_RUN_THRESHOLD_MS and `threads`
   * is not above 1, else worker threads. "inline": on the event loop (`threads` above 1 is refused).
   * "workers": always worker threads.
   */
  execution?: OnnxExecution;
  /** Worker threads, each with its own session; default os.availableParallelism(). Above 1 means workers. */
  threads?: number;
  /** "auto" (default) tries CUDA when a GPU is present, then CPU; "cuda" fails without CUDA; "cpu" never tries it. */
  executionProviders?: ProviderChoice;
  /**
   * The most rows one run will get (serve's --max-batch-size), 1 by default. With "auto" providers, a GPU and
   * "auto" execution, runs of one row are timed on CUDA and on the CPU and the faster provider kept: a GPU
   * adds ~0.1 ms of launches and copies to every run, which a small model served one request at a time does not
   * win back. Larger batches keep CUDA.
   */
  batchRows?: number;
  /**
   * What "auto" execution times, and below what it runs inline: by default runs of one row against
   * INLINE_RUN_THRESHOLD_MS, the cost of a served request. Batch inference times runs of its batch size
   * against a budget that grows with it (see batchExecution.ts).
   */
  inlineProbe?: InlineProbe;
  /** The MLflow signature from the model's MLmodel, when there is one. */
  signature?: ModelSignature;
  /** Where provider choices, the execution choice and worker restarts are reported; default stderr. */
  log?: (line: string) => void;
}

export interface InlineProbe {
  /** Rows in each timed run: the first unknown dimension of every input; other unknown dimensions are 1. */
  rows: number;
  /** The run time below which the model runs inline. */
  belowMs: number;
}

/** What loading touches beyond the model file; tests wrap the worker start to watch or stop threads. */
export interface OnnxWorld {
  startWorker(data: OnnxWorkerData): Worker;
  gpuPresent(): boolean;
  /** Opens a session on the event loop; tests stand in sessions whose provider and timings they choose. */
  openInline?(config: InlineSessionConfig): Promise<InlineOnnxSession>;
}

export const defaultOnnxWorld: OnnxWorld = { startWorker: startOnnxWorker, gpuPresent };

/** What runs a checked request: the worker pool or the inline session. */
interface OnnxRunner {
  ready(): boolean;
  /** `onStart`: called when the run starts (LoadedModel.infer's option of that name). */
  run(inputs: readonly Tensor[], outputs: readonly string[], onStart?: () => void): Promise<Tensor[]>;
  close(): Promise<void>;
}

interface LoadedRunner {
  runner: OnnxRunner;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

interface LoadPlan {
  file: string;
  label: string;
  providers: OnnxExecutionProvider[];
  threads: number | undefined;
  log: (line: string) => void;
  world: OnnxWorld;
  /** Whether a CUDA session is timed against a CPU one before it is kept (see `batchRows`). */
  compareCpu: boolean;
  probe: InlineProbe;
}

/** Loads `path` inline or on a new pool (see `execution`); a file that onnxruntime rejects fails with its message. */
export async function loadOnnxModel(
  path: string,
  options: OnnxLoadOptions,
  world: OnnxWorld = defaultOnnxWorld,
): Promise<LoadedModel> {
  const file = resolve(path);
  if (!existsSync(file)) throw notFound(`${file}: ONNX model file not found`);
  const plan: LoadPlan = {
    file,
    label: `'${options.name}' version ${options.version}`,
    providers: providersFor(options.executionProviders ?? "auto", () => world.gpuPresent()),
    compareCpu: (options.executionProviders ?? "auto") === "auto" && (options.batchRows ?? 1) <= 1,
    probe: options.inlineProbe ?? { rows: 1, belowMs: INLINE_RUN_THRESHOLD_MS },
    threads: options.threads,
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    world,
  };
  const execution = options.execution ?? "auto";
  let loaded: LoadedRunner;
  switch (execution) {
    case "inline":
      if (plan.threads !== undefined && plan.threads > 1) {
        throw invalid(
          `model ${plan.label}: execution 'inline' runs on the server's event loop, so it cannot use ${plan.threads} worker threads; choose execution 'workers' or 'auto' with workers above 1`,
        );
      }
      loaded = inlineRunner(await openInline(plan), plan);
      break;
    case "workers":
      loaded = await startPool(plan);
      break;
    case "auto":
      loaded =
        plan.threads !== undefined && plan.threads > 1 ? await startPool(plan) : await chooseByTiming(plan);
      break;
    default:
      throw invalid(
        `model ${plan.label}: unknown execution '${String(execution)}' (expected one of: ${ONNX_EXECUTIONS.join(", ")})`,
      );
  }
  return new OnnxModel(options, loaded.inputs, loaded.outputs, loaded.runner);
}

/** Opens the model inline and times it; keeps it when runs are short, else closes it and starts the pool. */
async function chooseByTiming(initialPlan: LoadPlan): Promise<LoadedRunner> {
  let plan = initialPlan;
  let inline = await openInline(plan);
  let runMs: number;
  try {
    runMs = await probeMs(inline, plan.probe);
    if (inline.provider === "cuda" && plan.compareCpu) {
      ({ plan, inline, runMs } = await fasterOfCudaAndCpu(plan, inline, runMs));
    }
  } catch (error) {
    await inline.close();
    plan.log(
      `onnx model ${plan.label}: cannot time a run on a zero input (${messageOf(error)}); using worker threads`,
    );
    return startPool(plan);
  }
  const took = `${probedRun(plan.probe.rows)} takes ${runMs.toFixed(3)} ms`;
  if (runMs < plan.probe.belowMs) {
    plan.log(
      `onnx model ${plan.label}: ${took}; running on the event loop (--execution workers for worker threads)`,
    );
    return inlineRunner(inline, plan);
  }
  await inline.close();
  plan.log(`onnx model ${plan.label}: ${took} (inline below ${plan.probe.belowMs} ms); using worker threads`);
  return startPool(plan);
}

/** Times the model on the CPU too and keeps the faster session; CUDA stays when the CPU session fails. */
async function fasterOfCudaAndCpu(
  plan: LoadPlan,
  cuda: InlineOnnxSession,
  cudaMs: number,
): Promise<{ plan: LoadPlan; inline: InlineOnnxSession; runMs: number }> {
  const cpuPlan: LoadPlan = { ...plan, providers: ["cpu"] };
  let cpu: InlineOnnxSession | undefined;
  let cpuMs: number;
  try {
    cpu = await openInline(cpuPlan);
    cpuMs = await probeMs(cpu, plan.probe);
  } catch (error) {
    await cpu?.close();
    plan.log(`onnx model ${plan.label}: cannot time it on the cpu (${messageOf(error)}); keeping cuda`);
    return { plan, inline: cuda, runMs: cudaMs };
  }
  const both = `${probedRun(plan.probe.rows)} takes ${cudaMs.toFixed(3)} ms on cuda, ${cpuMs.toFixed(3)} ms on cpu`;
  if (cpuMs < cudaMs) {
    plan.log(
      `onnx model ${plan.label}: ${both}; using the cpu execution provider (--execution-provider cuda keeps the GPU)`,
    );
    await cuda.close();
    return { plan: cpuPlan, inline: cpu, runMs: cpuMs };
  }
  plan.log(`onnx model ${plan.label}: ${both}; keeping cuda`);
  await cpu.close();
  return { plan, inline: cuda, runMs: cudaMs };
}

/**
 * On the CPU provider the fastest run is the cost on a quiet machine: other processes holding the core, a
 * collection or a page fault only add time. The median wall time grows with the load, and process CPU time
 * (used before) also counts every other thread of this process, onnxruntime's spinning pool among them: in a
 * loaded CI run it sent the tiny test MLP (tens of µs) to the workers. A GPU run waits for the device, which
 * the event loop would wait for too, so there the median is the cost.
 */
async function probeMs(inline: InlineOnnxSession, { rows, belowMs }: InlineProbe): Promise<number> {
  const timing = await inline.timeRuns(TIMED_PROBE_RUNS, rows, PROBE_ENOUGH_THRESHOLDS * belowMs);
  return inline.provider === "cpu" ? timing.fastestMs : timing.medianMs;
}

function probedRun(rows: number): string {
  return rows === 1 ? "a batch-1 run" : `a run of ${rows} rows`;
}

async function openInline(plan: LoadPlan): Promise<InlineOnnxSession> {
  const config = { label: plan.label, path: plan.file, providers: plan.providers };
  try {
    if (plan.world.openInline !== undefined) return await plan.world.openInline(config);
    // Loaded on use: a model served by workers never needs onnxruntime on the server's own thread.
    const { InlineOnnxSession } = await import("../onnx/inlineSession.js");
    return await InlineOnnxSession.open(config);
  } catch (error) {
    throw cannotLoad(plan, error);
  }
}

function inlineRunner(inline: InlineOnnxSession, plan: LoadPlan): LoadedRunner {
  for (const line of sessionChoiceLines(plan.label, inline)) plan.log(line);
  return { runner: inline, inputs: inline.inputs, outputs: inline.outputs };
}

async function startPool(plan: LoadPlan): Promise<LoadedRunner> {
  const pool = new OnnxWorkerPool({
    label: plan.label,
    size: plan.threads ?? availableParallelism(),
    workerData: { path: plan.file, providers: plan.providers },
    startWorker: plan.world.startWorker,
    log: plan.log,
  });
  try {
    const ready = await pool.start();
    return { runner: pool, inputs: ready.inputs, outputs: ready.outputs };
  } catch (error) {
    throw cannotLoad(plan, error);
  }
}

function cannotLoad(plan: LoadPlan, error: unknown): FlowOpsError {
  if (plan.providers.length === 1 && plan.providers[0] === "cuda") {
    // Most often the provider libraries are missing, which is the machine's state, not a bad model.
    return new FlowOpsError(
      "INVALID_STATE",
      `${plan.file}: cannot load the ONNX model with the CUDA execution provider: ${messageOf(error)} (${CUDA_PROVIDER_HINT})`,
      { cause: error },
    );
  }
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${plan.file}: cannot load the ONNX model: ${messageOf(error)}`,
    {
      cause: error,
    },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
    private readonly runner: OnnxRunner,
  ) {
    this.name = options.name;
    this.version = options.version;
    if (options.signature !== undefined) this.signature = options.signature;
  }

  ready(): boolean {
    return this.runner.ready();
  }

  infer(
    inputs: Tensor[],
    options: { outputs?: string[]; params?: Record<string, unknown>; onStart?: () => void } = {},
  ): Promise<Tensor[]> {
    let outputs: string[];
    try {
      this.checkInputs(inputs);
      outputs = this.outputNames(options.outputs);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.runner.run(inputs, outputs, options.onStart);
  }

  close(): Promise<void> {
    return this.runner.close();
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
  const missing = input.nulls?.[0];
  if (missing !== undefined) {
    // ONNX string tensors have no missing value. MLflow's scoring path writes nulls as 'None' or 'nan' before
    // the model sees them (payloads/stringInputNumbers.ts); a null that gets here came another way (KServe).
    throw invalid(`input '${input.name}': element ${missing} is null, but ONNX string inputs cannot be null`);
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
