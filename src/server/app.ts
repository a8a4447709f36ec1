/**
 * Builds the HTTP server: wire-level concerns (body parsing, error shape, health) here, and one plugin per
 * resource under routes/. No domain logic lives in this folder.
 */
import { isUtf8 } from "node:buffer";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import Fastify, {
  type ConnectionError,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { FlowOpsError, toFlowOpsError, type ErrorCode } from "../errors.js";
import { RetrainingRunStore } from "../monitoring/retraining/retrainingRunStore.js";
import { RegistryWebhooks } from "../registry/webhooks/registryWebhooks.js";
import { webhookSecretCipher } from "../registry/webhooks/webhookSecretCipher.js";
import { encryptStoredWebhookSecrets } from "../registry/webhooks/webhookStore.js";
import type { ServerContext } from "./context.js";
import { artifactRoutes } from "./routes/artifacts.js";
import { presignedArtifactRoutes } from "./routes/artifactsPresigned.js";
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
import { serverInfoRoutes } from "./routes/serverInfo.js";
import { installSecurityMiddleware } from "./securityMiddleware.js";
import { trackingRoutes } from "./routes/tracking.js";
import { scorerRoutes } from "./routes/scorers.js";
import { evaluationDatasetRoutes } from "./routes/evaluationDatasets.js";
import { labelSchemaRoutes } from "./routes/labelSchemas.js";
import { issueRoutes } from "./routes/issues.js";
import { reviewQueueRoutes } from "./routes/reviewQueues.js";
import { otlpTraceRoutes } from "./routes/otlpTraces.js";
import { traceRoutes } from "./routes/traces.js";
import { traceMetricsRoutes } from "./routes/traceMetrics.js";
import { uiArtifactRoutes } from "./routes/uiArtifacts.js";
import { uiTelemetryRoutes } from "./routes/uiTelemetry.js";
import { graphqlRoutes } from "./graphql/graphqlRoutes.js";
import { promptlabRoutes } from "./routes/promptlab.js";
import { gatewayProxyRoutes } from "./routes/gatewayProxy.js";
import { bodyHasInt64Fields } from "./routes/tracking/int64Bodies.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { workspaceRoutes } from "./routes/workspaces.js";
import { RouteMethods } from "./routeMethods.js";
import { sendWireError } from "./rpc.js";
import { errorBodyText, loneSurrogateIn, parseJsonBody } from "./wire.js";
import { sendMethodNotAllowedPage, sendNotFoundPage } from "./werkzeugErrorPages.js";
import { urlInsideStaticPrefix } from "./staticPrefix.js";

export interface BuildServerOptions {
  /** pino options or false; tests pass false to keep output clean. */
  logger?: boolean | { level: string };
  /** Pipelines this process can run for `POST /api/v1/pipelines/:name/trigger`; none by default. */
  pipelineTriggers?: PipelineTriggerTargets;
}

/** What a client sees of an error FlowOps did not expect; the details go to the server log. */
const HIDDEN_INTERNAL_ERROR = "Internal server error; see the server log.";

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
    ...malformedRequestHandling,
    ...staticPrefixRewrite(ctx.config.staticPrefix),
  });
  installWireConventions(app);
  installSecurityMiddleware(app);
  // Before any route is registered, so every plugin's routes inherit the request metrics hook.
  ctx.monitoring?.metrics?.instrument(app);

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

  await app.register(async (scope) => serverInfoRoutes(scope, ctx));
  await app.register(async (scope) => trackingRoutes(scope, ctx));
  await app.register(async (scope) => searchRoutes(scope, ctx));
  await app.register(async (scope) => registryRoutes(scope, ctx, webhooks));
  await app.register(async (scope) => webhookRoutes(scope, ctx, webhooks));
  await app.register(async (scope) => loggedModelRoutes(scope, ctx));
  await app.register(async (scope) => traceRoutes(scope, ctx));
  await app.register(async (scope) => otlpTraceRoutes(scope, ctx));
  await app.register(async (scope) => traceMetricsRoutes(scope, ctx));
  await app.register(async (scope) => scorerRoutes(scope, ctx));
  await app.register(async (scope) => evaluationDatasetRoutes(scope, ctx));
  await app.register(async (scope) => labelSchemaRoutes(scope, ctx));
  await app.register(async (scope) => issueRoutes(scope, ctx));
  await app.register(async (scope) => reviewQueueRoutes(scope, ctx));
  await app.register(async (scope) => workspaceRoutes(scope));
  await app.register(async (scope) => artifactRoutes(scope, ctx));
  await app.register(async (scope) => presignedArtifactRoutes(scope, ctx));
  await app.register(async (scope) => uiArtifactRoutes(scope, ctx));
  await app.register(async (scope) => uiTelemetryRoutes(scope));
  await app.register(async (scope) => graphqlRoutes(scope, ctx));
  await app.register(async (scope) => promptlabRoutes(scope, ctx));
  await app.register(async (scope) => gatewayProxyRoutes(scope));
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
  // Before any route is registered, so the not-found handler knows every path's methods.
  const routes = new RouteMethods();
  app.addHook("onRoute", (route) => routes.add(route.method, route.url ?? route.path));
  app.removeAllContentTypeParsers();
  // MLflow treats an empty body as {} and decodes a JSON-encoded string body a second time (old clients).
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    // Decoding would swap bad bytes for U+FFFD and store a value the client never sent; MLflow refuses them.
    if (!isUtf8(bytes)) {
      return done(new FlowOpsError("INVALID_PARAMETER_VALUE", "Request body is not valid UTF-8."), undefined);
    }
    // Python's json reads UTF-8 bytes with a byte order mark, so MLflow clients may send one.
    const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
    if (text.trim() === "") return done(null, {});
    let parsed: unknown;
    try {
      const keepBigIntegers = bodyHasInt64Fields(request.url);
      parsed = parseJsonBody(text, keepBigIntegers);
      if (typeof parsed === "string") parsed = parseJsonBody(parsed, keepBigIntegers);
    } catch {
      return done(new FlowOpsError("INVALID_PARAMETER_VALUE", "Malformed JSON in request body."), undefined);
    }
    const lone = loneSurrogateIn(text, parsed);
    if (lone !== undefined) {
      const shown = JSON.stringify(lone.slice(0, 100));
      const message = `Request body has a string with a lone UTF-16 surrogate, which cannot be stored: ${shown}.`;
      return done(new FlowOpsError("INVALID_PARAMETER_VALUE", message), undefined);
    }
    done(null, parsed);
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
    const shown =
      known.httpStatus >= 500 && !(error instanceof FlowOpsError)
        ? new FlowOpsError("INTERNAL_ERROR", HIDDEN_INTERNAL_ERROR)
        : known;
    return sendWireError(reply, shown);
  });

  app.setNotFoundHandler((request, reply) => {
    const allow = routes.allowedAt(request.url.split("?")[0] ?? "");
    return allow === undefined || allow.split(", ").includes(request.method)
      ? sendNotFoundPage(reply)
      : sendMethodNotAllowedPage(reply, allow);
  });
}

