/**
 * OTLP spans to the rows of the `spans` table and back, as mlflow's server does: a received span becomes
 * mlflow's span dict (`Span.from_otel_proto(...).to_dict()`), stored as JSON in `content` beside the columns
 * that filters and ordering read; an answer turns that JSON back into the OTLP `Span` message in protobuf JSON
 * (`Span.to_otel_proto()`), which is what the client parses. Attribute values are stored JSON-encoded, each
 * as `json.dumps` wrote it, and answered decoded into typed AnyValues, so an attribute keeps its type both ways.
 */
import { FlowOpsError } from "../../errors.js";
import type { OtlpExportRequest, OtlpKeyValue, OtlpSpan } from "./otlpProto.js";
import type { PythonJsonValue } from "../../pythonJson.js";
import {
  dumpSpanJson,
  fromOtlpAnyValue,
  keyValueWire,
  parseSpanJson,
  spanDictEntries,
  spanInt,
} from "./spanJson.js";

/** mlflow's SpanAttributeKey names that the server reads. */
export const SPAN_ATTRIBUTE = {
  requestId: "mlflow.traceRequestId",
  spanType: "mlflow.spanType",
  inputs: "mlflow.spanInputs",
  outputs: "mlflow.spanOutputs",
  traceTagPrefix: "mlflow.traceTag.",
  userId: "user.id",
} as const;

const STATUS_CODE_NAMES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"] as const;
const SPAN_STATUS = ["UNSET", "OK", "ERROR"] as const;

/** One span as stored; times are nanoseconds as decimal text (they pass 2^53). */
export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string | null;
  type: string | null;
  status: (typeof SPAN_STATUS)[number];
  start_time_unix_nano: string;
  end_time_unix_nano: string | null;
  content: string;
}

export interface IngestedSpan {
  row: SpanRow;
  /** Serialized attribute values by key, in the order received. */
  attributes: Map<string, string>;
  /** The resource attributes of the span's ResourceSpans block, decoded. */
  resource: [string, PythonJsonValue][];
}

/** The 422 mlflow answers when a span lacks its ids. */
export const SPAN_CONVERSION_FAILED = "Cannot convert OpenTelemetry span to MLflow span";

export function spansFromExportRequest(request: OtlpExportRequest): IngestedSpan[] {
  const spans: IngestedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = decodeAttributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) spans.push(toIngestedSpan(span, resource));
    }
  }
  return spans;
}

function toIngestedSpan(span: OtlpSpan, resource: [string, PythonJsonValue][]): IngestedSpan {
  if (span.traceId === undefined || span.traceId.length === 0) throw conversionFailed();
  if (span.spanId === undefined || span.spanId.length === 0) throw conversionFailed();
  const traceHex = idHex(span.traceId, 32);
  const mlflowTraceId = `tr-${traceHex}`;
  const spanHex = idHex(span.spanId, 16);
  const parentHex =
    span.parentSpanId === undefined || span.parentSpanId.length === 0 ? null : idHex(span.parentSpanId, 16);
  const attributes = new Map<string, string>();
  for (const [key, value] of decodeAttributes(span.attributes)) attributes.set(key, dumpSpanJson(value));
  // mlflow derives the request id from the OTLP trace id rather than trusting the one the client sent.
  attributes.set(SPAN_ATTRIBUTE.requestId, dumpSpanJson(mlflowTraceId));
  const code = span.status?.code === 1 || span.status?.code === 2 ? span.status.code : 0;
  const start = span.startTimeUnixNano ?? "0";
  const end = span.endTimeUnixNano ?? "0";
  const content = new Map<string, PythonJsonValue>([
    ["trace_id", base64Id(traceHex, 16)],
    ["span_id", base64Id(spanHex, 8)],
    ["parent_span_id", parentHex === null ? null : base64Id(parentHex, 8)],
    ["name", span.name ?? ""],
    ["start_time_unix_nano", spanInt(start)],
    ["end_time_unix_nano", spanInt(end)],
    ["events", (span.events ?? []).map(eventDict)],
    [
      "status",
      new Map([
        ["code", STATUS_CODE_NAMES[code]],
        // OpenTelemetry keeps a status description only on errors.
        ["message", code === 2 ? (span.status?.message ?? "") : ""],
      ]),
    ],
    ["attributes", new Map(attributes)],
    ["links", (span.links ?? []).map(linkDict)],
  ]);
  const spanType = attributes.get(SPAN_ATTRIBUTE.spanType);
  return {
    row: {
      trace_id: mlflowTraceId,
      span_id: spanHex,
      parent_span_id: parentHex,
      name: span.name ?? "",
      type: spanType === undefined ? null : stringOrNull(spanType),
      status: SPAN_STATUS[code],
      start_time_unix_nano: start,
      end_time_unix_nano: end,
      content: dumpSpanJson(content),
    },
    attributes,
    resource,
  };
}

function eventDict(event: NonNullable<OtlpSpan["events"]>[number]): PythonJsonValue {
  return new Map<string, PythonJsonValue>([
    ["name", event.name ?? ""],
    ["time_unix_nano", spanInt(event.timeUnixNano ?? "0")],
    ["attributes", new Map(decodeAttributes(event.attributes))],
  ]);
}

