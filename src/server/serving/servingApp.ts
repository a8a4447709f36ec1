/**
 * Builds the model server: KServe V2 and V1, MLflow's scoring routes and `/metrics` on one Fastify app over
 * one ModelSet. Wire concerns only; the protocols parse and format in src/serving/payloads. Request logging
 * is off (it would cost more than a small model's inference); errors are logged. Closing the app stops
 * accepting, lets requests in flight finish, then closes the models.
 */
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { BatchingOptions } from "../../serving/dynamicBatcher.js";
import { ModelSet } from "../../serving/modelSet.js";
import type { LoadedModel } from "../../serving/runtime.js";
import { ServingMetrics } from "../../serving/servingMetrics.js";
import { stringifyJsonWithBigIntegers } from "../../tables/jsonBigIntegers.js";
import { metricsRoute } from "./metricsRoute.js";
import { mlflowScoringRoutes } from "./mlflowScoringRoutes.js";
import { keepEveryBodyRaw } from "./requestBodies.js";
import { newRequestId, REQUEST_ID_HEADER } from "./requestId.js";
import { sendKServeError } from "./servingErrors.js";
import type { ServingContext } from "./servingContext.js";
import { observeUnrouted, sendNoEndpoint, sendUnroutedError } from "./unroutedRequests.js";
import { v1Routes } from "./v1Routes.js";
import { v2Routes } from "./v2Routes.js";

export const DEFAULT_SERVING_BODY_LIMIT = 32 * 1024 * 1024;
/** The longest model name or version a path may carry; a longer one names no model (404). */
export const MAX_PATH_PARAM_LENGTH = 500;

export interface ServingAppOptions {
  /** Served side by side; the first is the default (`/invocations`). */
  models: readonly LoadedModel[];
  /** Largest request body in bytes (413 above it); 32 MiB by default. */
  bodyLimit?: number | undefined;
  /** Dynamic batching; off when absent. */
  batching?: BatchingOptions | undefined;
  /** pino options, or false (tests); errors only are logged per request either way. */
  logger?: boolean | { level: string } | undefined;
  /** Metrics sink; a fresh Registry by default. */
  metrics?: ServingMetrics | undefined;
}

export interface ServingApp {
  app: FastifyInstance;
  models: ModelSet;
  metrics: ServingMetrics;
}

export async function buildServingApp(options: ServingAppOptions): Promise<ServingApp> {
  const metrics = options.metrics ?? new ServingMetrics();
  const models = new ModelSet(options.models, {
    batching: options.batching,
    observerFor: (labels) => metrics.batchObserver(labels),
  });
  const bodyLimit = options.bodyLimit ?? DEFAULT_SERVING_BODY_LIMIT;
  const app = Fastify({
    logger: options.logger ?? { level: "info" },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    requestIdHeader: REQUEST_ID_HEADER,
    genReqId: newRequestId,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // A path the router cannot read (a percent-encoding that is not UTF-8, a segment over maxParamLength) is
    // answered here, before any hook runs: without this Fastify sent its own body and no request id. It is
    // counted in the metrics like any other request no route took.
    frameworkErrors: (error, request, reply) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      observeUnrouted(metrics, request, sendKServeError(request, reply, error, bodyLimit));
    },
  });
  const ctx: ServingContext = { models, metrics, bodyLimit };
  // INT64/UINT64 outputs beyond 2^53 are BigInts in the answers, written as their exact digits.
  app.setReplySerializer((payload) => stringifyJsonWithBigIntegers(payload));

  app.addHook("onRequest", (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // A request no route takes is read by this root scope: its body is kept as it came, so an unknown path is a 404
  // whatever the body, and its errors (413) are KServe's shape rather than Fastify's own.
  keepEveryBodyRaw(app);
  // The root scope's errors are those of requests no route took (body errors on an unknown path) and of /metrics.
  app.setErrorHandler((error, request, reply) => {
    if (!request.is404) {
      sendKServeError(request, reply, error, bodyLimit);
      return reply;
    }
    observeUnrouted(metrics, request, sendUnroutedError(request, reply, error, bodyLimit));
    return reply;
  });
  app.setNotFoundHandler((request, reply) => {
    observeUnrouted(metrics, request, sendNoEndpoint(request, reply));
    return reply;
  });
  app.addHook("preClose", (done) => {
    closeConnectionsAsTheyIdle(app);
    // Requests in flight may sit in a batch queue; the close waits for their answers, so their batches must run
    // now rather than when the queue delay ends. models.close() (onClose) drains again and then awaits them.
    for (const served of models.all()) void served.runner.drain();
    done();
  });
  // Fastify's own onClose runs after the listener stopped and requests in flight were answered.
  app.addHook("onClose", async () => models.close());

  await app.register(async (scope) => v2Routes(scope, ctx));
  await app.register(async (scope) => v1Routes(scope, ctx));
  await app.register(async (scope) => mlflowScoringRoutes(scope, ctx));
  await app.register(async (scope) => metricsRoute(scope, metrics));
  return { app, models, metrics };
}

/**
 * Node's `server.close()` closes the connections idle at that moment, but a keep-alive connection whose
 * request was in flight stays open after its answer until the client hangs up, so the close would wait for
 * the keep-alive timeout. Checking during the shutdown only keeps the request path free of any hook.
 */
function closeConnectionsAsTheyIdle(app: FastifyInstance): void {
  const server = app.server;
  if (!server.listening) return;
  const timer = setInterval(() => server.closeIdleConnections(), 20);
  server.once("close", () => clearInterval(timer));
}
