/**
 * The worker thread of detectDriftInParallel: computes the drift of the columns it is sent and answers with one
 * message holding all of them, or the error of the first column that failed (code and message, so the caller
 * rethrows the same FlowOpsError).
 */

import { parentPort } from "node:worker_threads";

import { FlowOpsError } from "../../errors.js";
import { columnDrift } from "./columnDrift.js";
import type { DriftWorkerReply, DriftWorkerRequest } from "./parallelDrift.js";

const port = parentPort;
if (port === null) throw new FlowOpsError("INTERNAL_ERROR", "driftWorker must run as a worker thread");

port.on("message", (request: DriftWorkerRequest) => {
  let reply: DriftWorkerReply;
  try {
    reply = {
      columns: request.columns.map((column) =>
        columnDrift(column.name, column.reference, column.current, column.options),
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
