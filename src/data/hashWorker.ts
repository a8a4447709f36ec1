/**
 * The worker thread of `HashPool`: receives batches of paths, hashes each with blocking reads (the thread has
 * nothing else to do, and sync reads skip a thread-pool round trip per chunk), answers with one message per
 * batch plus occasional progress messages for large files. Each outcome carries the file's stamp (an fstat
 * after reading), so the caller needs no second stat per file on its own thread. Per-file failures are
 * returned, not thrown, so one unreadable file does not kill the worker.
 */
import { parentPort } from "node:worker_threads";
import { FlowOpsError } from "../errors.js";
import { md5FileSyncStamped } from "./md5File.js";
import type { HashBatchRequest, HashBatchReply, HashOutcome } from "./hashPool.js";

/** Progress is reported at this granularity: often enough for a bar, rare enough to cost nothing. */
const PROGRESS_BYTES = 32 << 20;

const port = parentPort;
if (port === null) throw new FlowOpsError("INTERNAL_ERROR", "hashWorker must run as a worker thread");

port.on("message", (request: HashBatchRequest) => {
  let unreported = 0;
  const onBytes = (bytes: number) => {
    unreported += bytes;
    if (unreported >= PROGRESS_BYTES) {
      port.postMessage({
        type: "progress",
        batch: request.batch,
        bytes: unreported,
      } satisfies HashBatchReply);
      unreported = 0;
    }
  };
  const outcomes: HashOutcome[] = request.paths.map((path) => {
    try {
      return md5FileSyncStamped(path, onBytes);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      return { error: { ...(code === undefined ? {} : { code }), message } };
    }
  });
  port.postMessage({
    type: "done",
    batch: request.batch,
    bytes: unreported,
    outcomes,
  } satisfies HashBatchReply);
});
