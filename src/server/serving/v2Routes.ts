/**
 * KServe Open Inference Protocol (V2) REST routes: server and model health, metadata, and infer, with and
 * without a version in the path. Errors are `{"error": "..."}`; clients key off the status (§1.4 of the notes).
 * Infer also speaks the binary tensor data extension, in both directions, as tritonclient does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  BINARY_TENSOR_DATA_EXTENSION,
  INFERENCE_HEADER_CONTENT_LENGTH,
  v2EncodedResponse,
  v2InferRequest,
  v2RequestId,
  type V2EncodedResponse,
} from "../../serving/payloads/modelInput.js";
import { v2ResponseJson } from "../../serving/payloads/v2ResponseJson.js";
import type { ServedModel } from "../../serving/modelSet.js";
import { metadataInputSpecs } from "../../serving/signature.js";
import type { TensorSpec } from "../../serving/tensor.js";
import { FLOWOPS_VERSION } from "../../version.js";
import { predict } from "./prediction.js";
import { parseV2Bodies } from "./requestBodies.js";
import { setRequestIdHeader } from "./requestId.js";
import { sendKServeError } from "./servingErrors.js";
import type { ModelLabels } from "../../serving/servingMetrics.js";
import { labelsFor, type ServingContext } from "./servingContext.js";

interface ModelParams {
  name: string;
  version?: string;
}

/** Sends a V2 infer response, binary-framed with its header length when any output is binary data. */
export function sendV2Response(reply: FastifyReply, response: V2EncodedResponse): FastifyReply {
  if (response.kind === "json") {
    return reply.type("application/json; charset=utf-8").send(v2ResponseJson(response.body));
  }
  return reply
    .header(INFERENCE_HEADER_CONTENT_LENGTH, String(response.headerLength))
    .type("application/octet-stream")
    .send(response.bytes);
}

function tensorMeta(spec: TensorSpec): TensorSpec {
  return { name: spec.name, datatype: spec.datatype, shape: [...spec.shape] };
}

export async function v2Routes(scope: FastifyInstance, ctx: ServingContext): Promise<void> {
  parseV2Bodies(scope);
  scope.setErrorHandler((error, request, reply) => {
    const status = sendKServeError(request, reply, error, ctx.bodyLimit);
    if (request.method === "POST") {
      const params = request.params as Partial<ModelParams> | undefined;
      ctx.metrics.observeRequest(
        labelsFor(ctx, params?.name, params?.version),
        "v2",
        status,
        reply.elapsedTime / 1000,
      );
    }
    return reply;
  });

  scope.get("/v2", async () => ({
    name: "flowops",
    version: FLOWOPS_VERSION,
    extensions: [BINARY_TENSOR_DATA_EXTENSION],
  }));
  scope.get("/v2/health/live", async () => ({ live: true }));
  scope.get("/v2/health/ready", async (_request, reply) => {
    const ready = ctx.models.ready();
    return reply.code(ready ? 200 : 503).send({ ready });
  });

  // Not in the Open Inference Protocol: KServe's server lists its models here as V1's /v1/models does.
  scope.get("/v2/models", async () => ({ models: ctx.models.names() }));

  const find = (request: FastifyRequest): ServedModel => {
    const { name, version } = request.params as ModelParams;
    return ctx.models.find(name, version);
  };

  const metadata = async (request: FastifyRequest): Promise<unknown> => {
    const { model } = find(request);
    return {
      name: model.name,
      versions: ctx.models.versionsOf(model.name),
      platform: model.platform,
      inputs: metadataInputSpecs(model.inputs, model.signature).map(tensorMeta),
      outputs: model.outputs.map(tensorMeta),
    };
  };
  scope.get("/v2/models/:name", metadata);
  scope.get("/v2/models/:name/versions/:version", metadata);

  const modelReady = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const { model } = find(request);
    const ready = model.ready();
    return reply.code(ready ? 200 : 503).send({ name: model.name, ready });
  };
  scope.get("/v2/models/:name/ready", modelReady);
  scope.get("/v2/models/:name/versions/:version/ready", modelReady);

  const infer = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let labels: ModelLabels | undefined;
    try {
      const served = find(request);
      labels = served.labels;
      const parsed = v2InferRequest(request.body);
      const id = parsed.id ?? request.id;
      setRequestIdHeader(reply, id);
      const outputs = await predict(served, parsed);
      const model = { name: served.model.name, version: served.model.version };
      const response = v2EncodedResponse(model, id, outputs, parsed.binaryOutputs);
      ctx.metrics.observeRequest(labels, "v2", 200, reply.elapsedTime / 1000);
      return sendV2Response(reply, response);
    } catch (error) {
      // A body refused as invalid may still have said its id; the client correlates the error by it.
      const sentId = v2RequestId(request.body);
      if (sentId !== undefined) setRequestIdHeader(reply, sentId);
      const status = sendKServeError(request, reply, error, ctx.bodyLimit);
      const { name, version } = request.params as ModelParams;
      ctx.metrics.observeRequest(
        labels ?? labelsFor(ctx, name, version),
        "v2",
        status,
        reply.elapsedTime / 1000,
      );
      return reply;
    }
  };
  scope.post("/v2/models/:name/infer", infer);
  scope.post("/v2/models/:name/versions/:version/infer", infer);
}
