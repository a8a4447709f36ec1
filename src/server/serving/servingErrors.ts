/**
 * One mapping from anything a serving route throws to a FlowOpsError with its HTTP status, and the body each
 * protocol sends for it: KServe V2 and V1 `{"error": msg}`, MLflow's scoring server
 * `{"error_code", "message", "sqlstate", "error_class"}` (and its timeout's plain sentence).
 * Unknown throws answer a generic 500 and are logged with their details; they never reach the client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { FlowOpsError, toFlowOpsError } from "../../errors.js";
import { errorBodyText } from "../wire.js";

const GENERIC_500 = "Internal server error while serving the request; see the server log.";
/** mlflow/pyfunc/scoring_server `timeout_middleware`'s whole answer. */
export const MLFLOW_TIMEOUT_BODY = "Request processing time exceeded limit";

/**
 * Fastify's own errors (body too large, media type, unreadable body) as the FlowOpsError the client sees;
 * `contentType` is the request's header, named when Fastify could not parse it.
 */
export function servingError(error: unknown, bodyLimit: number, contentType?: string): FlowOpsError {
  if (error instanceof FlowOpsError) return error;
  const fastify = error as Partial<FastifyError>;
  if (fastify.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return new FlowOpsError(
      "PAYLOAD_TOO_LARGE",
      `request body is larger than this server's limit of ${bodyLimit} bytes (flowops serve --body-limit)`,
    );
  }
  if (fastify.code === "FST_ERR_BAD_URL") {
    return new FlowOpsError(
      "BAD_REQUEST",
      `${fastify.message ?? "the path is not a valid URL"}: a percent-encoded part of it is malformed or not UTF-8`,
    );
  }
  // No model name is that long, so the path names nothing served here: the 404 of any other unknown model.
  if (fastify.code === "FST_ERR_MAX_PARAM_LENGTH") {
    return new FlowOpsError(
      "ENDPOINT_NOT_FOUND",
      "no endpoint: a model name or version in the path is longer than any model served here has",
    );
  }
  if (isInvalidMediaType(error)) {
    return new FlowOpsError(
      "UNSUPPORTED_MEDIA_TYPE",
      `Content-Type ${JSON.stringify(contentType ?? "")} is not a valid media type; send type/subtype with ` +
        "optional ;name=value parameters, e.g. application/json",
    );
  }
  if (typeof fastify.statusCode === "number" && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return new FlowOpsError("BAD_REQUEST", fastify.message ?? "bad request");
  }
  return toFlowOpsError(error);
}

/**
 * Fastify refuses a Content-Type header it cannot parse (`a/b/c`, `;;;`) before any body parser runs, for every
 * route that takes a body and for paths no route takes alike.
 */
export function isInvalidMediaType(error: unknown): boolean {
  return (error as Partial<FastifyError> | undefined)?.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE";
}

/** The message a client may see: FlowOpsErrors say what was wrong; anything else stays in the log. */
function clientMessage(known: FlowOpsError, original: unknown): string {
  return known.httpStatus >= 500 && !(original instanceof FlowOpsError) ? GENERIC_500 : known.message;
}

function logServerError(request: FastifyRequest, known: FlowOpsError, original: unknown): void {
  if (known.httpStatus >= 500)
    request.log.error({ err: original, reqId: request.id }, "inference request failed");
}

/** Sends a KServe V2/V1 error (`{"error": "..."}`) and returns the status sent. */
export function sendKServeError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  bodyLimit: number,
): number {
  const known = servingError(error, bodyLimit, request.headers["content-type"]);
  logServerError(request, known, error);
  void reply.code(known.httpStatus).send({ error: clientMessage(known, error) });
  return known.httpStatus;
}

/**
 * Sends an MLflow scoring-server error and returns the status sent: the bytes and media type of
 * mlflow/pyfunc/scoring_server `_async_catch_mlflow_exception` (`serialize_as_json()` as `application/json`),
 * so a bad payload is BAD_REQUEST with `"sqlstate": "KAM00", "error_class": "INVALID_PARAMETER_VALUE"` and a
 * schema enforcement failure carries SCHEMA_ENFORCEMENT_FAILED (KAM01) from its raise site.
 */
export function sendMlflowError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  bodyLimit: number,
): number {
  const known = servingError(error, bodyLimit, request.headers["content-type"]);
  logServerError(request, known, error);
  if (known.code === "DEADLINE_EXCEEDED") {
    // MLflow's timeout middleware answers these bytes, not JSON, under a JSON media type; clients match them.
    void reply.code(504).type("application/json").send(MLFLOW_TIMEOUT_BODY);
    return 504;
  }
  const internal = known.httpStatus >= 500 && !(error instanceof FlowOpsError);
  const shown = internal ? new FlowOpsError("INTERNAL_ERROR", clientMessage(known, error)) : known;
  void reply.code(known.httpStatus).type("application/json").send(errorBodyText(shown));
  return known.httpStatus;
}
