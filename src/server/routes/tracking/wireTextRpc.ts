/**
 * An MLflow RPC whose handler writes its answer's JSON text itself: registerRpc's request reading (query
 * string or body, one zod validation, every API prefix), answered with that text as it is. For answers too
 * large to go through toWireJson's per-value replacer at speed (a metric history of many thousand points);
 * the handler must write what toWireJson would.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { MLFLOW_API_PREFIXES, readRpcInput, type RpcRoute } from "../../rpc.js";

export interface WireTextRpcRoute<S extends z.ZodType> extends Omit<RpcRoute<S>, "handle"> {
  /** The answer's JSON text, written as toWireJson would write the answer object. */
  handle(input: z.output<S>, request: FastifyRequest): Promise<string>;
}

export function registerWireTextRpc<S extends z.ZodType>(
  app: FastifyInstance,
  route: WireTextRpcRoute<S>,
  prefixes: readonly string[] = MLFLOW_API_PREFIXES,
): void {
  const methods = typeof route.method === "string" ? [route.method] : [...route.method];
  for (const prefix of prefixes) {
    app.route({
      method: methods,
      url: `${prefix}/${route.path}`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const input = readRpcInput(route.request, request);
        const text = await route.handle(input, request);
        return reply.code(200).type("application/json").send(text);
      },
    });
  }
}
