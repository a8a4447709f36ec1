/**
 * A trace's metadata as MLflow 3's `TraceInfo` holds it, and the two wire shapes the client reads: the v3
 * `TraceInfo` message (timestamps and durations as protobuf JSON strings, maps as objects) and the v2
 * `TraceInfo` the 2.x endpoints answer (epoch milliseconds, key/value lists, `status` for `state`).
 */
import { toAssessmentWire, type Assessment } from "./assessmentEntities.js";
import { formatProtoDuration, formatProtoTimestamp } from "./protoTime.js";

export const TRACE_STATES = ["STATE_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"] as const;
export type TraceState = (typeof TRACE_STATES)[number];

export const TRACE_V2_STATUSES = ["TRACE_STATUS_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"] as const;
export type TraceV2Status = (typeof TRACE_V2_STATUSES)[number];

/** Tag keys the server owns or reads; mlflow's TraceTagKey and TraceMetadataKey. */
export const TRACE_ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation";
export const TRACE_NAME_TAG = "mlflow.traceName";
export const SOURCE_RUN_METADATA = "mlflow.sourceRun";
export const INFO_FINALIZED_METADATA = "mlflow.trace.infoFinalized";
/** Set by the client; a filter on it (or on `prompt`) reads the server's prompt links instead. */
export const LINKED_PROMPTS_TAG = "mlflow.linkedPrompts";

export interface TraceInfo {
  traceId: string;
  experimentId: string;
  /** Start of the trace, epoch milliseconds. */
  requestTime: number;
  /** Milliseconds; absent while a v2 trace is still in progress. */
  executionDuration: number | undefined;
  state: TraceState;
  clientRequestId: string | undefined;
  requestPreview: string | undefined;
  responsePreview: string | undefined;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  /** In creation order; the v2 message has no field for them. */
  assessments: Assessment[];
}

/** The v3 `TraceInfo` message in protobuf JSON. */
export function toTraceInfoV3Wire(info: TraceInfo): Record<string, unknown> {
  return {
    trace_id: info.traceId,
    trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: info.experimentId } },
    request_time: formatProtoTimestamp(info.requestTime),
    ...(info.executionDuration === undefined
      ? {}
      : { execution_duration: formatProtoDuration(info.executionDuration) }),
    state: info.state,
    // A map is a repeated field to protobuf's JSON: mlflow leaves an empty one out (an OTLP trace's metadata).
    ...(Object.keys(info.metadata).length === 0 ? {} : { trace_metadata: info.metadata }),
    ...(info.assessments.length === 0 ? {} : { assessments: info.assessments.map(toAssessmentWire) }),
    ...(Object.keys(info.tags).length === 0 ? {} : { tags: info.tags }),
    ...(info.clientRequestId === undefined ? {} : { client_request_id: info.clientRequestId }),
    ...(info.requestPreview === undefined ? {} : { request_preview: info.requestPreview }),
    ...(info.responsePreview === undefined ? {} : { response_preview: info.responsePreview }),
  };
}

/** The v2 `TraceInfo` message (2.x endpoints and 2.x clients). */
export function toTraceInfoV2Wire(info: TraceInfo): Record<string, unknown> {
  return {
    request_id: info.traceId,
    experiment_id: info.experimentId,
    timestamp_ms: info.requestTime,
    // A trace still in progress reads as 0 ms, as mlflow writes its unset int64.
    execution_time_ms: info.executionDuration ?? 0,
    status: info.state === "STATE_UNSPECIFIED" ? "TRACE_STATUS_UNSPECIFIED" : info.state,
    request_metadata: keyValues(info.metadata),
    tags: keyValues(info.tags),
  };
}

export function stateFromV2Status(status: TraceV2Status): TraceState {
  return status === "TRACE_STATUS_UNSPECIFIED" ? "STATE_UNSPECIFIED" : status;
}

function keyValues(map: Record<string, string>): { key: string; value: string }[] {
  return Object.keys(map)
    .sort()
    .map((key) => ({ key, value: map[key] ?? "" }));
}
