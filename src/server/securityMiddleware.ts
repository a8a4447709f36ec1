/**
 * mlflow 3.17's server security middleware (mlflow/server/fastapi_security.py), as its layers answer on the
 * wire, outermost first: the Host check (403 before anything else, /health and /version exempt), Starlette's
 * CORSMiddleware (preflights answered on any path; CORS headers on every other answer), the block of
 * cross-origin state-changing API calls (403), and the security headers with OPTIONS on an API path as 204.
 * An answer from an outer layer carries none of the inner layers' headers, which is why each is marked.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  allowsAnyOrigin,
  blocksCrossOrigin,
  corsAnswersOrigin,
  CORS_BLOCKED_MESSAGE,
  INVALID_HOST_MESSAGE,
  isAllowedHost,
  isApiPath,
  isHealthPath,
  securitySettingsFromEnv,
  type SecuritySettings,
} from "./securityPolicy.js";
import { RouteMethods } from "./routeMethods.js";

/** mlflow.tracing.constant.TRACE_RENDERER_ASSET_PATH: embedded in notebooks' iframes by design. */
const TRACE_RENDERER_PATH = "/static-files/lib/notebook-trace-renderer";

/** The methods CORSMiddleware is given, and Starlette's ALL_METHODS for the wildcard configuration. */
const CORS_METHODS = "GET, POST, PUT, DELETE, OPTIONS, PATCH";
const ALL_CORS_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY";
const PREFLIGHT_VARY =
  "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network";

/** Which layer answered a request itself; the headers of the layers inside it are then left off. */
type AnsweredBy = "host check" | "preflight" | "cross-origin block";

/**
 * Installs the middleware on a server before its routes are registered (the OPTIONS answer reads them). Also
 * sends Flask's bare `application/json` (no charset: JSON is UTF-8 by definition), which mlflow does even
 * with its middleware off.
 */
export function installSecurityMiddleware(app: FastifyInstance, env: NodeJS.ProcessEnv = process.env): void {
  const settings = securitySettingsFromEnv(env);
  const routes = new RouteMethods();
  app.addHook("onRoute", (route) => routes.add(route.method, route.url ?? route.path));
  const answeredBy = new WeakMap<FastifyRequest, AnsweredBy>();

  app.addHook("onRequest", async (request, reply) => {
    const path = pathOf(request);
    if (!settings.disabled) {
      const refusal = refusalOf(settings, request, path);
      if (refusal !== undefined) {
        answeredBy.set(request, refusal.by);
        return refusal.send(reply);
      }
    }
    if (request.method === "OPTIONS") {
      const allowed = routes.allowedAt(path);
      if (allowed === undefined) return undefined;
      // Flask answers OPTIONS on each of its routes with 200 and Allow; the middleware turns API ones into 204.
      const status = !settings.disabled && isApiPath(path) ? 204 : 200;
      return reply.code(status).type("text/html; charset=utf-8").header("allow", allowed).send("");
    }
    // An async hook that hands back the reply has to send it; one that goes on hands back nothing.
    return undefined;
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (reply.getHeader("content-type") === "application/json; charset=utf-8") {
      reply.header("content-type", "application/json");
    }
    if (settings.disabled) return payload;
    const by = answeredBy.get(request);
    if (by === "host check" || by === "preflight") return payload;
    addCorsHeaders(settings, request, reply);
    if (by === "cross-origin block") return payload;
    reply.header("x-content-type-options", "nosniff");
    const frame = settings.frameOptions;
    if (frame !== "" && frame !== "NONE" && !request.url.startsWith(TRACE_RENDERER_PATH)) {
      reply.header("x-frame-options", frame);
    }
    return payload;
  });
}

interface Refusal {
  by: AnsweredBy;
  send(reply: FastifyReply): FastifyReply;
}

/** The answer of the outermost layer that answers by itself, if one does. */
function refusalOf(settings: SecuritySettings, request: FastifyRequest, path: string): Refusal | undefined {
  if (!isHealthPath(path) && !isAllowedHost(settings.allowedHosts, request.headers.host)) {
    request.log.warn(`Rejected request with invalid Host header: ${request.headers.host ?? ""}`);
    return {
      by: "host check",
      send: (reply) => reply.code(403).type("text/plain").send(INVALID_HOST_MESSAGE),
    };
  }
  const origin = headerOf(request, "origin");
  if (
    origin !== undefined &&
    request.method === "OPTIONS" &&
    headerOf(request, "access-control-request-method") !== undefined
  ) {
    return { by: "preflight", send: (reply) => answerPreflight(settings, request, origin, reply) };
  }
  if (isApiPath(path) && blocksCrossOrigin(settings, origin, request.method)) {
    request.log.warn(`Blocked cross-origin request from ${origin ?? ""}`);
    return {
      by: "cross-origin block",
      send: (reply) => reply.code(403).type("text/plain").send(CORS_BLOCKED_MESSAGE),
    };
  }
  return undefined;
}

/** Starlette's CORSMiddleware.preflight_response with mlflow's arguments (any header, no private network). */
function answerPreflight(
  settings: SecuritySettings,
  request: FastifyRequest,
  origin: string,
  reply: FastifyReply,
): FastifyReply {
  const anyOrigin = allowsAnyOrigin(settings);
  const failures: string[] = [];
  reply.header("vary", PREFLIGHT_VARY);
  if (anyOrigin) reply.header("access-control-allow-origin", "*");
  reply.header("access-control-allow-methods", anyOrigin ? ALL_CORS_METHODS : CORS_METHODS);
  reply.header("access-control-max-age", "600");
  if (!anyOrigin) reply.header("access-control-allow-credentials", "true");
  if (!corsAnswersOrigin(settings, origin)) failures.push("origin");
  else if (!anyOrigin) reply.header("access-control-allow-origin", origin);
  const method = headerOf(request, "access-control-request-method") ?? "";
  const methods = (anyOrigin ? ALL_CORS_METHODS : CORS_METHODS).split(", ");
  if (!methods.includes(method)) failures.push("method");
  const requestedHeaders = headerOf(request, "access-control-request-headers");
  if (requestedHeaders !== undefined) reply.header("access-control-allow-headers", requestedHeaders);
  if (headerOf(request, "access-control-request-private-network") !== undefined)
    failures.push("private-network");
  const type = "text/plain; charset=utf-8";
  if (failures.length > 0)
    return reply
      .code(400)
      .type(type)
      .send(`Disallowed CORS ${failures.join(", ")}`);
  return reply.code(200).type(type).send("OK");
}

/**
 * CORSMiddleware.simple_response, and what Flask-CORS adds on mlflow's Flask routes: with the wildcard
 * configuration `Access-Control-Allow-Origin: *` on every answer; otherwise, when the request names an
 * origin, credentials and exposed headers, and the origin itself where CORS answers for it.
 */
function addCorsHeaders(settings: SecuritySettings, request: FastifyRequest, reply: FastifyReply): void {
  const origin = headerOf(request, "origin");
  const anyOrigin = allowsAnyOrigin(settings);
  if (anyOrigin) reply.header("access-control-allow-origin", "*");
  if (origin !== undefined) {
    if (!anyOrigin) reply.header("access-control-allow-credentials", "true");
    reply.header("access-control-expose-headers", "*");
    if (!anyOrigin && corsAnswersOrigin(settings, origin))
      reply.header("access-control-allow-origin", origin);
  }
  const vary = reply.getHeader("vary");
  reply.header("vary", vary === undefined || vary === "" ? "Origin" : `${String(vary)}, Origin`);
}

function pathOf(request: FastifyRequest): string {
  return request.url.split("?")[0] ?? "";
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
