/**
 * Metric-history RPCs: get-history (paged when max_results is set), get-history-bulk-interval (the run
 * charts) and the UI-only get-history-bulk, which MLflow serves under /ajax-api alone.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidParameter } from "../../../errors.js";
import { getMetricHistory, getMetricHistoryBulk } from "../../../tracking/metricHistory.js";
import { getMetricHistoryBulkInterval } from "../../../tracking/metricSampling.js";
import type { ServerContext } from "../../context.js";
import { registerRpc, WireJsonText } from "../../rpc.js";
import { registerProtoRpc } from "../protoRpc.js";
import { int64, list } from "../../wire.js";
import { protoQueryInteger, pythonQueryInteger } from "../queryIntegers.js";
import { metricHistoryPageJson } from "./metricHistoryJson.js";
import { withRunId } from "./requestFields.js";

export async function metricHistoryRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.meta.db;

  // The page's JSON text is written directly (metricHistoryJson.ts); empty repeated fields are left out there.
  registerRpc(app, {
    method: "GET",
    path: "metrics/get-history",
    request: withRunId({
      metric_key: z.string(),
      // GetMetricHistory.max_results is an int32 with no schema check in MLflow.
      max_results: protoQueryInteger("int32").optional(),
      page_token: z.string().optional(),
    }),
    handle: async (input) =>
      new WireJsonText(
        metricHistoryPageJson(
          await getMetricHistory(db, input.run_id, input.metric_key, {
            maxResults: input.max_results,
            pageToken: input.page_token,
          }),
        ),
      ),
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "metrics/get-history-bulk-interval",
    request: z.object({
      run_ids: list(z.string()),
      metric_key: z.string(),
      start_step: pythonQueryInteger().optional(),
      end_step: pythonQueryInteger().optional(),
      max_results: pythonQueryInteger().optional(),
    }),
    handle: async (input) => ({
      metrics: await getMetricHistoryBulkInterval(db, input.run_ids, input.metric_key, {
        startStep: input.start_step,
        endStep: input.end_step,
        maxResults: input.max_results,
      }),
    }),
  });

  registerRpc(
    app,
    {
      method: "GET",
      path: "metrics/get-history-bulk",
      request: z.object({
        run_id: list(z.string()).optional(),
        metric_key: z.string().optional(),
        max_results: int64().optional(),
      }),
      handle: async (input) => {
        if (input.metric_key === undefined) {
          throw invalidParameter("GetMetricHistoryBulk request must specify a metric_key.");
        }
        return {
          metrics: await getMetricHistoryBulk(db, input.run_id ?? [], input.metric_key, input.max_results),
        };
      },
    },
    ["/ajax-api/2.0/mlflow"],
  );
}
