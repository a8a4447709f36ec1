/** RPCs that log into a run: metrics, params, batches, inputs, outputs and models. Thin handlers. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { logModel } from "../../../tracking/modelHistory.js";
import { logInputs, logOutputs } from "../../../tracking/runInputs.js";
import { logBatch, logMetric, logParam } from "../../../tracking/runLogging.js";
import type { ServerContext } from "../../context.js";
import { registerRpc } from "../../rpc.js";
import { keyValue, list } from "../../wire.js";
import { bigIntegerTolerantDouble, requiredString } from "../protoScalars.js";
import { exactLenientInt64 } from "./int64Bodies.js";
import { readLogBatchBody } from "./logBatchBody.js";
import { assertedStringOrEmpty, withRunId } from "./requestFields.js";

const metricFields = {
  key: z.string(),
  value: bigIntegerTolerantDouble(),
  // A fractional timestamp or step, or one beyond int64, is stored as 0, as MLflow does (see lenientInt64).
  timestamp: exactLenientInt64(0),
  step: exactLenientInt64(0).optional().default(0),
  model_id: z.string().optional(),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
};

const datasetInput = z.object({
  tags: list(keyValue).optional().default([]),
  dataset: z.object({
    name: z.string(),
    // MLflow's Dataset message leaves a missing digest as "", and logs the dataset under that digest.
    digest: z.string().optional().default(""),
    source_type: z.string(),
    source: z.string(),
    schema: z.string().optional(),
    profile: z.string().optional(),
  }),
});

export async function runLoggingRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.meta.db;

  registerRpc(app, {
    method: "POST",
    path: "runs/log-metric",
    // log-batch reads its lists leniently; the single-metric RPC checks its key as `_assert_string` does.
    request: withRunId({ ...metricFields, key: requiredString() }),
    handle: async ({ run_id, ...metric }) => {
      await logMetric(db, run_id, metric);
      return {};
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/log-parameter",
    request: withRunId({ key: requiredString(), value: assertedStringOrEmpty() }),
    handle: async (input) => {
      await logParam(db, input.run_id, { key: input.key, value: input.value });
      return {};
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/log-batch",
    // Read as protobuf and MLflow's handler read it, in the order the body was written (see logBatchBody.ts).
    request: z.unknown(),
    handle: async (body) => {
      const { run_id, ...batch } = readLogBatchBody(body);
      await logBatch(db, run_id, batch);
      return {};
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/log-inputs",
    request: withRunId({
      datasets: list(datasetInput).optional(),
      models: list(z.object({ model_id: z.string() })).optional(),
    }),
    handle: async ({ run_id, ...inputs }) => {
      await logInputs(db, run_id, inputs);
      return {};
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/outputs",
    request: withRunId({
      // Beyond int64 or fractional, a step is stored as 0, as MLflow does (see lenientInt64).
      models: list(
        z.object({ model_id: z.string(), step: exactLenientInt64(0).optional().default(0) }),
      ).optional(),
    }),
    handle: async (input) => {
      await logOutputs(db, input.run_id, input.models ?? []);
      return {};
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/log-model",
    request: withRunId({ model_json: z.string() }),
    handle: async (input) => {
      await logModel(db, input.run_id, input.model_json);
      return {};
    },
  });
}
