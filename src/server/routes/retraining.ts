/**
 * The retraining loop on FlowOps' own API (`/api/v1/retraining`): list retrainings (each linking its
 * trigger, pipeline run, model version and deployment revision) and start one by hand. Validation only:
 * the RetrainingLoop decides, and its errors (no retraining configured, one already running) pass through.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { RetrainingLoop } from "../../monitoring/retraining/retrainingLoop.js";
import type { RetrainingRunStore } from "../../monitoring/retraining/retrainingRunStore.js";
import { wireRetrainingRun } from "../../monitoring/retraining/retrainingRunWire.js";
import { registerRpc } from "../rpc.js";
import { int64 } from "../wire.js";
import { FLOWOPS_API_PREFIXES } from "./datasets.js";

export interface RetrainingRoutesDeps {
  loop: Pick<RetrainingLoop, "trigger">;
  runs: Pick<RetrainingRunStore, "list" | "get">;
}

export async function retrainingRoutes(app: FastifyInstance, deps: RetrainingRoutesDeps): Promise<void> {
  registerRpc(
    app,
    {
      method: "GET",
      path: "retraining/runs",
      request: z.object({
        endpoint: z.string().min(1).optional(),
        limit: int64().optional(),
      }),
      async handle(input) {
        const runs = await deps.runs.list({
          ...(input.endpoint === undefined ? {} : { endpoint: input.endpoint }),
          ...(input.limit === undefined ? {} : { limit: input.limit }),
        });
        return { runs: runs.map((run) => wireRetrainingRun(run)) };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "POST",
      path: "retraining/:endpoint/trigger",
      request: z.object({
        endpoint: z.string().min(1),
        reason: z.string().min(1).optional(),
      }),
      async handle(input) {
        const id = await deps.loop.trigger(input.endpoint, "manual", {
          reason: input.reason ?? "triggered through the API",
        });
        return { run: wireRetrainingRun(await deps.runs.get(id)) };
      },
    },
    FLOWOPS_API_PREFIXES,
  );
}
