/**
 * The webhook trigger's own listener: a small HTTP server with only the pipeline-trigger route (and the
 * health check), for `flowops pipeline trigger --webhook` in a repository. It shares the tracking
 * server's wire conventions and its handling of malformed requests, so callers see the same error shape
 * and answers.
 */
import Fastify from "fastify";
import { installWireConventions, malformedRequestHandling } from "../../server/app.js";
import { pipelineTriggerRoutes, type PipelineTriggerTargets } from "../../server/routes/pipelineTriggers.js";

export interface WebhookListener {
  url: string;
  close(): Promise<void>;
}

export async function startWebhookListener(options: {
  targets: PipelineTriggerTargets;
  host: string;
  port: number;
  logger?: boolean;
}): Promise<WebhookListener> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024, ...malformedRequestHandling });
  installWireConventions(app);
  app.get("/health", async (_request, reply) => reply.type("text/plain").send("OK"));
  await app.register(async (scope) => pipelineTriggerRoutes(scope, options.targets));
  const url = await app.listen({ host: options.host, port: options.port });
  return { url, close: () => app.close() };
}
