/**
 * The worker thread of `HashPool`: receives batches of paths, hashes them four at a time (`Md5Lanes`) with
 * blocking reads (the thread has nothing else to do, and sync reads skip a thread-pool round trip per chunk),
 * answers with one message per batch plus occasional progress messages for large files. Each outcome carries
 * the file's stamp (an fstat after reading), so the caller needs no second stat per file on its own thread.
 * Per-file failures are returned, not thrown, so one unreadable file does not kill the worker.
 */
import { parentPort } from "node:worker_threads";
import { FlowOpsError } from "../errors.js";
import type { HashBatchRequest, HashBatchReply } from "./hashPool.js";
import { Md5Lanes } from "./md5Lanes.js";

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
  const outcomes = Md5Lanes.shared().hashFiles(request.paths, onBytes, request.sizes);
  port.postMessage({
    type: "done",
    batch: request.batch,
    bytes: unreported,
    outcomes,
  } satisfies HashBatchReply);
});
