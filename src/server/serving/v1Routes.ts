/**
 * KServe V1 (TF Serving style) routes: list models, model readiness, and `:predict` with `instances` or
 * `inputs`. `:explain` is not offered. Errors are `{"error": "..."}` like V2.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { FlowOpsError } from "../../errors.js";
import { v1Request, v1Response, v1ResponseBody } from "../../serving/payloads/modelInput.js";
import { predict } from "./prediction.js";
import type { LiteralJson } from "../../serving/payloads/jsonFloatLiterals.js";
import { parseV1Bodies } from "./requestBodies.js";
import { sendKServeError } from "./servingErrors.js";
import type { ModelLabels } from "../../serving/servingMetrics.js";
import { labelsFor, type ServingContext } from "./servingContext.js";

/** `name:verb` from the last path segment; the colon is part of the segment, so the router cannot split it. */
function modelAndVerb(target: string): { name: string; verb: string } {
  const colon = target.lastIndexOf(":");
  return colon < 0
    ? { name: target, verb: "" }
    : { name: target.slice(0, colon), verb: target.slice(colon + 1) };
}

export async function v1Routes(scope: FastifyInstance, ctx: ServingContext): Promise<void> {
  parseV1Bodies(scope);
  scope.setErrorHandler((error, request, reply) => {
    const status = sendKServeError(request, reply, error, ctx.bodyLimit);
    if (request.method === "POST") {
      const target = (request.params as { target?: string } | undefined)?.target;
      const name = target === undefined ? undefined : modelAndVerb(target).name;
      ctx.metrics.observeRequest(labelsFor(ctx, name), "v1", status, reply.elapsedTime / 1000);
    }
    return reply;
  });

  scope.get("/v1/models", async () => ({ models: ctx.models.names() }));
  // KServe's V1 endpoint raises ModelNotReady (503) for a model that is not ready, so probes see it.
  scope.get("/v1/models/:name", async (request: FastifyRequest, reply: FastifyReply) => {
    const { model } = ctx.models.find((request.params as { name: string }).name);
    const ready = model.ready();
    return reply.code(ready ? 200 : 503).send({ name: model.name, ready });
  });

  scope.post("/v1/models/:target", async (request: FastifyRequest, reply: FastifyReply) => {
    let labels: ModelLabels | undefined;
    const { name, verb } = modelAndVerb((request.params as { target: string }).target);
    try {
      if (verb !== "predict") {
        throw new FlowOpsError(
          "ENDPOINT_NOT_FOUND",
          `POST /v1/models/{name}:${verb || "<verb>"} is not served; use /v1/models/${name}:predict`,
        );
      }
      const served = ctx.models.find(name);
      labels = served.labels;
      // Undefined without a body (Fastify runs no parser): v1Request answers that with its 400.
      const parsed = request.body as LiteralJson | undefined;
      const outputs = await predict(served, v1Request(parsed?.value, parsed?.floats));
      const body = v1ResponseBody(v1Response(outputs, "marked"));
      ctx.metrics.observeRequest(labels, "v1", 200, reply.elapsedTime / 1000);
      return reply.type("application/json; charset=utf-8").send(body);
    } catch (error) {
      const status = sendKServeError(request, reply, error, ctx.bodyLimit);
      ctx.metrics.observeRequest(labels ?? labelsFor(ctx, name), "v1", status, reply.elapsedTime / 1000);
      return reply;
    }
  });
}
