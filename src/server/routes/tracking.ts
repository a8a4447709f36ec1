/**
 * Tracking routes: experiments, runs, run logging and metric histories (searches live in search.ts).
 * Registering them also makes sure experiment 0, "Default", exists, as MLflow's stores do on start.
 */
import type { FastifyInstance } from "fastify";
import { ensureDefaultExperiment } from "../../tracking/experimentStore.js";
import type { ServerContext } from "../context.js";
import { experimentRoutes } from "./tracking/experiments.js";
import { metricHistoryRoutes } from "./tracking/metricHistory.js";
import { runLoggingRoutes } from "./tracking/runLogging.js";
import { runRoutes } from "./tracking/runs.js";

export async function trackingRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await ensureDefaultExperiment(ctx.meta.db, ctx.config.defaultArtifactRoot, ctx.now());
  await experimentRoutes(app, ctx);
  await runRoutes(app, ctx);
  await runLoggingRoutes(app, ctx);
  await metricHistoryRoutes(app, ctx);
}
