/**
 * N supervised Python workers for one model. Requests go to the least-busy live worker (ties in turn, so an
 * idle pool spreads work round-robin). A worker that crashes is restarted with exponential back-off; while it is
 * down, the others carry on, and with none left requests are refused at once (TEMPORARILY_UNAVAILABLE) rather
 * than queued behind a restart that may take seconds.
 */
import { FlowOpsError } from "../../errors.js";
import { PythonWorkerProcess, type PythonWorkerOptions, type WorkerExit } from "./pythonWorkerProcess.js";
import type { WireTensor, WorkerErrorInfo, WorkerRequest } from "./pythonWire.js";

export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoff = { initialMs: 500, maxMs: 30_000 };
/** A worker that ran this long before it exited counts as healthy: its restart starts the back-off afresh. */
const STABLE_UPTIME_MS = 60_000;

interface Slot {
  index: number;
  worker: PythonWorkerProcess | undefined;
  /** Restarts in a row without a stable worker between them; sets the next delay. */
  restartsInRow: number;
  readyAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class PythonWorkerPool {
  private readonly slots: Slot[];
  private turn = 0;
  private closed = false;

  private constructor(
    private readonly options: PythonWorkerOptions,
    private readonly backoff: RestartBackoff,
    workers: PythonWorkerProcess[],
  ) {
    this.slots = workers.map((worker, index) => ({
      index,
      worker,
      restartsInRow: 0,
      readyAt: Date.now(),
      timer: undefined,
    }));
    for (const slot of this.slots) this.watch(slot);
  }

  /**
   * Starts `count` workers at once. Start-up failures are the same in every worker (missing package, broken
   * model), so the first one rejects the whole pool and the rest are stopped.
   */
  static async start(
    options: PythonWorkerOptions,
    count: number,
    backoff: RestartBackoff = DEFAULT_RESTART_BACKOFF,
  ): Promise<PythonWorkerPool> {
    const starts = Array.from({ length: count }, () => PythonWorkerProcess.start(options));
    const outcomes = await Promise.allSettled(starts);
    const failure = outcomes.find((outcome) => outcome.status === "rejected");
    if (failure !== undefined) {
      await Promise.all(
        outcomes.map((outcome) => (outcome.status === "fulfilled" ? outcome.value.stop() : undefined)),
      );
      throw failure.reason;
    }
    const workers = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<PythonWorkerProcess>).value);
    return new PythonWorkerPool(options, backoff, workers);
  }

  /** The first worker's start-up facts (signature, versions); all workers load the same model. */
  get ready(): PythonWorkerProcess["ready"] | undefined {
    return this.slots.find((slot) => slot.worker !== undefined)?.worker?.ready;
  }

  liveWorkers(): number {
    return this.slots.filter((slot) => slot.worker?.alive === true).length;
  }

  /** Process ids of the live workers, in slot order. */
  workerPids(): number[] {
    const pids: number[] = [];
    for (const slot of this.slots) {
      const pid = slot.worker?.alive === true ? slot.worker.pid : undefined;
      if (pid !== undefined) pids.push(pid);
    }
    return pids;
  }

  /** `onStart`: called when the chosen worker takes the request up (see PythonWorkerProcess.request). */
  async request(
    build: (id: number) => WorkerRequest,
    timeoutMs: number,
    onStart?: () => void,
  ): Promise<{ ok: true; outputs: WireTensor[] } | { ok: false; error: WorkerErrorInfo }> {
    if (this.closed) throw new FlowOpsError("TEMPORARILY_UNAVAILABLE", "the model is shutting down");
    const worker = this.pick();
    if (worker === undefined) {
      throw new FlowOpsError(
        "TEMPORARILY_UNAVAILABLE",
        "no Python model worker is running (restarting after a crash); retry shortly",
      );
    }
    return worker.request(build, timeoutMs, onStart);
  }

  /** Stops every worker (SIGTERM, then SIGKILL after the grace period) and cancels pending restarts. */
  async close(): Promise<void> {
    this.closed = true;
    const stopping: Promise<WorkerExit>[] = [];
    for (const slot of this.slots) {
      if (slot.timer !== undefined) clearTimeout(slot.timer);
      slot.timer = undefined;
      if (slot.worker !== undefined) stopping.push(slot.worker.stop());
    }
    await Promise.all(stopping);
  }

  private pick(): PythonWorkerProcess | undefined {
    let best: PythonWorkerProcess | undefined;
    const count = this.slots.length;
    for (let offset = 0; offset < count; offset++) {
      const worker = this.slots[(this.turn + offset) % count]?.worker;
      if (worker === undefined || !worker.alive) continue;
      if (best === undefined || worker.inFlight < best.inFlight) best = worker;
    }
    this.turn = (this.turn + 1) % Math.max(count, 1);
    return best;
  }

  private watch(slot: Slot): void {
    const worker = slot.worker;
    worker?.onExit((exit) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      if (this.closed) return;
      if (Date.now() - slot.readyAt >= STABLE_UPTIME_MS) slot.restartsInRow = 0;
      const how =
        exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
      this.options.log(`python worker ${String(worker?.pid)} ${how}; restarting it`);
      this.scheduleRestart(slot);
    });
  }

  private scheduleRestart(slot: Slot): void {
    const delay = Math.min(this.backoff.initialMs * 2 ** slot.restartsInRow, this.backoff.maxMs);
    slot.restartsInRow++;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (this.closed) return;
      PythonWorkerProcess.start(this.options).then(
        (worker) => {
          if (this.closed) {
            void worker.stop();
            return;
          }
          slot.worker = worker;
          slot.readyAt = Date.now();
          this.watch(slot);
          this.options.log(`python worker ${String(worker.pid)} restarted and ready`);
        },
        (error: unknown) => {
          this.options.log(`restarting a python worker failed: ${(error as Error).message}`);
          if (!this.closed) this.scheduleRestart(slot);
        },
      );
    }, delay);
    slot.timer.unref();
  }
}
