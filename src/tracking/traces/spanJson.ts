/**
 * Span attribute values as mlflow keeps them: each is Python's `json.dumps` of the decoded OTLP value, and
 * the stored span is `json.dumps` of the span's dict. Reading them back must tell `3` from `3.0` (an
 * `int_value` from a `double_value`), keep integers beyond 2^53 exact and keep the keys of an object in their
 * order (a `kvlist_value` is a list), none of which `JSON.parse` does; hence Python's JSON values
 * (pythonJson.ts), with dicts as Maps.
 */
import { FlowOpsError } from "../../errors.js";
import {
  parsePythonJson,
  pythonDictEntries,
  PythonFloat,
  pythonJsonDumps,
  PythonJsonSyntaxError,
  type PythonJsonValue,
} from "../../pythonJson.js";
import { pythonBytesRepr } from "../../pythonRepr.js";
import type { OtlpAnyValue } from "./otlpProto.js";

/** An integer from its decimal text: a number while exact, a BigInt beyond. */
export function spanInt(text: string): number | bigint {
  const big = BigInt(text);
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}

export function fromOtlpAnyValue(value: OtlpAnyValue | undefined): PythonJsonValue {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return spanInt(String(value.intValue));
  if (value.doubleValue !== undefined) return new PythonFloat(value.doubleValue);
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(fromOtlpAnyValue);
  if (value.kvlistValue !== undefined) {
    // mlflow decodes a kvlist into a dict: a repeated key keeps its first place and its last value.
    return new Map((value.kvlistValue.values ?? []).map((kv) => [kv.key ?? "", fromOtlpAnyValue(kv.value)]));
  }
  // mlflow's TraceJSONEncoder writes bytes as str(bytes), Python's repr.
  if (value.bytesValue !== undefined) return pythonBytesRepr(value.bytesValue);
  return null;
}

/**
 * The AnyValue message in protobuf JSON, as mlflow answers it (`_set_otel_proto_anyvalue`): null leaves the
 * value unset, integers are JSON numbers (BigInt past 2^53, which the wire writer prints digit for digit).
 */
export function toAnyValueWire(value: PythonJsonValue): Record<string, unknown> | undefined {
  if (value === null) return undefined;
  if (typeof value === "boolean") return { bool_value: value };
  if (typeof value === "bigint") return { int_value: value };
  if (typeof value === "number")
    return Number.isInteger(value) ? { int_value: value } : { double_value: value };
  if (value instanceof PythonFloat) return { double_value: value.value };
  if (typeof value === "string") return { string_value: value };
  if (Array.isArray(value)) {
    return { array_value: value.length === 0 ? {} : { values: value.map(anyValueOrEmpty) } };
  }
  const entries = pythonDictEntries(value);
  return {
    kvlist_value:
      entries.length === 0 ? {} : { values: entries.map(([key, item]) => keyValueWire(key, item)) },
  };
}

export function keyValueWire(key: string, value: PythonJsonValue): Record<string, unknown> {
  const wire = toAnyValueWire(value);
  return wire === undefined ? { key } : { key, value: wire };
}

const anyValueOrEmpty = (value: PythonJsonValue) => toAnyValueWire(value) ?? {};

/** The entries of a dict; none for any other value (or none at all). */
export function spanDictEntries(value: PythonJsonValue | undefined): [string, PythonJsonValue][] {
  const isDict =
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PythonFloat);
  return isDict ? pythonDictEntries(value) : [];
}

/** Python's `json.dumps(value, ensure_ascii=False)`, as mlflow writes span attributes and span dicts. */
export function dumpSpanJson(value: PythonJsonValue): string {
  return pythonJsonDumps(value, { ensureAscii: false });
}

/** Python's `json.loads` of stored span JSON; text it refuses is a fault of the store, not of the request. */
export function parseSpanJson(text: string): PythonJsonValue {
  try {
    return parsePythonJson(text);
  } catch (error) {
    if (!(error instanceof PythonJsonSyntaxError)) throw error;
    throw new FlowOpsError("INTERNAL_ERROR", `Malformed span JSON at offset ${error.position}`);
  }
}
