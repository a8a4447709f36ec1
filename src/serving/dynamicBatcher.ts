/**
 * Dynamic batching in front of a LoadedModel: concurrent requests with the same input names, datatypes and
 * trailing dimensions wait at most `maxQueueDelayMs` and run as one model call of up to `maxBatchSize` rows,
 * then each gets its own rows of the outputs back. Off (every request is its own call) unless configured,
 * because it trades latency for throughput and only suits models whose outputs are row-aligned with their
 * inputs. It also counts calls in flight, so a shutdown can wait for them before closing the model.
 */
import { FlowOpsError, type ErrorCode } from "../errors.js";
import type { LoadedModel } from "./runtime.js";
import type { BatchObserver } from "./servingMetrics.js";
import type { Tensor } from "./tensor.js";
import { concatBatch, splitBatch } from "./tensorBatch.js";

export interface BatchingOptions {
  /** Most rows in one combined model call. */
  maxBatchSize: number;
  /** Longest time the first request of a batch waits for others. */
  maxQueueDelayMs: number;
}

export interface InferOptions {
  outputs?: string[];
  params?: Record<string, unknown>;
  /** PredictRequest.paramsJson: the params' source text, for a Python model. */
  paramsJson?: string;
  /** The rows' DataFrame index (dataframe_split); a request with one runs alone, never batched with others. */
  index?: unknown[];
  /** The request's MLflow form (PredictRequest.dataframe); requests of different forms never share a batch. */
  dataframe?: boolean;
  /** PredictRequest.missingAsNaN (CSV bodies); part of the batch key, as `dataframe` is. */
  missingAsNaN?: boolean;
}

interface Pending {
  inputs: Tensor[];
  rows: number;
  enqueuedAt: number;
  /** Its queue time is recorded: a batch that failed and runs each request alone must not record it twice. */
  started: boolean;
  resolve(outputs: Tensor[]): void;
  reject(error: unknown): void;
}

interface Queue {
  parts: Pending[];
  rows: number;
  options: InferOptions | undefined;
  timer: NodeJS.Timeout | undefined;
}

const NO_OBSERVER: BatchObserver = { observeBatch: () => undefined, observeQueue: () => undefined };

export class DynamicBatcher {
  private readonly queues = new Map<string, Queue>();
  private inFlight = 0;
  /** Set by drain(): a shutdown must not leave late requests waiting out the queue delay. */
  private draining = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly model: LoadedModel,
    private readonly batching: BatchingOptions | undefined = undefined,
    private readonly observer: BatchObserver = NO_OBSERVER,
  ) {
    if (batching !== undefined) {
      if (!Number.isInteger(batching.maxBatchSize) || batching.maxBatchSize < 1) {
        throw new FlowOpsError(
          "INVALID_PARAMETER_VALUE",
          `max batch size must be a whole number of rows >= 1, got ${batching.maxBatchSize}`,
        );
      }
      if (!Number.isFinite(batching.maxQueueDelayMs) || batching.maxQueueDelayMs < 0) {
        throw new FlowOpsError(
          "INVALID_PARAMETER_VALUE",
          `max queue delay must be a number of milliseconds >= 0, got ${batching.maxQueueDelayMs}`,
        );
      }
    }
  }

  /** Runs the inputs, alone or as part of a combined batch; resolves with this request's outputs only. */
  infer(inputs: Tensor[], options?: InferOptions): Promise<Tensor[]> {
    const rows = batchRows(inputs);
    const batching = this.batching;
    if (
      batching === undefined ||
      this.draining ||
      rows === undefined ||
      rows >= batching.maxBatchSize ||
      options?.params ||
      options?.index ||
      // Values held as sent (a model without a signature) are typed by numpy or pandas from the request's own
      // values, and columns kept in their Parquet dtype carry it alone: joined with another request's they
      // could reach the model typed otherwise than alone; so could those the worker casts to the signature.
      inputs.some(
        (input) => input.jsonData !== undefined || input.keepDtype === true || input.schemaCast === true,
      )
    ) {
      const arrivedAt = performance.now();
      const observer = this.observer;
      // The model call may still wait inside the runtime (every worker busy); that wait is queue time too.
      const onStart = (): void => observer.observeQueue((performance.now() - arrivedAt) / 1000);
      return this.track(this.callModel(inputs, options, rows ?? 1, onStart));
    }
    const key = batchKey(inputs, options);
    let queue = this.queues.get(key);
    if (queue !== undefined && queue.rows + rows > batching.maxBatchSize) {
      this.flush(key, queue);
      queue = undefined;
    }
    if (queue === undefined) {
      queue = { parts: [], rows: 0, options, timer: undefined };
      this.queues.set(key, queue);
    }
    const request = new Promise<Tensor[]>((resolve, reject) => {
      queue.parts.push({ inputs, rows, enqueuedAt: performance.now(), started: false, resolve, reject });
    });
    queue.rows += rows;
    if (queue.rows >= batching.maxBatchSize) {
      this.flush(key, queue);
    } else if (queue.timer === undefined) {
      const waiting = queue;
      waiting.timer = setTimeout(() => this.flush(key, waiting), batching.maxQueueDelayMs);
    }
    return this.track(request);
  }

  /**
   * Runs queued batches now, without waiting for their queue delay, and resolves when no model call is queued
   * or running. Requests that arrive afterwards (bodies still being read when the shutdown began) run at once.
   */
  async drain(): Promise<void> {
    this.draining = true;
    for (const [key, queue] of [...this.queues]) this.flush(key, queue);
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private flush(key: string, queue: Queue): void {
    if (this.queues.get(key) === queue) this.queues.delete(key);
    if (queue.timer !== undefined) clearTimeout(queue.timer);
    const { parts } = queue;
    if (parts.length === 0) return;
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only !== undefined) {
      this.callModel(only.inputs, queue.options, only.rows, this.startOf(parts)).then(
        only.resolve,
        only.reject,
      );
      return;
    }
    let combined: Tensor[];
    try {
      combined = (parts[0]?.inputs ?? []).map((_, i) =>
        concatBatch(parts.map((part) => part.inputs[i] as Tensor)),
      );
    } catch {
      // Combining failed, which no one request caused: each still gets its own answer.
      this.runEachAlone(parts, queue.options);
      return;
    }
    const rowCounts = parts.map((part) => part.rows);
    this.callModel(combined, queue.options, queue.rows, this.startOf(parts)).then(
      (outputs) => {
        let perPart: Tensor[][];
        try {
          perPart = splitOutputs(outputs, rowCounts, queue.rows, this.model);
        } catch (error) {
          for (const part of parts) part.reject(error);
          return;
        }
        parts.forEach((part, i) => part.resolve(perPart[i] ?? []));
      },
      (error: unknown) => {
        // One bad request must not fail the others, nor hand them its error: the combined call cannot say whose
        // rows were at fault, so each request runs alone and gets its own result or error.
        if (isRuntimeFailure(error)) {
          for (const part of parts) part.reject(error);
        } else {
          this.runEachAlone(parts, queue.options);
        }
      },
    );
  }

  /** One model call per request, outside any queue, so a failure here is final and never batched again. */
  private runEachAlone(parts: readonly Pending[], options: InferOptions | undefined): void {
    for (const part of parts) {
      this.callModel(part.inputs, options, part.rows, this.startOf([part])).then(part.resolve, part.reject);
    }
  }

  /** Records each request's queue time, from its arrival here until the runtime starts the call that carries it. */
  private startOf(parts: readonly Pending[]): () => void {
    return () => {
      const now = performance.now();
      for (const part of parts) {
        if (part.started) continue;
        part.started = true;
        this.observer.observeQueue((now - part.enqueuedAt) / 1000);
      }
    };
  }

  private callModel(
    inputs: Tensor[],
    options: InferOptions | undefined,
    rows: number,
    onStart: () => void,
  ): Promise<Tensor[]> {
    this.observer.observeBatch(rows);
    try {
      return this.model.infer(inputs, options === undefined ? { onStart } : { ...options, onStart });
    } catch (error) {
      // A model that throws synchronously must fail its request, not the caller's event loop turn.
      return Promise.reject(error);
    }
  }

  private track(request: Promise<Tensor[]>): Promise<Tensor[]> {
    this.inFlight += 1;
    const settle = (): void => {
      this.inFlight -= 1;
      if (this.inFlight === 0 && this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
    };
    request.then(settle, settle);
    return request;
  }
}

