/**
 * Answers for requests no serving route takes: an unknown path (404), a path the router refused before routing
 * (a percent-encoding that is not UTF-8, a segment over the length limit), or a body refused on an unknown
 * path (over the limit). Each is answered in KServe's error shape and counted in the serving metrics, so the
 * error counters hold every error the server answered. Requests a route took are answered by that route.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServingMetrics, UnroutedProtocol } from "../../serving/servingMetrics.js";
import { isInvalidMediaType, sendKServeError } from "./servingErrors.js";

/** MLflow's scoring-server paths; the other protocols are told apart by their first path segment. */
const MLFLOW_PATHS = new Set(["invocations", "ping", "health", "version"]);

/** The protocol a path belongs to, from its first segment (read raw: it may not decode). */
export function protocolOfPath(url: string): UnroutedProtocol {
  const first = url.split("?")[0]?.split("/")[1] ?? "";
  if (first === "v2" || first === "v1") return first;
  return MLFLOW_PATHS.has(first) ? "mlflow" : "";
}

/** The 404 of a path no route takes. */
export function sendNoEndpoint(request: FastifyRequest, reply: FastifyReply): number {
  void reply.code(404).send({ error: `no endpoint ${request.method} ${request.url.split("?")[0]}` });
  return 404;
}

/**
 * Answers an error raised for a request no route took. A Content-Type header Fastify cannot parse is refused
 * before the router's not-found handler runs; on a path no route takes the 404 wins, as it does for every other
 * body sent there. Any other error (a body over the limit) is answered as it is.
 */
export function sendUnroutedError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  bodyLimit: number,
): number {
  if (isInvalidMediaType(error)) return sendNoEndpoint(request, reply);
  return sendKServeError(request, reply, error, bodyLimit);
}

export function observeUnrouted(metrics: ServingMetrics, request: FastifyRequest, status: number): void {
  metrics.observeUnroutedRequest(protocolOfPath(request.url), status);
}
