/**
 * Hashes many files on all cores. MD5 is a serial chain, so one file is bound to one core; throughput comes
 * from hashing different files at once: on worker threads, and four to a thread in SIMD lanes (`Md5Lanes`),
 * which is why batches carry the sizes (a large file is hashed alone, by OpenSSL). Paths travel in batches
 * (one message per batch, not per file) sized from the files' byte counts, largest files first so a big file
 * does not start last and leave the other cores idle. Small total work is hashed in-thread: starting a worker
 * costs more; so is a single file, which cannot be split across cores anyway.
 * Idle workers are unref'd so the pool never keeps the process alive; busy ones are ref'd so a pending hash is
 * never cut short by the process exiting.
 */
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { FlowOpsError, notFound } from "../errors.js";
import { startModuleWorker } from "../moduleWorker.js";
import { md5FileStamped, type StampedDigest } from "./md5File.js";
import { failedOutcome, Md5Lanes, type HashOutcome } from "./md5Lanes.js";

/** A batch sent to a worker; `sizes` are the caller's hints (0 when unknown), for choosing how to hash. */
export interface HashBatchRequest {
  batch: number;
  paths: string[];
  sizes: number[];
}

/** A worker's answer: progress while hashing, then the outcomes of the whole batch in order. */
export type HashBatchReply =
  | { type: "progress"; batch: number; bytes: number }
  | { type: "done"; batch: number; bytes: number; outcomes: HashOutcome[] };

/** Below both limits a call is hashed in-thread; a worker's start-up would cost more than the hashing. */
const IN_THREAD_MAX_BYTES = 8 << 20;
const IN_THREAD_MAX_FILES = 64;
/** Batch bounds: big enough to amortise a message, small enough to balance the cores. */
const MAX_BATCH_FILES = 256;
const MIN_BATCH_BYTES = 1 << 20;
const MAX_BATCH_BYTES = 64 << 20;

interface Job {
  paths: readonly string[];
  sizes: readonly number[];
  results: StampedDigest[];
  remaining: number;
  failed: boolean;
  onBytes: ((bytes: number) => void) | undefined;
  resolve: (results: StampedDigest[]) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  id: number;
  job: Job;
  indices: number[];
}

interface PoolWorker {
  worker: Worker;
  batch: Batch | undefined;
}

let sharedPool: HashPool | undefined;

export class HashPool {
  readonly size: number;
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Batch[] = [];
  private nextBatchId = 0;
  private closed = false;

  constructor(options: { jobs?: number } = {}) {
    this.size = Math.max(1, options.jobs ?? availableParallelism());
  }

  /** One pool per process, created on first use; it holds no thread until work arrives. */
  static shared(): HashPool {
    sharedPool ??= new HashPool();
    return sharedPool;
  }

  /**
   * MD5, size and after-read stamp of each file, in input order. `sizes` (the files' sizes, when the caller
   * has stat'ed them) spares a stat per file for batching. `onBytes` hears progress in bytes hashed.
   */
  hashFiles(
    paths: readonly string[],
    onBytes?: (bytes: number) => void,
    sizes?: readonly number[],
  ): Promise<StampedDigest[]> {
    if (this.closed) return Promise.reject(new FlowOpsError("INVALID_STATE", "the hash pool is closed"));
    if (paths.length === 0) return Promise.resolve([]);
    if (paths.length === 1) return hashOneInThread(paths[0]!, onBytes);
    const byteCounts = sizes ?? paths.map(sizeOrZero);
    const total = byteCounts.reduce((sum, size) => sum + size, 0);
    if (total <= IN_THREAD_MAX_BYTES && paths.length <= IN_THREAD_MAX_FILES) {
      return hashInThread(paths, onBytes, byteCounts);
    }
    return new Promise((resolve, reject) => {
      const job: Job = {
        paths,
        sizes: byteCounts,
        results: new Array<StampedDigest>(paths.length),
        remaining: paths.length,
        failed: false,
        onBytes,
        resolve,
        reject,
      };
      this.queue.push(...this.planBatches(job, byteCounts, total));
      this.dispatch();
    });
  }

