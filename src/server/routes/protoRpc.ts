/**
 * An RPC whose answer MLflow writes with `message_to_json` (the service.proto and model_registry.proto
 * handlers): empty repeated fields are left out of the answer, as protobuf's JSON does, so a run without
 * params answers `"data": {"tags": [...]}` and not `"params": []`. FlowOps's own RPCs and MLflow's plain
 * JSON routes keep registerRpc, which writes the answer as it is.
 */
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { MLFLOW_API_PREFIXES, registerRpc, type RpcRoute } from "../rpc.js";
import { withoutEmptyRepeated } from "../wire.js";

export function registerProtoRpc<S extends z.ZodType>(
  app: FastifyInstance,
  route: RpcRoute<S>,
  prefixes: readonly string[] = MLFLOW_API_PREFIXES,
): void {
  registerRpc(
    app,
    { ...route, handle: async (input, request) => withoutEmptyRepeated(await route.handle(input, request)) },
    prefixes,
  );
}
