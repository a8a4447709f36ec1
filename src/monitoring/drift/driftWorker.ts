/**
 * The worker thread of detectDriftInParallel: computes the drift of the columns it is sent and answers with one
 * message holding all of them, or the error of the first column that failed (code and message, so the caller
 * rethrows the same FlowOpsError).
 */

import { parentPort } from "node:worker_threads";

import { FlowOpsError } from "../../errors.js";
import { columnDrift } from "./columnDrift.js";
import type { ColumnValues } from "./driftSample.js";
import type { DriftWorkerReply, DriftWorkerRequest } from "./parallelDrift.js";

const port = parentPort;
if (port === null) throw new FlowOpsError("INTERNAL_ERROR", "driftWorker must run as a worker thread");

/**
 * A thread-local copy of a column that arrived on shared memory: this thread reads a SharedArrayBuffer another
 * thread allocated about 1.5 times slower (measured on a 1M-row report), and the copy costs a few ms.
 */
function local(values: ColumnValues): ColumnValues {
  return values instanceof Float64Array && values.buffer instanceof SharedArrayBuffer
    ? new Float64Array(values)
    : values;
}

port.on("message", (request: DriftWorkerRequest) => {
  let reply: DriftWorkerReply;
  try {
    reply = {
      columns: request.columns.map((column) =>
        columnDrift(column.name, local(column.reference), local(column.current), column.options),
      ),
    };
  } catch (error) {
    reply = {
      error: {
        code: error instanceof FlowOpsError ? error.code : "INTERNAL_ERROR",
        message: error instanceof Error ? error.message : String(error),
      },
    };
  }
  port.postMessage(reply);
});
