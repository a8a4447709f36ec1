/** `GET /metrics`: the serving metrics in Prometheus text format, for scraping and for delivery analysis. */
import type { FastifyInstance } from "fastify";
import type { ServingMetrics } from "../../serving/servingMetrics.js";

export async function metricsRoute(scope: FastifyInstance, metrics: ServingMetrics): Promise<void> {
  scope.get("/metrics", async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.exposition()),
  );
}
