/**
 * Builds the HTTP server: wire-level concerns (body parsing, error shape, health) here, and one plugin per
 * resource under routes/. No domain logic lives in this folder.
 */
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import { RetrainingRunStore } from "../monitoring/retraining/retrainingRunStore.js";
import { RegistryWebhooks } from "../registry/webhooks/registryWebhooks.js";
import { webhookSecretCipher } from "../registry/webhooks/webhookSecretCipher.js";
import { encryptStoredWebhookSecrets } from "../registry/webhooks/webhookStore.js";
import { FLOWOPS_VERSION } from "../version.js";
import type { ServerContext } from "./context.js";
import { artifactRoutes } from "./routes/artifacts.js";
import { datasetRoutes } from "./routes/datasets.js";
import { deploymentRoutes } from "./routes/deployments.js";
import { endpointRoutes } from "./routes/endpoints.js";
import { gateRoutes } from "./routes/gates.js";
import { loggedModelRoutes } from "./routes/loggedModels.js";
import { monitoringRoutes } from "./routes/monitoring.js";
import { monitoringStatusRoutes } from "./routes/monitoringStatus.js";
import { pipelineTriggerRoutes, type PipelineTriggerTargets } from "./routes/pipelineTriggers.js";
import { registryRoutes } from "./routes/registry.js";
import { retrainingRoutes } from "./routes/retraining.js";
import { searchRoutes } from "./routes/search.js";
import { trackingRoutes } from "./routes/tracking.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { sendWire } from "./rpc.js";

export interface BuildServerOptions {
  /** pino options or false; tests pass false to keep output clean. */
  logger?: boolean | { level: string };
  /** Pipelines this process can run for `POST /api/v1/pipelines/:name/trigger`; none by default. */
  pipelineTriggers?: PipelineTriggerTargets;
}

const JSON_ONLY =
  "Bad Request. Content-Type must be one of [application/json]. See the API docs for more information about request parameters.";

export async function buildServer(
  ctx: ServerContext,
  options: BuildServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: "info" },
    bodyLimit: ctx.config.bodyLimit,
    // Ids in URLs (logged models, artifact paths) can be long; Fastify's 100-char default is too tight.
    routerOptions: { maxParamLength: 1000 },
    requestIdHeader: "x-request-id",
  });
  installWireConventions(app);
  // Before any route is registered, so every plugin's routes inherit the request metrics hook.
  ctx.monitoring?.metrics?.instrument(app);

  app.get("/health", async (_request, reply) => reply.type("text/plain").send("OK"));
  app.get("/version", async (_request, reply) => reply.type("text/plain").send(FLOWOPS_VERSION));

  // Registry webhooks are delivered with this server's logger; deliveries in flight end when it closes.
  const webhooks = new RegistryWebhooks({
    db: ctx.meta.db,
    log: app.log,
    settings: ctx.config.webhooks,
    cipher: webhookSecretCipher(process.env, ctx.config.webhookSecretKeyFile),
  });
  // Secrets stored in the clear by an earlier version are encrypted before anything reads them.
  await encryptStoredWebhookSecrets(ctx.meta.db, webhooks.cipher);
  app.addHook("onClose", async () => webhooks.close());

  await app.register(async (scope) => trackingRoutes(scope, ctx));
  await app.register(async (scope) => searchRoutes(scope, ctx));
  await app.register(async (scope) => registryRoutes(scope, ctx, webhooks));
  await app.register(async (scope) => webhookRoutes(scope, ctx, webhooks));
  await app.register(async (scope) => loggedModelRoutes(scope, ctx));
  await app.register(async (scope) => artifactRoutes(scope, ctx));
  await app.register(async (scope) => datasetRoutes(scope, ctx));
  await app.register(async (scope) => gateRoutes(scope, ctx));
  await app.register(async (scope) => monitoringRoutes(scope, ctx));
  await app.register(async (scope) => monitoringStatusRoutes(scope, ctx));
  await app.register(async (scope) => pipelineTriggerRoutes(scope, options.pipelineTriggers));
  const delivery = ctx.delivery;
  if (delivery !== undefined) {
    await app.register(async (scope) => deploymentRoutes(scope, delivery));
    // The data plane's own body parsers and error shapes stay inside its scope.
    await app.register(async (scope) =>
      endpointRoutes(scope, { registry: delivery.registry, bodyLimit: ctx.config.bodyLimit }),
    );
  }
  const retraining = ctx.retraining;
  if (retraining !== undefined) {
    const runs = new RetrainingRunStore(ctx.meta);
    await app.register(async (scope) => retrainingRoutes(scope, { loop: retraining, runs }));
  }
  return app;
}

/**
 * Body parsing, the error shape and the not-found answer every FlowOps listener shares (the tracking
 * server, and the webhook listener of `flowops pipeline trigger`).
 */
export function installWireConventions(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  // MLflow treats an empty body as {} and decodes a JSON-encoded string body a second time (old clients).
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, {});
    try {
      let parsed: unknown = JSON.parse(text);
      if (typeof parsed === "string") parsed = JSON.parse(parsed);
      done(null, parsed);
    } catch {
      done(new FlowOpsError("INVALID_PARAMETER_VALUE", "Malformed JSON in request body."), undefined);
    }
  });
  app.addContentTypeParser("*", (request, _payload, done) => {
    // A DELETE or GET without a body may still carry a stray Content-Type; only bodies are held to JSON.
    if (request.method === "GET" || request.method === "DELETE") return done(null, {});
    done(new FlowOpsError("INVALID_PARAMETER_VALUE", JSON_ONLY), undefined);
  });

  app.setErrorHandler((error: FastifyError | FlowOpsError, request, reply) => {
    const known = fromFastifyError(error);
    if (known.httpStatus >= 500) request.log.error({ err: error }, "request failed");
    else request.log.debug({ err: error }, "request rejected");
    const body =
      known.httpStatus >= 500 && !(error instanceof FlowOpsError)
        ? { error_code: "INTERNAL_ERROR", message: "Internal server error; see the server log." }
        : known.toJSON();
    return sendWire(reply, body, known.httpStatus);
  });

  app.setNotFoundHandler((request, reply) =>
    sendWire(
      reply,
      {
        error_code: "ENDPOINT_NOT_FOUND",
        message: `No endpoint ${request.method} ${request.url.split("?")[0]}`,
      },
      404,
    ),
  );
}

/** Fastify's own errors (body too large, bad JSON) become MLflow-shaped errors with the right status. */
function fromFastifyError(error: FastifyError | FlowOpsError): FlowOpsError {
  if (error instanceof FlowOpsError) return error;
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return new FlowOpsError("REQUEST_LIMIT_EXCEEDED", `Request body is larger than the server's limit.`);
  }
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return new FlowOpsError("BAD_REQUEST", error.message);
  }
  return toFlowOpsError(error);
}
