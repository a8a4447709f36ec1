/**
 * Safe delivery's data plane on the tracking server: inference on an endpoint, whose registry picks the model
 * version (stable, canary, A/B arm, or the blue-green preview). KServe V2 (`/v2/models/:endpoint/infer`) and
 * MLflow scoring (`/endpoints/:endpoint/invocations`) speak their own payloads and error shapes, reusing the
 * model server's parsers and formatters; every answer carries the request id in `x-request-id`, the key a
 * later `POST /api/v1/feedback` labels. Routing, telemetry and metrics are the registry's, never done here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EndpointRegistry } from "../../delivery/routing/endpointRegistry.js";
import {
  readMlflowRequest,
  mlflowResponse,
  mlflowResponseBody,
  v2EncodedResponse,
  v2InferRequest,
  v2RequestId,
} from "../../serving/payloads/modelInput.js";
import { stringifyJsonWithBigIntegers } from "../../tables/jsonBigIntegers.js";
import { keepEveryBodyRaw, parseV2Bodies } from "../serving/requestBodies.js";
import { newRequestId, REQUEST_ID_HEADER, setRequestIdHeader } from "../serving/requestId.js";
import { sendKServeError, sendMlflowError } from "../serving/servingErrors.js";
import { sendV2Response } from "../serving/v2Routes.js";

export interface EndpointRoutesOptions {
  registry: Pick<EndpointRegistry, "infer">;
  /** Largest request body, named in the 413 message. */
  bodyLimit: number;
}

interface EndpointParams {
  endpoint: string;
}

const EMPTY = Buffer.alloc(0);

/** The client's `x-request-id` when it sent one, else a fresh id. */
function headerRequestId(request: FastifyRequest): string {
  const header = request.headers[REQUEST_ID_HEADER];
  return typeof header === "string" && header !== "" ? header : newRequestId();
}

export async function endpointRoutes(app: FastifyInstance, options: EndpointRoutesOptions): Promise<void> {
  // INT64/UINT64 outputs beyond 2^53 are BigInts in the answers, written as their exact digits.
  app.setReplySerializer((payload) => stringifyJsonWithBigIntegers(payload));
  // Each protocol parses bodies its own way, so each gets a scope with its own parsers and error shape.
  await app.register(async (scope) => v2EndpointRoutes(scope, options));
  await app.register(async (scope) => mlflowEndpointRoutes(scope, options));
}

async function v2EndpointRoutes(scope: FastifyInstance, options: EndpointRoutesOptions): Promise<void> {
  const { registry, bodyLimit } = options;
  parseV2Bodies(scope);
  // Errors raised before the handler runs (body too large, malformed JSON).
  scope.setErrorHandler((error, request, reply) => {
    if (!reply.hasHeader(REQUEST_ID_HEADER)) setRequestIdHeader(reply, headerRequestId(request));
    sendKServeError(request, reply, error, bodyLimit);
    return reply;
  });

  const infer =
    (preview: boolean) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const { endpoint } = request.params as EndpointParams;
      let requestId = headerRequestId(request);
      setRequestIdHeader(reply, requestId);
      try {
        const parsed = v2InferRequest(request.body);
        if (parsed.id !== undefined) {
          requestId = parsed.id;
          setRequestIdHeader(reply, requestId);
        }
        const result = await registry.infer(endpoint, parsed, {
          requestId,
          headers: request.headers,
          protocol: "v2",
          ...(preview ? { preview: true } : {}),
        });
        const model = { name: endpoint, version: result.model.version };
        return sendV2Response(
          reply,
          v2EncodedResponse(model, requestId, result.outputs, parsed.binaryOutputs),
        );
      } catch (error) {
        // A body refused as invalid may still have said its id; the client correlates the error by it.
        const sentId = v2RequestId(request.body);
        if (sentId !== undefined) setRequestIdHeader(reply, sentId);
        sendKServeError(request, reply, error, bodyLimit);
        return reply;
      }
    };
  scope.post("/v2/models/:endpoint/infer", infer(false));
  scope.post("/endpoints/:endpoint/preview/v2/infer", infer(true));
}

async function mlflowEndpointRoutes(scope: FastifyInstance, options: EndpointRoutesOptions): Promise<void> {
  const { registry, bodyLimit } = options;
  // MLflow's payload parser reads the raw bytes to apply its media-type rules (JSON or CSV).
  keepEveryBodyRaw(scope);
  scope.setErrorHandler((error, request, reply) => {
    if (!reply.hasHeader(REQUEST_ID_HEADER)) setRequestIdHeader(reply, headerRequestId(request));
    sendMlflowError(request, reply, error, bodyLimit);
    return reply;
  });

  const invocations =
    (preview: boolean) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const { endpoint } = request.params as EndpointParams;
      const requestId = headerRequestId(request);
      setRequestIdHeader(reply, requestId);
      try {
        const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
        const parsed = await readMlflowRequest(body, request.headers["content-type"]);
        const result = await registry.infer(endpoint, parsed, {
          requestId,
          headers: request.headers,
          protocol: "mlflow",
          ...(preview ? { preview: true } : {}),
        });
        const written = mlflowResponseBody(
          mlflowResponse(result.outputs, result.model.signature, {
            platform: result.model.platform,
            request: parsed,
            floats: "marked",
          }),
        );
        return reply.type("application/json; charset=utf-8").send(written);
      } catch (error) {
        sendMlflowError(request, reply, error, bodyLimit);
        return reply;
      }
    };
  scope.post("/endpoints/:endpoint/invocations", invocations(false));
  scope.post("/endpoints/:endpoint/preview/invocations", invocations(true));
}
