/**
 * A trace assessment as MLflow 3 holds it (mlflow/entities/assessment.py): feedback (a judgement, or the
 * error that kept a judge from giving one), an expectation (the expected answer) or an issue reference,
 * with its source, rationale and metadata. An override is a new assessment naming the one it replaces,
 * which then reads `valid: false`. Values are kept as the JSON text mlflow's SQL store writes, and this
 * file writes the `Assessment` message in protobuf JSON as mlflow's server answers it.
 */
import { formatProtoTimestamp } from "./protoTime.js";

export const ASSESSMENT_SOURCE_TYPES = ["SOURCE_TYPE_UNSPECIFIED", "HUMAN", "LLM_JUDGE", "CODE"] as const;
export type AssessmentSourceType = (typeof ASSESSMENT_SOURCE_TYPES)[number];

export const ASSESSMENT_KINDS = ["feedback", "expectation", "issue"] as const;
export type AssessmentKind = (typeof ASSESSMENT_KINDS)[number];

export interface AssessmentError {
  errorCode: string;
  errorMessage: string | undefined;
  stackTrace: string | undefined;
}

export interface Assessment {
  assessmentId: string;
  traceId: string;
  name: string;
  kind: AssessmentKind;
  /** The value as JSON text: feedback's value, the expected value, or the issue reference object. */
  valueJson: string;
  /** Feedback only. */
  error: AssessmentError | undefined;
  sourceType: AssessmentSourceType;
  sourceId: string | undefined;
  /** Epoch milliseconds. */
  createTime: number;
  lastUpdateTime: number;
  spanId: string | undefined;
  rationale: string | undefined;
  metadata: Record<string, string>;
  overrides: string | undefined;
  valid: boolean;
}

/** The `Assessment` message in protobuf JSON, fields in proto order as mlflow writes them. */
export function toAssessmentWire(a: Assessment): Record<string, unknown> {
  return {
    assessment_id: a.assessmentId,
    assessment_name: a.name,
    trace_id: a.traceId,
    ...(a.spanId === undefined ? {} : { span_id: a.spanId }),
    source: { source_type: a.sourceType, ...(a.sourceId === undefined ? {} : { source_id: a.sourceId }) },
    create_time: formatProtoTimestamp(a.createTime),
    last_update_time: formatProtoTimestamp(a.lastUpdateTime),
    [a.kind]: valueWire(a),
    ...(a.rationale === undefined ? {} : { rationale: a.rationale }),
    ...(Object.keys(a.metadata).length === 0 ? {} : { metadata: a.metadata }),
    ...(a.overrides === undefined ? {} : { overrides: a.overrides }),
    valid: a.valid,
  };
}

function valueWire(a: Assessment): Record<string, unknown> {
  const value: unknown = JSON.parse(a.valueJson);
  if (a.kind === "issue") return value as Record<string, unknown>;
  if (a.kind === "expectation") {
    // mlflow's ExpectationValue sends lists and objects as JSON text, scalars (and null) as a Value.
    return value !== null && typeof value === "object"
      ? { serialized_value: { serialization_format: "JSON_FORMAT", value: a.valueJson } }
      : { value };
  }
  return a.error === undefined ? { value } : { value, error: errorWire(a.error) };
}

/** A feedback error as MLflow writes it (on the wire and in its stored JSON): snake_case, empty texts absent. */
export function assessmentErrorFromWire(
  error:
    Partial<Record<"error_code" | "error_message" | "stack_trace", string | null | undefined>> | undefined,
): AssessmentError | undefined {
  if (error === undefined) return undefined;
  return {
    errorCode: error.error_code ?? "",
    errorMessage: error.error_message || undefined,
    stackTrace: error.stack_trace || undefined,
  };
}

function errorWire(error: AssessmentError): Record<string, unknown> {
  return {
    error_code: error.errorCode,
    ...(error.errorMessage === undefined ? {} : { error_message: error.errorMessage }),
    ...(error.stackTrace === undefined ? {} : { stack_trace: error.stackTrace }),
  };
}
