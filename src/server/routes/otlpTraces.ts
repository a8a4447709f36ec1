/**
 * `POST /v1/traces`, the OTLP/HTTP trace receiver of mlflow's server (mlflow/server/otel_api.py), which the
 * 3.x client posts a trace's spans to once `/version` says 3.4 or later: an `ExportTraceServiceRequest` in
 * protobuf (or OTLP JSON), optionally gzip- or deflate-compressed, into the experiment named by the
 * `x-mlflow-experiment-id` header. It is a FastAPI route in mlflow, so its own refusals are FastAPI's
 * `{"detail": ...}` bodies, while the store's errors keep mlflow's `{"error_code", "message"}` shape; each
 * status and wording here is mlflow 3.17's. The answer is an empty `ExportTraceServiceResponse`.
 */
import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { FlowOpsError } from "../../errors.js";
import {
  decodeExportTraceRequest,
  encodeExportTraceResponse,
  parseExportTraceRequestJson,
  type OtlpExportRequest,
} from "../../tracking/traces/otlpProto.js";
import { spansFromExportRequest, type IngestedSpan } from "../../tracking/traces/otlpSpans.js";
import { SpanStore } from "../../tracking/traces/spanStore.js";
import { TraceStore } from "../../tracking/traces/store.js";
import type { ServerContext } from "../context.js";
import { sendWire } from "../rpc.js";

export const OTLP_TRACES_PATH = "/v1/traces";
const EXPERIMENT_HEADER = "x-mlflow-experiment-id";
const RUN_HEADER = "x-mlflow-run-id";

/**
 * A refusal mlflow's FastAPI route raises as HTTPException, answered `{"detail": ...}` with FastAPI's status
 * (400, or 422 where FastAPI or mlflow say so) rather than in the error shape of the RPCs.
 */
class OtlpRefusal extends FlowOpsError {
  constructor(
    private readonly status: 400 | 422,
    readonly detail: unknown,
  ) {
    super("BAD_REQUEST", typeof detail === "string" ? detail : "Invalid OTLP request");
  }

  override get httpStatus(): number {
    return this.status;
  }
}

export async function otlpTraceRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const spanStore = new SpanStore(ctx.meta);
  const traceStore = new TraceStore(ctx.meta, () => ctx.now());
  const bodyLimit = ctx.config.bodyLimit;

  // The body is bytes of whatever type was declared; the handler checks the type as mlflow does.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.post(OTLP_TRACES_PATH, async (request, reply) => {
    try {
      const experimentId = header(request, EXPERIMENT_HEADER);
      if (experimentId === undefined) throw missingHeader(EXPERIMENT_HEADER);
      const spans = readSpans(request, bodyLimit);
      await spanStore.logSpans(experimentId, spans);
      await linkToRun(request, traceStore, spans);
      return reply.code(200).type("application/x-protobuf").send(Buffer.from(encodeExportTraceResponse()));
    } catch (error) {
      if (error instanceof OtlpRefusal) return sendWire(reply, { detail: error.detail }, error.httpStatus);
      if (error instanceof FlowOpsError) return sendWire(reply, error.toJSON(), error.httpStatus);
      request.log.error({ err: error }, "OTLP span logging failed");
      return sendWire(reply, { detail: "Failed to log OpenTelemetry spans" }, 422);
    }
  });
}

function readSpans(request: FastifyRequest, bodyLimit: number): IngestedSpan[] {
  const contentType = header(request, "content-type");
  const mediaType = contentType?.split(";")[0]?.trim();
  if (mediaType !== "application/x-protobuf" && mediaType !== "application/json") {
    throw new OtlpRefusal(
      400,
      `Invalid Content-Type: ${contentType ?? "None"}. Expected: application/x-protobuf or application/json`,
    );
  }
  let body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const encoding = header(request, "content-encoding")?.toLowerCase();
  if (encoding !== undefined && encoding !== "") body = decompress(body, encoding, bodyLimit);
  let parsed: OtlpExportRequest;
  try {
    parsed =
      mediaType === "application/json"
        ? parseExportTraceRequestJson(JSON.parse(body.toString("utf8")))
        : decodeExportTraceRequest(body);
  } catch {
    throw new OtlpRefusal(400, "Invalid OpenTelemetry format");
  }
  if ((parsed.resourceSpans ?? []).length === 0) {
    throw new OtlpRefusal(400, "Invalid OpenTelemetry format - no spans found");
  }
  try {
    return spansFromExportRequest(parsed);
  } catch {
    throw new OtlpRefusal(422, "Cannot convert OpenTelemetry span to MLflow span");
  }
}

/** gzip, or deflate with or without its zlib header; the output is held to the body limit. */
function decompress(body: Buffer, encoding: string, bodyLimit: number): Buffer {
  const options = { maxOutputLength: bodyLimit };
  if (encoding === "gzip") {
    try {
      return gunzipSync(body, options);
    } catch {
      throw new OtlpRefusal(400, "Failed to decompress gzip payload");
    }
  }
  if (encoding === "deflate") {
    try {
      return inflateSync(body, options);
    } catch {
      try {
        return inflateRawSync(body, options);
      } catch {
        throw new OtlpRefusal(400, "Failed to decompress deflate payload");
      }
    }
  }
  throw new OtlpRefusal(400, `Unsupported Content-Encoding: ${encoding}`);
}

/**
 * With `x-mlflow-run-id`, the traces whose root span arrived are linked to the run; as in mlflow a failed link
 * is logged and the spans stay logged.
 */
async function linkToRun(request: FastifyRequest, store: TraceStore, spans: readonly IngestedSpan[]) {
  const runId = header(request, RUN_HEADER);
  if (runId === undefined || runId === "") return;
  const completed = [
    ...new Set(spans.filter((s) => s.row.parent_span_id === null).map((s) => s.row.trace_id)),
  ];
  if (completed.length === 0) return;
  try {
    await store.linkToRun(completed, runId);
  } catch (error) {
    request.log.error({ err: error }, "Failed to link OpenTelemetry traces to MLflow run");
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** FastAPI's validation error for a required header that is absent. */
function missingHeader(name: string): OtlpRefusal {
  return new OtlpRefusal(422, [
    { type: "missing", loc: ["header", name], msg: "Field required", input: null },
  ]);
}
