/**
 * The threads behind an ONNX model: each runs onnxWorker.ts with its own InferenceSession. A request goes to
 * the thread with the fewest requests in flight; its typed arrays are transferred, not copied. A thread that
 * dies takes only its own in-flight requests with it (they reject with TEMPORARILY_UNAVAILABLE at once) and is
 * replaced, with a growing delay while replacements keep failing. Idle threads are unref'd so a forgotten model
 * never keeps the process alive; threads with work are ref'd so a pending request is never cut short.
 * This module does not validate requests (the model does) and does not locate the worker file (the runtime does).
 */
import type { Worker } from "node:worker_threads";
import { FlowOpsError } from "../../errors.js";
import type { OnnxWorkerData, OnnxWorkerReply, OnnxWorkerRequest } from "../runtimes/onnxWorker.js";
import type { Tensor } from "../tensor.js";
import { sessionChoiceLines } from "./sessionChoiceLog.js";

export type OnnxReadyReply = Extract<OnnxWorkerReply, { type: "ready" }>;

export interface OnnxWorkerPoolConfig {
  /** Names the model in errors and log lines. */
  label: string;
  size: number;
  workerData: OnnxWorkerData;
  startWorker: (data: OnnxWorkerData) => Worker;
  log: (line: string) => void;
}

interface Pending {
  resolve: (outputs: Tensor[]) => void;
  reject: (error: unknown) => void;
  /** Called when the thread takes the request up; undefined once called, or when nobody asked. */
  onStart: (() => void) | undefined;
}

interface PoolThread {
  worker: Worker;
  state: "starting" | "ready" | "gone";
  pending: Map<number, Pending>;
  started: Promise<OnnxReadyReply>;
  settleStart: { resolve: (reply: OnnxReadyReply) => void; reject: (error: Error) => void };
  lastError: string | undefined;
}

const MAX_RESTART_DELAY_MS = 5_000;
const CLOSE_GRACE_MS = 5_000;

export class OnnxWorkerPool {
  private readonly threads: PoolThread[] = [];
  /** Every thread not yet exited, including ones already given up on, so close() can wait for all of them. */
  private readonly running = new Set<Promise<void>>();
  private nextRequestId = 0;
  private consecutiveFailures = 0;
  private restartTimers = new Set<NodeJS.Timeout>();
  /** Replacements start only once the initial load succeeded; a model that cannot load is not retried. */
  private live = false;
  private closed = false;
  private providerLogged = false;

  constructor(private readonly config: OnnxWorkerPoolConfig) {}

