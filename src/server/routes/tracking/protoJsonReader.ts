/**
 * protobuf's Python JSON parser (`json_format.ParseDict`) as `mlflow server` runs it on a body, for messages
 * of strings, doubles, int64s and repeated messages. It walks the body in the order the client wrote it and
 * stops at the first value it cannot read: that field keeps its default, every field written after it (in the
 * same object, in later list items and in later top-level fields) is never read, and what came before is
 * kept. MLflow catches the ParseError and goes on with that partial message, so a batch param whose value is
 * 5 is logged with the value "" and the params after it are lost. Readers only; no checks, no errors.
 *
 * Not modelled: Python's `int()` and `float()` also read non-ASCII decimal digits ("٣").
 */
import { int64Value, type Int64 } from "../../../tracking/exactInt64.js";
import { pythonIntFromText, pythonStrip } from "../queryIntegers.js";

export type ProtoScalarKind = "string" | "double" | "int64";

/** A message's fields by every name protobuf reads them under (its proto name and its JSON name). */
export interface ProtoMessageShape {
  readonly [name: string]: { readonly field: string; readonly kind: ProtoScalarKind | ProtoRepeated };
}

export interface ProtoRepeated {
  readonly repeated: ProtoMessageShape;
}

/** A read message: set fields only (a field left at its default is absent). */
export type ProtoMessage = { [field: string]: ProtoValue };
export type ProtoValue = string | number | Int64 | ProtoMessage[];

export interface ProtoRead {
  message: ProtoMessage;
  /** False where protobuf stopped at a value it could not read (MLflow's `proto_parsing_succeeded`). */
  complete: boolean;
}

const INT64_LIMIT = 2n ** 63n;

/** ParseDict of `body` into a message of `shape`, unknown fields ignored (MLflow's ignore_unknown_fields). */
export function readProtoJson(body: unknown, shape: ProtoMessageShape): ProtoRead {
  const state = { complete: true };
  const message = readMessage(body, shape, state);
  return { message, complete: state.complete };
}

function readMessage(js: unknown, shape: ProtoMessageShape, state: { complete: boolean }): ProtoMessage {
  const message: ProtoMessage = {};
  // A list item that is no object: MLflow's own checks fail on it afterwards, so how protobuf reads it (a
  // string is walked character by character) is not modelled; it ends the read.
  if (js === null || typeof js !== "object" || Array.isArray(js)) {
    state.complete = false;
    return message;
  }
  for (const [name, value] of Object.entries(js as Record<string, unknown>)) {
    if (!state.complete) break;
    const spec = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (spec === undefined) continue;
    // null clears the field, whatever its type.
    if (value === null) {
      delete message[spec.field];
      continue;
    }
    if (typeof spec.kind === "object") {
      const items: ProtoMessage[] = [];
      message[spec.field] = items;
      if (!Array.isArray(value)) {
        state.complete = false;
        break;
      }
      for (const item of value) {
        // protobuf adds the item before reading into it, so the item that stops the read is kept, partly read.
        items.push(readMessage(item, spec.kind.repeated, state));
        if (!state.complete) break;
      }
      continue;
    }
    const scalar = readScalar(value, spec.kind);
    if (scalar === undefined) {
      delete message[spec.field];
      state.complete = false;
      break;
    }
    message[spec.field] = scalar;
  }
  return message;
}

function readScalar(value: unknown, kind: ProtoScalarKind): string | number | Int64 | undefined {
  if (kind === "string") return typeof value === "string" && !hasLoneSurrogate(value) ? value : undefined;
  if (kind === "double") return protoDouble(value);
  return protoInt64(value);
}

/** protobuf refuses a string with an unpaired surrogate ("Unpaired surrogate"). */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/**
 * `_ConvertFloat`: a JSON number, but not a bare NaN or an infinity (Python's json reads both, protobuf
 * refuses them); a bool as `float(True)`; text as Python's `float()` reads it, except "nan" exactly.
 */
export function protoDouble(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  // An integer too large for a double is an OverflowError in Python (a 500); refused here.
  if (typeof value === "bigint") return Number.isFinite(Number(value)) ? Number(value) : undefined;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "string" || value === "nan") return undefined;
  return pythonFloatFromText(value);
}

/** `float(text)` for finite decimals, digit groups split by single underscores. */
const PYTHON_DECIMAL = /^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?$/;
const PYTHON_NON_FINITE = /^([+-]?)(inf|infinity|nan)$/i;

/** Python's `float(text)`, or undefined where it raises ValueError. */
function pythonFloatFromText(text: string): number | undefined {
  const trimmed = pythonStrip(text);
  const special = PYTHON_NON_FINITE.exec(trimmed);
  if (special !== null) {
    if (special[2]?.toLowerCase() === "nan") return Number.NaN;
    return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return PYTHON_DECIMAL.test(trimmed) ? Number(trimmed.replaceAll("_", "")) : undefined;
}

/**
 * `_ConvertInteger` into an int64 field, kept exact: a whole JSON number (a BigInt beyond 2^53, see
 * int64Bodies.ts), or text that `int()` reads, or that `float()` reads as a whole number ("3.0", "1e3"); text
 * with a plain space, a bool, a fraction or a value beyond int64 is refused.
 */
export function protoInt64(value: unknown): Int64 | undefined {
  let exact: bigint | undefined;
  if (typeof value === "bigint") exact = value;
  else if (typeof value === "number") exact = Number.isInteger(value) ? BigInt(value) : undefined;
  else if (typeof value === "string" && !value.includes(" ")) {
    exact = pythonIntFromText(value);
    if (exact === undefined) {
      const float = pythonFloatFromText(value);
      exact = float !== undefined && Number.isInteger(float) ? BigInt(float) : undefined;
    }
  }
  if (exact === undefined || exact >= INT64_LIMIT || exact < -INT64_LIMIT) return undefined;
  return int64Value(exact);
}