function linkDict(link: NonNullable<OtlpSpan["links"]>[number]): PythonJsonValue {
  const attributes = decodeAttributes(link.attributes).map(([key, value]): [string, PythonJsonValue] => {
    const bytes = link.attributes?.find((kv) => kv.key === key)?.value?.bytesValue;
    // Link attributes keep bytes as base64 text (mlflow's Link.from_otel_proto).
    return [key, bytes === undefined ? value : Buffer.from(bytes).toString("base64")];
  });
  return new Map<string, PythonJsonValue>([
    ["trace_id", `tr-${idHex(link.traceId ?? new Uint8Array(), 32)}`],
    ["span_id", idHex(link.spanId ?? new Uint8Array(), 16)],
    ["attributes", attributes.length === 0 ? null : new Map(attributes)],
  ]);
}

function decodeAttributes(attributes: OtlpKeyValue[] | undefined): [string, PythonJsonValue][] {
  return (attributes ?? []).map((kv) => [kv.key ?? "", fromOtlpAnyValue(kv.value)]);
}

/** The value of a JSON-encoded attribute when it is a string, as `json.loads` would give it. */
export function stringOrNull(serialized: string): string | null {
  const value = tryParse(serialized);
  return typeof value === "string" ? value : null;
}

/**
 * A stored span as the OTLP `Span` message in protobuf JSON, field for field as mlflow answers it: unset and
 * empty fields left out, times as integers, ids in base64, attribute values typed.
 */
export function spanContentToWire(content: string): Record<string, unknown> {
  const fields = new Map(spanDictEntries(parseSpanJson(content)));
  const text = (key: string) => {
    const value = fields.get(key);
    return typeof value === "string" ? value : undefined;
  };
  const wire: Record<string, unknown> = { trace_id: text("trace_id"), span_id: text("span_id") };
  const parent = text("parent_span_id");
  if (parent !== undefined) wire.parent_span_id = parent;
  const name = text("name");
  if (name !== undefined && name !== "") wire.name = name;
  setTime(wire, "start_time_unix_nano", fields.get("start_time_unix_nano"));
  setTime(wire, "end_time_unix_nano", fields.get("end_time_unix_nano"));
  const attributes = spanDictEntries(fields.get("attributes")).map(([key, value]) =>
    keyValueWire(key, typeof value === "string" ? (tryParse(value) ?? value) : value),
  );
  if (attributes.length > 0) wire.attributes = attributes;
  const events = arrayItems(fields.get("events")).map(eventWire);
  if (events.length > 0) wire.events = events;
  const links = arrayItems(fields.get("links")).map(linkWire);
  if (links.length > 0) wire.links = links;
  wire.status = statusWire(fields.get("status"));
  return wire;
}

function eventWire(event: PythonJsonValue): Record<string, unknown> {
  const fields = new Map(spanDictEntries(event));
  const wire: Record<string, unknown> = {};
  setTime(wire, "time_unix_nano", fields.get("time_unix_nano"));
  const name = fields.get("name");
  if (typeof name === "string" && name !== "") wire.name = name;
  const attributes = spanDictEntries(fields.get("attributes")).map(([k, v]) => keyValueWire(k, v));
  if (attributes.length > 0) wire.attributes = attributes;
  return wire;
}

function linkWire(link: PythonJsonValue): Record<string, unknown> {
  const fields = new Map(spanDictEntries(link));
  const hexOf = (key: string) => {
    const value = fields.get(key);
    return typeof value === "string" ? value.replace(/^.*tr-/, "") : "";
  };
  const wire: Record<string, unknown> = {
    trace_id: base64Id(hexOf("trace_id"), 16),
    span_id: base64Id(hexOf("span_id"), 8),
  };
  const attributes = spanDictEntries(fields.get("attributes")).map(([k, v]) => keyValueWire(k, v));
  if (attributes.length > 0) wire.attributes = attributes;
  return wire;
}

function statusWire(status: PythonJsonValue | undefined): Record<string, unknown> {
  const fields = new Map(spanDictEntries(status));
  const code = fields.get("code");
  const message = fields.get("message");
  const wire: Record<string, unknown> = {};
  if (typeof code === "string" && code !== "STATUS_CODE_UNSET") wire.code = code;
  if (typeof message === "string" && message !== "") wire.message = message;
  return wire;
}

/** A time is an int (a float is not read as one); 0 is unset. */
function setTime(wire: Record<string, unknown>, key: string, value: PythonJsonValue | undefined): void {
  const isInt = typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value));
  if (!isInt || Number(value) === 0) return;
  wire[key] = value;
}

function arrayItems(value: PythonJsonValue | undefined): readonly PythonJsonValue[] {
  return Array.isArray(value) ? (value as readonly PythonJsonValue[]) : [];
}

function tryParse(text: string): PythonJsonValue | undefined {
  try {
    return parseSpanJson(text);
  } catch {
    return undefined;
  }
}

/** An id as mlflow formats it: the bytes read as one big-endian integer, in hex of at least `width` digits. */
function idHex(bytes: Uint8Array, width: number): string {
  const hex = Buffer.from(bytes).toString("hex").replace(/^0+/, "");
  return hex.padStart(width, "0");
}

function base64Id(hex: string, byteLength: number): string {
  const padded = hex.padStart(byteLength * 2, "0");
  return Buffer.from(padded.length % 2 === 0 ? padded : `0${padded}`, "hex").toString("base64");
}

function conversionFailed(): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", SPAN_CONVERSION_FAILED);
}