  /** Starts every thread; resolves once all are ready, rejects with the load error (closing the pool) otherwise. */
  async start(): Promise<OnnxReadyReply> {
    const threads = Array.from({ length: Math.max(1, this.config.size) }, () => this.spawn());
    try {
      const replies = await Promise.all(threads.map((thread) => thread.started));
      this.live = true;
      return replies[0]!;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  ready(): boolean {
    return !this.closed && this.threads.some((thread) => thread.state === "ready");
  }

  /**
   * `onStart` is called when the thread takes the request up: at once when it has nothing in flight, else when
   * it answers the request before it (a thread runs one request at a time, in the order they were posted).
   */
  run(inputs: readonly Tensor[], outputs: readonly string[], onStart?: () => void): Promise<Tensor[]> {
    if (this.closed) return Promise.reject(unavailable(`model ${this.config.label} is closed`));
    const thread = this.leastBusy();
    if (thread === undefined) {
      return Promise.reject(
        unavailable(`no ONNX worker is running for model ${this.config.label}; one is restarting`),
      );
    }
    const id = this.nextRequestId++;
    const { tensors, transfer } = transferable(inputs);
    const request: OnnxWorkerRequest = { type: "infer", id, inputs: tensors, outputs: [...outputs] };
    return new Promise<Tensor[]>((resolve, reject) => {
      // A thread still loading its session takes the request up once it is ready.
      const idle = thread.pending.size === 0 && thread.state === "ready";
      thread.pending.set(id, { resolve, reject, onStart: idle ? undefined : onStart });
      thread.worker.ref();
      try {
        thread.worker.postMessage(request, transfer);
      } catch (error) {
        this.settle(thread, id)?.reject(
          new FlowOpsError(
            "INVALID_PARAMETER_VALUE",
            `model ${this.config.label}: cannot send the inputs: ${messageOf(error)}`,
          ),
        );
        return;
      }
      if (idle) onStart?.();
    });
  }

  /** Stops the threads; requests still in flight reject with TEMPORARILY_UNAVAILABLE. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((thread) => this.stop(thread)));
    await Promise.all(this.running);
  }

  private leastBusy(): PoolThread | undefined {
    let best: PoolThread | undefined;
    for (const state of ["ready", "starting"] as const) {
      for (const thread of this.threads) {
        if (thread.state !== state) continue;
        if (best === undefined || thread.pending.size < best.pending.size) best = thread;
      }
      if (best !== undefined) return best;
    }
    return undefined;
  }

  private spawn(): PoolThread {
    const worker = this.config.startWorker(this.config.workerData);
    let settleStart!: PoolThread["settleStart"];
    const started = new Promise<OnnxReadyReply>((resolve, reject) => (settleStart = { resolve, reject }));
    // Replacement threads' start failures are handled through their exit; nobody awaits `started` then.
    started.catch(() => undefined);
    const thread: PoolThread = {
      worker,
      state: "starting",
      pending: new Map(),
      started,
      settleStart,
      lastError: undefined,
    };
    worker.on("message", (reply: OnnxWorkerReply) => this.onReply(thread, reply));
    worker.on("error", (error) => (thread.lastError = messageOf(error)));
    const exited = new Promise<void>((resolve) =>
      worker.on("exit", (code) => {
        this.running.delete(exited);
        this.onGone(thread, thread.lastError ?? `exit code ${code}`);
        resolve();
      }),
    );
    this.running.add(exited);
    this.threads.push(thread);
    return thread;
  }

  private onReply(thread: PoolThread, reply: OnnxWorkerReply): void {
    switch (reply.type) {
      case "ready":
        if (thread.state !== "starting") return;
        thread.state = "ready";
        this.consecutiveFailures = 0;
        this.logProvider(reply);
        if (thread.pending.size === 0) thread.worker.unref();
        startOldest(thread);
        thread.settleStart.resolve(reply);
        return;
      case "failed":
        thread.lastError = reply.message;
        this.onGone(thread, reply.message);
        void thread.worker.terminate();
        return;
      case "result":
        this.settle(thread, reply.id)?.resolve(reply.outputs);
        return;
      case "error":
        this.settle(thread, reply.id)?.reject(
          new FlowOpsError("INVALID_PARAMETER_VALUE", `model ${this.config.label}: ${reply.message}`),
        );
        return;
    }
  }

  private settle(thread: PoolThread, id: number): Pending | undefined {
    const pending = thread.pending.get(id);
    thread.pending.delete(id);
    if (thread.pending.size === 0 && thread.state === "ready") thread.worker.unref();
    startOldest(thread);
    return pending;
  }

  private onGone(thread: PoolThread, reason: string): void {
    if (thread.state === "gone") return;
    const wasStarting = thread.state === "starting";
    thread.state = "gone";
    thread.settleStart.reject(new Error(reason));
    const at = this.threads.indexOf(thread);
    if (at >= 0) this.threads.splice(at, 1);
    const error = unavailable(
      `the ONNX worker for model ${this.config.label} stopped (${reason}); retry the request`,
    );
    for (const pending of thread.pending.values()) pending.reject(error);
    thread.pending.clear();
    if (this.closed || !this.live) return;
    this.consecutiveFailures++;
    const delay =
      this.consecutiveFailures <= 1 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** this.consecutiveFailures);
    this.config.log(
      `onnx model ${this.config.label}: worker ${wasStarting ? "failed to start" : "stopped"} (${reason}); starting a replacement${delay > 0 ? ` in ${delay} ms` : ""}`,
    );
    // The first replacement starts at once, so requests arriving meanwhile queue on it instead of failing.
    if (delay === 0) {
      this.spawn();
      return;
    }
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (!this.closed) this.spawn();
    }, delay);
    timer.unref();
    this.restartTimers.add(timer);
  }

  private async stop(thread: PoolThread): Promise<void> {
    const error = unavailable(`model ${this.config.label} was closed`);
    for (const pending of thread.pending.values()) pending.reject(error);
    thread.pending.clear();
    if (thread.state === "gone") return;
    thread.state = "gone";
    thread.settleStart.reject(new Error(`model ${this.config.label} was closed while loading`));
    // A clean exit lets the session release its native memory; terminate is the backstop.
    const exited = new Promise<void>((resolve) => thread.worker.once("exit", () => resolve()));
    thread.worker.postMessage({ type: "close" } satisfies OnnxWorkerRequest);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"timeout">(
      (resolve) => (timer = setTimeout(() => resolve("timeout"), CLOSE_GRACE_MS)),
    );
    if ((await Promise.race([exited, grace])) === "timeout") await thread.worker.terminate();
    clearTimeout(timer);
  }

  private logProvider(reply: OnnxReadyReply): void {
    if (this.providerLogged) return;
    this.providerLogged = true;
    for (const line of sessionChoiceLines(this.config.label, reply)) this.config.log(line);
  }
}

/** The thread moves on to its oldest request still pending (a Map iterates in insertion order). */
function startOldest(thread: PoolThread): void {
  for (const next of thread.pending.values()) {
    const onStart = next.onStart;
    next.onStart = undefined;
    onStart?.();
    return;
  }
}

/**
 * Message copies of the inputs whose typed arrays can be transferred: an array that spans its whole buffer is
 * moved as is (the caller's array is detached); a view into a larger buffer is copied first, so the rest of that
 * buffer is neither cloned nor taken from the caller.
 */
function transferable(inputs: readonly Tensor[]): { tensors: Tensor[]; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const tensors = inputs.map((input): Tensor => {
    const data = input.data;
    if (Array.isArray(data)) return { ...input };
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    const owned =
      whole && data.buffer instanceof ArrayBuffer && !transfer.has(data.buffer) ? data : data.slice();
    transfer.add(owned.buffer as ArrayBuffer);
    return {
      name: input.name,
      datatype: input.datatype,
      shape: [...input.shape],
      data: owned as Tensor["data"],
    };
  });
  return { tensors, transfer: [...transfer] };
}

function unavailable(message: string): FlowOpsError {
  return new FlowOpsError("TEMPORARILY_UNAVAILABLE", message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