/**
 * Errors that say the runtime could not answer (a crashed or overloaded worker, a timeout, a broken stream)
 * rather than that some input was bad: running each request again would only repeat the failure, and
 * multiply the wait, for every request of the batch.
 */
const RUNTIME_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "TEMPORARILY_UNAVAILABLE",
  "DEADLINE_EXCEEDED",
  "CANCELLED",
  "DATA_LOSS",
  "RESOURCE_EXHAUSTED",
  "REQUEST_LIMIT_EXCEEDED",
]);

function isRuntimeFailure(error: unknown): boolean {
  return error instanceof FlowOpsError && RUNTIME_FAILURES.has(error.code);
}

/** Rows along dim 0 when every input has the same first dimension; otherwise the request is not batchable. */
function batchRows(inputs: readonly Tensor[]): number | undefined {
  let rows: number | undefined;
  for (const input of inputs) {
    const first = input.shape[0];
    if (first === undefined) return undefined;
    if (rows !== undefined && rows !== first) return undefined;
    rows = first;
  }
  return rows;
}

/** Requests can share a batch only when their inputs line up name by name, type by type, and row shape. */
function batchKey(inputs: readonly Tensor[], options: InferOptions | undefined): string {
  const parts = inputs.map((t) => `${t.name}:${t.datatype}:${t.shape.slice(1).join("x")}`);
  return `${parts.join("|")}>${options?.outputs?.join(",") ?? "*"}>${String(options?.dataframe)}>${String(options?.missingAsNaN)}`;
}

function splitOutputs(
  outputs: readonly Tensor[],
  rowCounts: readonly number[],
  rows: number,
  model: LoadedModel,
): Tensor[][] {
  const split = outputs.map((output) => {
    if (output.shape[0] !== rows) {
      throw new FlowOpsError(
        "INTERNAL_ERROR",
        `model '${model.name}' version '${model.version}': output '${output.name}' has shape [${output.shape.join(",")}] ` +
          `for a batch of ${rows} rows, so it cannot be batched dynamically; serve it without --max-batch-size`,
      );
    }
    return splitBatch(output, rowCounts);
  });
  return rowCounts.map((_, i) => split.map((pieces) => pieces[i] as Tensor));
}
