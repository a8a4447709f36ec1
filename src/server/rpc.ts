/**
 * Registers an MLflow RPC on every path the client may use (`/api/2.0/mlflow/...` and
 * `/ajax-api/2.0/mlflow/...`), reads its fields from the query string (GET) or the JSON body (other
 * methods), validates them once with the route's zod schema, and answers with a JSON object.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { FlowOpsError } from "../errors.js";
import { firstOfRepeatedQueryKeys } from "./protoFields.js";
import { assertQueryIsUtf8, errorBodyText, parseRequest, toWireJson } from "./wire.js";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE" | "PUT";

export const MLFLOW_API_PREFIXES = ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"] as const;

export interface RpcRoute<S extends z.ZodType> {
  method: HttpMethod | readonly HttpMethod[];
  /** Path below the prefix, e.g. `experiments/create`; Fastify parameters such as `:model_id` are allowed. */
  path: string;
  request: S;
  handle(input: z.output<S>, request: FastifyRequest): Promise<object>;
}

export function registerRpc<S extends z.ZodType>(
  app: FastifyInstance,
  route: RpcRoute<S>,
  prefixes: readonly string[] = MLFLOW_API_PREFIXES,
): void {
  const methods = typeof route.method === "string" ? [route.method] : [...route.method];
  for (const prefix of prefixes) {
    app.route({
      method: methods,
      url: `${prefix}/${route.path}`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const result = await route.handle(readRpcInput(route.request, request), request);
        return sendWire(reply, result);
      },
    });
  }
}

/** An RPC's input as MLflow reads it: the query string of a GET (first of repeated keys), else the body. */
export function readRpcInput<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> {
  if (request.method === "GET") assertQueryIsUtf8(request.url);
  const source =
    request.method === "GET"
      ? firstOfRepeatedQueryKeys(schema, (request.query ?? {}) as Record<string, unknown>)
      : request.body;
  const params = (request.params ?? {}) as Record<string, unknown>;
  return parseRequest(schema, { ...(source as object | undefined), ...params });
}

/**
 * An answer whose JSON text the handler wrote itself, exactly as toWireJson would write the object: for
 * answers too large for toWireJson's per-value replacer at speed (a metric history of many thousand points).
 */
export class WireJsonText {
  constructor(readonly text: string) {}
}

export function sendWire(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  const text = body instanceof WireJsonText ? body.text : toWireJson(body);
  return reply.code(status).type("application/json").send(text);
}

/**
 * An error in MLflow's body (`{"error_code", "message", "sqlstate", "error_class"}`), written byte for byte as
 * mlflow/server/handlers.py `catch_mlflow_exception` writes `serialize_as_json()`, with the code's status.
 */
export function sendWireError(reply: FastifyReply, error: FlowOpsError): FastifyReply {
  return reply.code(error.httpStatus).type("application/json").send(errorBodyText(error));
}
