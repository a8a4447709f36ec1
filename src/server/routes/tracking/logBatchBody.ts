/**
 * A runs/log-batch body read as MLflow's `_log_batch` reads it: protobuf's reading first (see
 * protoJsonReader.ts), then the handler's checks on the raw body, then the partial message goes on to the
 * store. So a param or tag value that is no string is stored as "", a key that is no string becomes "" (which
 * the store refuses with its names message), a metric value of "1.5" is 1.5, and everything written after the
 * first unreadable value is dropped. Recorded from `mlflow server` 3.17.2; see
 * tests/compat/test_batch_values_and_trace_order.py.
 */
import { invalidParameter } from "../../../errors.js";
import type { LogBatchInput, MetricInput } from "../../../tracking/runLogging.js";
import { API_DOCS_HINT, missingValueMessage } from "../../../tracking/validationMessages.js";
import { pythonTypeName } from "../queryIntegers.js";
import { readProtoJson, type ProtoMessage, type ProtoMessageShape } from "./protoJsonReader.js";

const keyValueShape: ProtoMessageShape = {
  key: { field: "key", kind: "string" },
  value: { field: "value", kind: "string" },
};

const metricShape: ProtoMessageShape = {
  key: { field: "key", kind: "string" },
  value: { field: "value", kind: "double" },
  timestamp: { field: "timestamp", kind: "int64" },
  step: { field: "step", kind: "int64" },
  model_id: { field: "model_id", kind: "string" },
  modelId: { field: "model_id", kind: "string" },
  dataset_name: { field: "dataset_name", kind: "string" },
  datasetName: { field: "dataset_name", kind: "string" },
  dataset_digest: { field: "dataset_digest", kind: "string" },
  datasetDigest: { field: "dataset_digest", kind: "string" },
  run_id: { field: "run_id", kind: "string" },
  runId: { field: "run_id", kind: "string" },
};

/** LogBatch has no run_uuid field: a body naming the run only that way reaches the store with run_id "". */
const logBatchShape: ProtoMessageShape = {
  run_id: { field: "run_id", kind: "string" },
  runId: { field: "run_id", kind: "string" },
  metrics: { field: "metrics", kind: { repeated: metricShape } },
  params: { field: "params", kind: { repeated: keyValueShape } },
  tags: { field: "tags", kind: { repeated: keyValueShape } },
};

/** The fields each item of a list must have, as `_assert_*_fields_present` requires them. */
const REQUIRED_ITEM_FIELDS = {
  metrics: ["key", "value", "timestamp"],
  params: ["key"],
  tags: ["key"],
} as const;

export interface LogBatchRequest extends LogBatchInput {
  run_id: string;
  metrics: MetricInput[];
}

export function readLogBatchBody(body: unknown): LogBatchRequest {
  const raw = body !== null && typeof body === "object" && !Array.isArray(body) ? body : {};
  const { message, complete } = readProtoJson(raw, logBatchShape);
  checkRawBody(raw as Record<string, unknown>, complete);
  return {
    run_id: text(message.run_id),
    metrics: items(message.metrics).map(toMetric),
    params: items(message.params).map(toKeyValue),
    tags: items(message.tags).map(toKeyValue),
  };
}

/**
 * `_validate_request_json_with_schema` on the body as sent. Type checks run only where protobuf stopped
 * (MLflow skips them when it read everything).
 */
function checkRawBody(raw: Record<string, unknown>, complete: boolean): void {
  let runId = raw.run_id;
  if ((runId === undefined || runId === null) && Object.hasOwn(raw, "run_uuid")) runId = raw.run_uuid;
  if (!complete && typeof runId !== "string") throw typeHint("run_id", runId ?? null);
  if (runId === undefined || runId === null || runId === "") {
    throw invalidParameter(missingValueMessage("run_id"));
  }
  for (const list of ["metrics", "params", "tags"] as const) {
    if (!Object.hasOwn(raw, list)) continue;
    const value = raw[list];
    // MLflow iterates a null list (and reads fields of an item that is no object) and fails with a 500; a
    // 400 with `_assert_array`'s wording is answered here instead.
    if (!Array.isArray(value)) throw typeHint(list, value);
    value.forEach((item: unknown, at) => {
      if (item === null || typeof item !== "object" || Array.isArray(item)) {
        throw typeHint(`${list}[${at}]`, item);
      }
      for (const field of REQUIRED_ITEM_FIELDS[list]) {
        const fieldValue = (item as Record<string, unknown>)[field];
        if (fieldValue === undefined || fieldValue === null || fieldValue === "") {
          throw invalidParameter(missingValueMessage(`${list}[${at}].${field}`));
        }
      }
    });
  }
}

function typeHint(path: string, value: unknown) {
  return invalidParameter(
    `Invalid value ${pythonCompactJson(value)} for parameter '${path}' supplied:  Hint: Value was of type '${pythonTypeName(value)}'. ${API_DOCS_HINT}`,
  );
}

/** `json.dumps(value, sort_keys=True, separators=(",", ":"))`, as `invalid_value` quotes a value. */
function pythonCompactJson(value: unknown): string {
  const sorted = (item: unknown): unknown => {
    if (typeof item === "bigint") return Number(item);
    if (item === null || typeof item !== "object") return item;
    if (Array.isArray(item)) return item.map(sorted);
    const record = item as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, sorted(record[key])]),
    );
  };
  const json = JSON.stringify(sorted(value === undefined ? null : value)) ?? "null";
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function items(value: ProtoMessage[string] | undefined): ProtoMessage[] {
  return Array.isArray(value) ? value : [];
}

function text(value: ProtoMessage[string] | undefined): string {
  return typeof value === "string" ? value : "";
}

function int64(value: ProtoMessage[string] | undefined): number | bigint {
  return typeof value === "number" || typeof value === "bigint" ? value : 0;
}

function toKeyValue(item: ProtoMessage): { key: string; value: string } {
  return { key: text(item.key), value: text(item.value) };
}

function toMetric(item: ProtoMessage): MetricInput {
  return {
    key: text(item.key),
    value: typeof item.value === "number" ? item.value : 0,
    timestamp: int64(item.timestamp),
    step: int64(item.step),
    model_id: optionalText(item.model_id),
    dataset_name: optionalText(item.dataset_name),
    dataset_digest: optionalText(item.dataset_digest),
  };
}

/** An unset string field is "" in the proto; these fields were optional (absent) before, so "" is absent. */
function optionalText(value: ProtoMessage[string] | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
