/** Run lifecycle RPCs (create, get, update, delete, restore) and single-tag RPCs: thin handlers. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  serverMetricsObserver,
  storeRunReader,
  TrackedRunMetrics,
} from "../../../monitoring/metrics/trackedRunMetrics.js";
import {
  createRun,
  deleteRun,
  deleteRunTag,
  getRun,
  restoreRun,
  setRunTag,
  updateRun,
} from "../../../tracking/runStore.js";
import type { ServerContext } from "../../context.js";
import { registerProtoRpc } from "../protoRpc.js";
import { requiredString } from "../protoScalars.js";
import { exactLenientInt64 } from "./int64Bodies.js";
import {
  assertedString,
  assertedStringOrEmpty,
  experimentId,
  runStatus,
  tagList,
  withRunId,
} from "./requestFields.js";

export async function runRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.meta.db;
  // A repro run from anywhere (a shell's `--tracking-uri`, the retraining loop) reaches /metrics when it ends.
  const metrics = ctx.monitoring?.metrics;
  const onRunTerminated =
    metrics === undefined
      ? undefined
      : new TrackedRunMetrics({
          reader: storeRunReader(db),
          observer: serverMetricsObserver(metrics),
          log: (message) => app.log.warn(message),
        });

  registerProtoRpc(app, {
    method: "POST",
    path: "runs/create",
    request: z.object({
      experiment_id: experimentId(),
      user_id: z.string().optional(),
      run_name: assertedString(),
      // Beyond int64 or fractional reads as unset, so the run starts now (MLflow stores 0 for both).
      start_time: exactLenientInt64().optional(),
      tags: tagList(),
    }),
    handle: async (input) => {
      const { info, data, inputs } = await createRun(db, input, ctx.now());
      // MLflow's store answers a new run with no outputs message at all, where get-run has `"outputs": {}`.
      return { run: { info, data, inputs } };
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "runs/get",
    request: withRunId({}),
    handle: async (input) => ({ run: await getRun(db, input.run_id) }),
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "runs/update",
    request: withRunId({
      status: runStatus().optional(),
      end_time: exactLenientInt64().optional(),
      run_name: assertedString(),
    }),
    handle: async (input) => {
      const info = await updateRun(db, input.run_id, input);
      // Only an update that sets the status ends a run; a later rename of an ended run is not counted again.
      if (input.status !== undefined) await onRunTerminated?.onRunTerminated(info);
      return { run_info: info };
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "runs/delete",
    request: withRunId({}),
    handle: async (input) => {
      await deleteRun(db, input.run_id, ctx.now());
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "runs/restore",
    request: withRunId({}),
    handle: async (input) => {
      await restoreRun(db, input.run_id);
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "runs/set-tag",
    request: withRunId({ key: requiredString(), value: assertedStringOrEmpty() }),
    handle: async (input) => {
      await setRunTag(db, input.run_id, { key: input.key, value: input.value });
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "runs/delete-tag",
    request: withRunId({ key: requiredString() }),
    handle: async (input) => {
      await deleteRunTag(db, input.run_id, input.key);
      return {};
    },
  });
}
