/**
 * An ONNX model's session on the server's own event loop, for models whose runs are short (an MLP or a small
 * tree ensemble at batch 1 runs in microseconds). Handing such a request to a worker thread costs more than the
 * run itself: two postMessage hops, a thread wake-up, and worker threads competing with the event loop for the
 * same cores. Here a run holds the event loop for its whole duration, so this is only for models that
 * runtimes/onnx.ts has timed as fast (or that the operator asked to run inline). Same conversions and errors as
 * the worker (ortSession.ts); it does not validate requests (the model does).
 */
import { performance } from "node:perf_hooks";
import type * as ort from "onnxruntime-node";
import { FlowOpsError } from "../../errors.js";
import { allocateTensorData, elementCount, type Tensor, type TensorSpec } from "../tensor.js";
import {
  messageOf,
  openOrtSession,
  runOrtSession,
  type OnnxExecutionProvider,
  type OpenedOrtSession,
} from "./ortSession.js";

export interface InlineSessionConfig {
  /** Names the model in errors. */
  label: string;
  path: string;
  /** Tried in order; the first that creates a session wins. */
  providers: OnnxExecutionProvider[];
}

export class InlineOnnxSession {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  readonly skippedOutputs: string[];
  readonly provider: OnnxExecutionProvider;
  readonly fallbacks: string[];
  private readonly session: ort.InferenceSession;
  private closed = false;
  /** Runs already scheduled; close() lets them finish before it frees the native session under them. */
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    private readonly label: string,
    opened: OpenedOrtSession,
  ) {
    this.session = opened.session;
    this.inputs = opened.inputs;
    this.outputs = opened.outputs;
    this.skippedOutputs = opened.skippedOutputs;
    this.provider = opened.provider;
    this.fallbacks = opened.fallbacks;
  }

  /** Opens the model file; onnxruntime's own error when it rejects the file. */
  static async open(config: InlineSessionConfig): Promise<InlineOnnxSession> {
    return new InlineOnnxSession(config.label, await openOrtSession(config.path, config.providers));
  }

  ready(): boolean {
    return !this.closed;
  }

  /** `onStart` is called at once: nothing queues on the event loop ahead of the run. */
  async run(inputs: readonly Tensor[], outputs: readonly string[], onStart?: () => void): Promise<Tensor[]> {
    if (this.closed) throw unavailable(`model ${this.label} is closed`);
    onStart?.();
    const running = runOrtSession(this.session, inputs, outputs);
    this.inFlight.add(running);
    try {
      return await running;
    } catch (error) {
      // The same wording and code the worker pool gives a run that onnxruntime rejects.
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `model ${this.label}: ${messageOf(error)}`, {
        cause: error,
      });
    } finally {
      this.inFlight.delete(running);
    }
  }

  /**
   * How long a run on an all-zero input of `rows` rows (the first unknown dimension; others as 1) takes over
   * `samples` runs, after one untimed run that lets onnxruntime allocate: the median and the fastest, in
   * wall-clock time. Sampling stops early once the timed runs add up to `enoughMs` (after one at least), so timing a slow model at a
   * large batch costs a few runs, not `samples`. Rejects when the model cannot run on such an input.
   */
  async timeRuns(
    samples: number,
    rows = 1,
    enoughMs = Infinity,
  ): Promise<{ medianMs: number; fastestMs: number }> {
    const inputs = this.inputs.map((spec) => zeroInput(spec, rows));
    const outputs = this.outputs.map((spec) => spec.name);
    await runOrtSession(this.session, inputs, outputs);
    const wall: number[] = [];
    let spent = 0;
    for (let i = 0; i < samples && (i === 0 || spent < enoughMs); i++) {
      const start = performance.now();
      await runOrtSession(this.session, inputs, outputs);
      wall.push(performance.now() - start);
      spent += wall[i] as number;
    }
    const sorted = wall.sort((a, b) => a - b);
    return { medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, fastestMs: sorted[0] ?? 0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.session.release();
  }
}

function zeroInput(spec: TensorSpec, rows: number): Tensor {
  const batchDim = spec.shape.findIndex((dim) => dim < 0);
  const shape =
    spec.shape.length === 0 ? [1] : spec.shape.map((dim, i) => (i === batchDim ? rows : dim < 0 ? 1 : dim));
  return {
    name: spec.name,
    datatype: spec.datatype,
    shape,
    data: allocateTensorData(spec.datatype, elementCount(shape)),
  };
}

function unavailable(message: string): FlowOpsError {
  return new FlowOpsError("TEMPORARILY_UNAVAILABLE", message);
}
