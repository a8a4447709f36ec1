/**
 * detectDrift with the columns spread over worker threads, for large tables: passes over the values dominate
 * the work and columns are independent, so each thread takes a share of the columns (the calling thread one
 * share too).
 * Small inputs run in the calling thread, since starting a worker costs more than it saves. Numeric columns
 * reach the workers on SharedArrayBuffers: as they are when the caller's arrays already live on one (readers
 * of large tables can allocate them so), else copied once into one, where a structured clone copies twice
 * (the worker then takes a thread-local copy, see driftWorker.ts). Never transferred, so the caller's arrays
 * stay usable. Same results as detectDrift, column order included.
 */

import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";

import { FlowOpsError, isErrorCode } from "../../errors.js";
import { startModuleWorker } from "../../moduleWorker.js";
import { columnDrift, type ColumnDrift } from "./columnDrift.js";
import {
  driftShareOf,
  planColumns,
  summariseDrift,
  type DriftOptions,
  type DriftReport,
  type DriftTable,
  type PlannedColumn,
} from "./datasetDrift.js";
import type { ColumnValues } from "./driftSample.js";

export interface DriftWorkerRequest {
  readonly columns: readonly PlannedColumn[];
}

export type DriftWorkerReply =
  | { readonly columns: readonly ColumnDrift[] }
  | { readonly error: { readonly code: string; readonly message: string } };

/** Below this many values (both sides, all columns) a worker's start-up costs more than it saves. */
const MIN_VALUES_FOR_WORKERS = 4_000_000;

export interface ParallelDriftOptions extends DriftOptions {
  /** Threads in all, the calling one included (default: os.availableParallelism()). */
  threads?: number | undefined;
  /** Inputs with fewer values (both sides, all columns) run in the calling thread (default 4,000,000). */
  minValuesForWorkers?: number | undefined;
}

export async function detectDriftInParallel(
  reference: DriftTable,
  current: DriftTable,
  options: ParallelDriftOptions = {},
): Promise<DriftReport> {
  const plan = planColumns(reference, current, options);
  const driftShare = driftShareOf(options);
  const totalValues = plan.reduce((sum, c) => sum + c.reference.length + c.current.length, 0);
  const threads = Math.min(options.threads ?? availableParallelism(), plan.length);
  if (threads <= 1 || totalValues < (options.minValuesForWorkers ?? MIN_VALUES_FOR_WORKERS)) {
    return summariseDrift(
      plan.map((c) => columnDrift(c.name, c.reference, c.current, c.options)),
      driftShare,
    );
  }
  const shares = splitBySize(plan, threads);
  const pending = shares.slice(1).map((share) => runOnWorker(share));
  // Handled here too, so a worker failing while this thread computes is not an unhandled rejection.
  for (const promise of pending) promise.catch(() => undefined);
  const own = shares[0]!.map((c) => columnDrift(c.name, c.reference, c.current, c.options));
  const results = [own, ...(await Promise.all(pending))];
  const byName = new Map<string, ColumnDrift>();
  for (const result of results) for (const column of result) byName.set(column.column, column);
  return summariseDrift(
    plan.map((c) => byName.get(c.name)!),
    driftShare,
  );
}

/**
 * Idle workers kept between reports: a fresh thread runs its first columns on cold code, several times slower
 * than compiled code (~0.35 s over a 1M-row report here). Idle ones are unref'd, so they never keep the process
 * alive; a worker that failed is terminated rather than kept.
 */
const idleWorkers: Worker[] = [];

function takeWorker(): Worker {
  const worker = idleWorkers.pop() ?? startModuleWorker(import.meta.url, "driftWorker");
  worker.ref();
  return worker;
}

function keepWorker(worker: Worker): void {
  worker.unref();
  if (idleWorkers.length < availableParallelism()) idleWorkers.push(worker);
  else void worker.terminate();
}

/** Greedy split: largest columns first, each to the share with the fewest values so far. */
function splitBySize(plan: readonly PlannedColumn[], threads: number): PlannedColumn[][] {
  const shares: PlannedColumn[][] = Array.from({ length: threads }, () => []);
  const loads = new Array<number>(threads).fill(0);
  const size = (c: PlannedColumn): number => c.reference.length + c.current.length;
  for (const column of [...plan].sort((a, b) => size(b) - size(a))) {
    const lightest = loads.indexOf(Math.min(...loads));
    shares[lightest]!.push(column);
    loads[lightest]! += size(column);
  }
  return shares;
}

function runOnWorker(columns: readonly PlannedColumn[]): Promise<readonly ColumnDrift[]> {
  const worker = takeWorker();
  return new Promise((resolve, reject) => {
    const onError = (error: unknown): void => {
      worker.off("message", onMessage);
      void worker.terminate();
      reject(error);
    };
    const onMessage = (reply: DriftWorkerReply): void => {
      worker.off("error", onError);
      keepWorker(worker);
      if ("columns" in reply) resolve(reply.columns);
      else {
        const code = isErrorCode(reply.error.code) ? reply.error.code : "INTERNAL_ERROR";
        reject(new FlowOpsError(code, reply.error.message));
      }
    };
    worker.once("error", onError);
    worker.once("message", onMessage);
    worker.postMessage({ columns: columns.map(onSharedMemory) } satisfies DriftWorkerRequest);
  });
}

function onSharedMemory(column: PlannedColumn): PlannedColumn {
  return { ...column, reference: shared(column.reference), current: shared(column.current) };
}

function shared(values: ColumnValues): ColumnValues {
  if (!(values instanceof Float64Array) || values.buffer instanceof SharedArrayBuffer) return values;
  const copy = new Float64Array(new SharedArrayBuffer(values.byteLength));
  copy.set(values);
  return copy;
}