/** `--static-prefix`: the prefix comes off each URL before routing (staticPrefix.ts says why). */
function staticPrefixRewrite(prefix: string | undefined): {
  rewriteUrl?: (request: IncomingMessage) => string;
} {
  if (prefix === undefined) return {};
  return { rewriteUrl: (request) => urlInsideStaticPrefix(prefix, request.url ?? "/") };
}

/**
 * Fastify options for requests refused before any route runs (bad percent-encoding in the path, a URL or
 * headers over Node's limit, broken HTTP), answered in MLflow's error shape. Every FlowOps listener passes them
 * along with installWireConventions: the tracking server, and the webhook listener of `flowops pipeline trigger`.
 */
export const malformedRequestHandling = {
  frameworkErrors: answerFrameworkError,
  clientErrorHandler: answerClientError,
} as const;

/**
 * Errors Fastify raises before any route or hook runs: a URL whose percent-encoding does not decode. Werkzeug
 * leaves such a path undecoded and finds no route for it, so MLflow answers its 404 page.
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === "FST_ERR_BAD_URL") {
    void sendNotFoundPage(reply);
    return;
  }
  const known = fromFastifyError(error);
  if (known.httpStatus >= 500) request.log.error({ err: error }, "request failed");
  void sendWireError(
    reply,
    known.httpStatus >= 500 ? new FlowOpsError("INTERNAL_ERROR", HIDDEN_INTERNAL_ERROR) : known,
  );
}

/** Requests Node's HTTP parser refuses, which never reach Fastify: status, code and message of each. */
const CLIENT_ERRORS: Readonly<Record<string, readonly [number, ErrorCode, string]>> = {
  HPE_HEADER_OVERFLOW: [
    431,
    "REQUEST_LIMIT_EXCEEDED",
    "The request's URL and headers are larger than 16 KiB.",
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "BAD_REQUEST", "The request did not arrive in time."],
};

/**
 * Answers a request the HTTP parser refused (a URL or headers over Node's limit, broken HTTP) in MLflow's error
 * shape, then closes the connection: the parser cannot find where the next request would start.
 */
function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[error.code ?? ""] ?? [
    400,
    "BAD_REQUEST",
    "The request is not valid HTTP.",
  ];
  // An answer to HEAD has no body; a client would read one as the start of a next response.
  // Node hands over the bytes it could not parse as a Buffer, whatever Fastify's typings say.
  const raw: unknown = error.rawPacket;
  const isHead = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString("latin1") === "HEAD ";
  const body = isHead ? "" : errorBodyText(new FlowOpsError(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
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