  /** Stops the workers; pending calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    if (sharedPool === this) sharedPool = undefined;
    for (const batch of this.queue.splice(0)) this.fail(batch.job, closedError());
    const workers = this.workers.splice(0);
    for (const { batch } of workers) if (batch !== undefined) this.fail(batch.job, closedError());
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  /**
   * Guided batches: each takes a share of the bytes still unplanned, so batches shrink towards the end and
   * the cores finish within a small batch of each other instead of one core hashing a last big batch alone.
   */
  private planBatches(job: Job, sizes: readonly number[], total: number): Batch[] {
    const order = sizes.map((_, index) => index).sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0));
    const batches: Batch[] = [];
    let indices: number[] = [];
    let bytes = 0;
    let unplanned = total;
    let target = batchTarget(unplanned, this.size);
    for (const index of order) {
      indices.push(index);
      bytes += sizes[index] ?? 0;
      if (bytes >= target || indices.length >= MAX_BATCH_FILES) {
        batches.push({ id: this.nextBatchId++, job, indices });
        unplanned -= bytes;
        target = batchTarget(unplanned, this.size);
        indices = [];
        bytes = 0;
      }
    }
    if (indices.length > 0) batches.push({ id: this.nextBatchId++, job, indices });
    return batches;
  }

  private dispatch(): void {
    for (;;) {
      const batch = this.nextLiveBatch();
      if (batch === undefined) return;
      const idle = this.workers.find((candidate) => candidate.batch === undefined) ?? this.spawn();
      if (idle === undefined) {
        this.queue.unshift(batch);
        return;
      }
      idle.batch = batch;
      idle.worker.ref();
      const request: HashBatchRequest = {
        batch: batch.id,
        paths: batch.indices.map((i) => batch.job.paths[i]!),
        sizes: batch.indices.map((i) => batch.job.sizes[i] ?? 0),
      };
      idle.worker.postMessage(request);
    }
  }

  private nextLiveBatch(): Batch | undefined {
    let batch = this.queue.shift();
    while (batch !== undefined && batch.job.failed) batch = this.queue.shift();
    return batch;
  }

  private spawn(): PoolWorker | undefined {
    if (this.workers.length >= this.size) return undefined;
    const worker = startWorker();
    const entry: PoolWorker = { worker, batch: undefined };
    worker.on("message", (reply: HashBatchReply) => this.onReply(entry, reply));
    worker.on("error", (error) => this.onWorkerGone(entry, error));
    worker.on("exit", (code) => {
      if (!this.closed) this.onWorkerGone(entry, new Error(`hash worker exited with code ${code}`));
    });
    worker.unref();
    this.workers.push(entry);
    return entry;
  }

  private onReply(entry: PoolWorker, reply: HashBatchReply): void {
    const batch = entry.batch;
    if (batch === undefined || batch.id !== reply.batch) return;
    const { job } = batch;
    if (reply.bytes > 0 && !job.failed) job.onBytes?.(reply.bytes);
    if (reply.type === "progress") return;
    entry.batch = undefined;
    entry.worker.unref();
    reply.outcomes.forEach((outcome, position) => {
      const index = batch.indices[position]!;
      if ("error" in outcome) {
        this.fail(job, hashFailure(job.paths[index]!, outcome.error));
      } else {
        job.results[index] = outcome;
        job.remaining--;
      }
    });
    if (!job.failed && job.remaining === 0) job.resolve(job.results);
    this.dispatch();
  }

  private onWorkerGone(entry: PoolWorker, error: unknown): void {
    const at = this.workers.indexOf(entry);
    if (at < 0) return;
    this.workers.splice(at, 1);
    if (entry.batch !== undefined) {
      this.fail(entry.batch.job, new FlowOpsError("INTERNAL_ERROR", `hash worker failed: ${String(error)}`));
    }
    void entry.worker.terminate();
    this.dispatch();
  }

  private fail(job: Job, error: unknown): void {
    if (job.failed) return;
    job.failed = true;
    job.reject(error);
  }
}

/** The error for a file that could not be hashed, naming it. */
export function hashFailure(path: string, error: { code?: string; message: string }): FlowOpsError {
  if (error.code === "ENOENT") return notFound(`${path}: file not found`);
  return new FlowOpsError("INVALID_PARAMETER_VALUE", `${path}: cannot read: ${error.message}`);
}

async function hashInThread(
  paths: readonly string[],
  onBytes?: (bytes: number) => void,
  sizes?: readonly number[],
): Promise<StampedDigest[]> {
  const outcomes = Md5Lanes.shared().hashFiles(paths, onBytes, sizes);
  return outcomes.map((outcome, index) => {
    if ("error" in outcome) throw hashFailure(paths[index]!, outcome.error);
    return outcome;
  });
}

/** One file gains nothing from a worker; the async reader overlaps reading with hashing instead. */
async function hashOneInThread(path: string, onBytes?: (bytes: number) => void): Promise<StampedDigest[]> {
  try {
    return [await md5FileStamped(path, onBytes)];
  } catch (error) {
    throw hashFailure(path, failedOutcome(error).error);
  }
}

function batchTarget(unplannedBytes: number, threads: number): number {
  return Math.min(MAX_BATCH_BYTES, Math.max(MIN_BATCH_BYTES, Math.ceil(unplannedBytes / (threads * 4))));
}

function sizeOrZero(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    // The worker reports the real error with the path.
    return 0;
  }
}

function closedError(): FlowOpsError {
  return new FlowOpsError("CANCELLED", "the hash pool was closed");
}

function startWorker(): Worker {
  return startModuleWorker(import.meta.url, "hashWorker");
}
