/**
 * MLflow scoring-server routes (`mlflow models serve`), so existing clients switch by changing the URL:
 * `POST /invocations` scores with the default (first) model; `/ping` and `/health` answer 200 when it is
 * loaded and 404 otherwise, as MLflow does; `/version` is the model's MLflow version (FlowOps' for ONNX). Errors are
 * MLflow's `{"error_code", "message", "sqlstate", "error_class"}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  castsObjectCells,
  mlflowResponse,
  mlflowResponseBody,
  readMlflowRequest,
} from "../../serving/payloads/modelInput.js";
import { FLOWOPS_VERSION } from "../../version.js";
import { predict } from "./prediction.js";
import { keepEveryBodyRaw } from "./requestBodies.js";
import { sendMlflowError } from "./servingErrors.js";
import type { ServingContext } from "./servingContext.js";

const EMPTY = Buffer.alloc(0);
/** What Fastify's own serializer answered before the body became bytes written here. */
const JSON_UTF8 = "application/json; charset=utf-8";

export async function mlflowScoringRoutes(scope: FastifyInstance, ctx: ServingContext): Promise<void> {
  keepEveryBodyRaw(scope);
  const served = ctx.models.defaultModel;
  scope.setErrorHandler((error, request, reply) => {
    const status = sendMlflowError(request, reply, error, ctx.bodyLimit);
    if (request.method === "POST")
      ctx.metrics.observeRequest(served.labels, "mlflow", status, reply.elapsedTime / 1000);
    return reply;
  });

  const health = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    reply
      .code(served.model.ready() ? 200 : 404)
      .type("application/json")
      .send("\n");
  scope.get("/ping", health);
  scope.get("/health", health);
  // MLflow answers its own version; a Python model's worker tells which MLflow it runs. An ONNX model runs
  // without MLflow, so the server names itself.
  const version = served.model.mlflowVersion ?? FLOWOPS_VERSION;
  scope.get("/version", async (_request, reply) => reply.type("text/plain").send(version));

  scope.post("/invocations", async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
      const parsed = await readMlflowRequest(body, request.headers["content-type"], {
        typedInputs: served.model.inputs.length > 0,
        castsObjectCells: castsObjectCells(served.model),
        textForStringInputs: served.model.platform !== "mlflow_pyfunc",
      });
      const outputs = await predict(served, parsed);
      const answer = mlflowResponse(outputs, served.model.signature, {
        platform: served.model.platform,
        request: parsed,
        floats: "marked",
      });
      ctx.metrics.observeRequest(served.labels, "mlflow", 200, reply.elapsedTime / 1000);
      return reply.type(JSON_UTF8).send(mlflowResponseBody(answer));
    } catch (error) {
      const status = sendMlflowError(request, reply, error, ctx.bodyLimit);
      ctx.metrics.observeRequest(served.labels, "mlflow", status, reply.elapsedTime / 1000);
      return reply;
    }
  });
}
