/**
 * The OTLP trace messages that `POST /v1/traces` receives (`ExportTraceServiceRequest`), decoded by protobufjs
 * from the definitions below. They are opentelemetry-proto v1's collector/trace/v1/trace_service.proto,
 * trace/v1/trace.proto, resource/v1/resource.proto and common/v1/common.proto (Apache-2.0), cut to the
 * messages a trace export uses; field numbers and types are the upstream ones, so a field added upstream
 * later is skipped as unknown, as any protobuf reader does. They live in a module rather than .proto files
 * so that the compiled server and the esbuild bundle carry them without a file lookup at run time.
 */
import protobuf from "protobufjs";
import { FlowOpsError } from "../../errors.js";

/** mlflow's words for a body that is not an export request. */
export const INVALID_OTLP = "Invalid OpenTelemetry format";

const invalidOtlp = (cause?: unknown) => new FlowOpsError("INVALID_PARAMETER_VALUE", INVALID_OTLP, { cause });

const OTLP_TRACE_PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}

message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }

message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  enum SpanKind {
    SPAN_KIND_UNSPECIFIED = 0;
    SPAN_KIND_INTERNAL = 1;
    SPAN_KIND_SERVER = 2;
    SPAN_KIND_CLIENT = 3;
    SPAN_KIND_PRODUCER = 4;
    SPAN_KIND_CONSUMER = 5;
  }
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  reserved 1;
  string message = 2;
  enum StatusCode {
    STATUS_CODE_UNSET = 0;
    STATUS_CODE_OK = 1;
    STATUS_CODE_ERROR = 2;
  }
  StatusCode code = 3;
}
`;

/** An AnyValue as decoded: at most one of the oneof's members is set. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** Decimal text, so int64 values beyond 2^53 stay exact. */
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: Uint8Array;
}

export interface OtlpKeyValue {
  key?: string;
  value?: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  /** Decimal text of the fixed64 nanoseconds. */
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: OtlpKeyValue[];
  events?: { timeUnixNano?: string; name?: string; attributes?: OtlpKeyValue[] }[];
  links?: { traceId?: Uint8Array; spanId?: Uint8Array; attributes?: OtlpKeyValue[] }[];
  status?: { message?: string; code?: number };
}

export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: { spans?: OtlpSpan[] }[];
}

export interface OtlpExportRequest {
  resourceSpans?: OtlpResourceSpans[];
}

let root: protobuf.Root | undefined;

function messageType(name: string): protobuf.Type {
  root ??= protobuf.parse(OTLP_TRACE_PROTO, { keepCase: false }).root;
  return root.lookupType(`opentelemetry.proto.${name}`);
}

/** protobufjs' plain-object form: int64s as decimal strings, bytes as Uint8Array, enums as numbers. */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: Uint8Array as never };

export function decodeExportTraceRequest(body: Uint8Array): OtlpExportRequest {
  const type = messageType("ExportTraceServiceRequest");
  let message: protobuf.Message;
  try {
    message = type.decode(body);
  } catch (error) {
    throw invalidOtlp(error);
  }
  return type.toObject(message, TO_OBJECT) as OtlpExportRequest;
}

/**
 * The JSON encoding of the same request (OTLP/HTTP JSON): camelCase keys, ids as hex, which protobuf's own
 * JSON form spells as base64; mlflow converts them the same way before parsing.
 */
export function parseExportTraceRequestJson(json: unknown): OtlpExportRequest {
  const type = messageType("ExportTraceServiceRequest");
  const withBase64Ids = int64TextToLongs(hexIdsToBase64(json));
  let message: protobuf.Message;
  try {
    const problem = type.verify(withBase64Ids as Record<string, unknown>);
    if (problem !== null) throw new Error(problem);
    message = type.fromObject(withBase64Ids as Record<string, unknown>);
  } catch (error) {
    throw invalidOtlp(error);
  }
  return type.toObject(message, TO_OBJECT) as OtlpExportRequest;
}

/** The empty `ExportTraceServiceResponse` (no partial success), encoded. */
export function encodeExportTraceResponse(): Uint8Array {
  const type = messageType("ExportTraceServiceResponse");
  return type.encode(type.create({})).finish();
}

/** The request's 64-bit fields: the span, event and link times (fixed64) and AnyValue's intValue (int64). */
const INT64_KEYS: Readonly<Record<string, boolean>> = {
  startTimeUnixNano: true,
  endTimeUnixNano: true,
  timeUnixNano: true,
  intValue: false,
};

/**
 * OTLP/JSON writes 64-bit integers as decimal strings, as protobuf's JSON does and as Python's json_format
 * reads them; protobufjs' verify takes only numbers and Longs, so each such string becomes the exact Long
 * (a number would round past 2^53). Text that is no integer, or out of the field's range, is left for verify
 * to refuse (Long.fromString would wrap it).
 */
function int64TextToLongs(json: unknown): unknown {
  const pending: unknown[] = [json];
  while (pending.length > 0) {
    const item = pending.pop();
    if (Array.isArray(item)) {
      pending.push(...(item as unknown[]));
    } else if (typeof item === "object" && item !== null) {
      const fields = item as Record<string, unknown>;
      for (const [key, value] of Object.entries(fields)) {
        const unsigned = INT64_KEYS[key];
        if (unsigned !== undefined && typeof value === "string" && fitsInt64(value, unsigned)) {
          fields[key] = longBits(BigInt(value), unsigned);
        } else {
          pending.push(value);
        }
      }
    }
  }
  return json;
}

/** A Long's plain form (two's-complement 32-bit halves), which verify and fromObject both take. */
function longBits(value: bigint, unsigned: boolean): { low: number; high: number; unsigned: boolean } {
  const bits = BigInt.asUintN(64, value);
  return { low: Number(BigInt.asIntN(32, bits)), high: Number(BigInt.asIntN(32, bits >> 32n)), unsigned };
}

function fitsInt64(text: string, unsigned: boolean): boolean {
  if (!/^-?\d+$/.test(text)) return false;
  const value = BigInt(text);
  return unsigned ? value >= 0n && value < 2n ** 64n : value >= -(2n ** 63n) && value < 2n ** 63n;
}

function hexIdsToBase64(json: unknown): unknown {
  if (typeof json !== "object" || json === null) return json;
  const request = structuredClone(json) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
  for (const resourceSpans of request.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        if (typeof span !== "object" || span === null) continue;
        const fields = span as Record<string, unknown>;
        for (const key of ["traceId", "spanId", "parentSpanId"]) {
          const hex = fields[key];
          if (typeof hex === "string" && hex !== "") {
            if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw invalidOtlp();
            fields[key] = Buffer.from(hex, "hex").toString("base64");
          }
        }
      }
    }
  }
  return request;
}
