/**
 * The JSON text of an answer whose floats are marked (nestedJson's FloatList and FloatElement), written as the
 * Python servers we stand in for write it: MLflow's scoring server (`json.dump` of `tolist()`'s Python floats)
 * and KServe's (orjson). Both write a float with a point or an exponent, `[7.0, 2.5]`, which pandas and numpy
 * clients read back as float64; JSON.stringify's `[7,2.5]` reads back as int64. Float digits stay String's
 * shortest digits of the double (a float32 element widened, as `tolist()` widens it: 0.30000001192092896).
 *
 * Everything unmarked is written as JSON.stringify writes it (integers, strings, a Python model's own values),
 * except, in the MLflow style, non-finite numbers, which Python's json writes as the bare NaN and Infinity tokens,
 * and numbers below 1e-4 in magnitude, which only a Python float can be (`1e-05`, `-0.0`).
 * Output stays compact (no spaces after `,` and `:`), as the V2 and V1 answers always were.
 */
import { ByteBuilder } from "../../tables/byteBuilder.js";
import { PandasFloatText } from "../../tables/pandasFloatText.js";
import { FloatElement } from "./nestedJson.js";

/**
 * `mlflow`: Python's json (repr of float, exponent below 1e-4, `1e-05`; NaN and Infinity as bare tokens).
 * `orjson`: KServe's server (exponent below 1e-5, `1e-6`; non-finite as null, as orjson writes them).
 */
export type AnswerJsonStyle = "mlflow" | "orjson";

/** The answer's JSON text as UTF-8 bytes. */
export function answerJson(answer: unknown, style: AnswerJsonStyle): Buffer {
  let bytes: Uint8Array;
  try {
    writeValue(shared, answer, style === "mlflow");
  } finally {
    // Taken even when a write throws, so that the next answer does not start after a partial one.
    bytes = shared.take();
  }
  // A copy: the shared builder is written again by the next answer (a small copy comes from Buffer's pool).
  const copy = Buffer.allocUnsafe(bytes.byteLength);
  copy.set(bytes);
  if (bytes.byteLength > KEPT_BYTES) {
    shared = new ByteBuilder(INITIAL_CAPACITY);
    floatText = new PandasFloatText(shared);
  }
  return copy;
}

const INITIAL_CAPACITY = 4096;
/** A builder grown by an answer larger than this is dropped rather than kept for the life of the process. */
const KEPT_BYTES = 1 << 20;
// One builder for every answer: building one per answer (its buffer and DataView) was most of a small
// answer's cost: 1.55 µs for `{"predictions":[1.5]}`, 0.59 µs with this one (JSON.stringify: 0.3-0.5 µs).
let shared = new ByteBuilder(INITIAL_CAPACITY);
let floatText = new PandasFloatText(shared);

function writeValue(out: ByteBuilder, value: unknown, python: boolean): void {
  switch (typeof value) {
    case "number":
      // Python writes a float below 1e-4 with an exponent (`1e-05`, `1.5e-07`) and keeps -0.0's sign, where
      // String writes `0.00001`, `1.5e-7` and `0`; a number there is never a Python int (other than 0), so it
      // is written as the float it was. The range check keeps other numbers on the fast path.
      if (python && value < 1e-4 && value > -1e-4) writeTiny(out, value);
      else if (Number.isFinite(value)) out.finiteNumber(value, false);
      else writeNonFinite(out, value, python);
      return;
    case "string":
      out.text(JSON.stringify(value));
      return;
    case "boolean":
      out.text(value ? "true" : "false");
      return;
    case "bigint":
      out.text(value.toString());
      return;
    case "object":
      if (value === null) out.text("null");
      else if (Array.isArray(value)) writeList(out, value, python);
      else if (value instanceof Float64Array || value instanceof Float32Array)
        writeFloats(out, value, python);
      else if (value instanceof FloatElement) writeFloat(out, value.value, python);
      else writeObject(out, value as Record<string, unknown>, python);
      return;
    default:
      // undefined, a function or a symbol in a list: JSON.stringify's null.
      out.text("null");
  }
}

function writeList(out: ByteBuilder, list: readonly unknown[], python: boolean): void {
  out.byte(91);
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out.byte(44);
    writeValue(out, list[i], python);
  }
  out.byte(93);
}

function writeFloats(out: ByteBuilder, floats: Float32Array | Float64Array, python: boolean): void {
  out.byte(91);
  for (let i = 0; i < floats.length; i++) {
    if (i > 0) out.byte(44);
    writeFloat(out, floats[i] as number, python);
  }
  out.byte(93);
}

function writeFloat(out: ByteBuilder, value: number, python: boolean): void {
  if (!Number.isFinite(value)) {
    writeNonFinite(out, value, python);
    return;
  }
  if (!python) {
    // orjson: positional down to 1e-5 (Python: 1e-4), exponents without a padding zero (`1e-6`, `1e+16`).
    const magnitude = Math.abs(value);
    if (magnitude >= 1e-5 && magnitude < 1e-4) {
      out.finiteNumber(value, false);
      return;
    }
    if ((magnitude < 1e-5 && magnitude !== 0) || magnitude >= 1e16) {
      out.text(value.toExponential());
      return;
    }
  }
  // Python's repr of a float is numpy's repr of a float64, which pandas' to_csv writes.
  floatText.csv(value, false);
}

/**
 * A number below 1e-4 in magnitude as Python's json writes it. An unmarked zero is written as the int 0 (a JSON
 * `0.0` read by JSON.parse is indistinguishable), except -0, which only a float can be.
 */
function writeTiny(out: ByteBuilder, value: number): void {
  if (value !== 0) floatText.csv(value, false);
  else out.text(Object.is(value, -0) ? "-0.0" : "0");
}

function writeNonFinite(out: ByteBuilder, value: number, python: boolean): void {
  if (!python) out.text("null");
  else if (Number.isNaN(value)) out.text("NaN");
  else out.text(value > 0 ? "Infinity" : "-Infinity");
}

function writeObject(out: ByteBuilder, object: Record<string, unknown>, python: boolean): void {
  out.byte(123);
  let first = true;
  for (const key of Object.keys(object)) {
    const value = object[key];
    // JSON.stringify leaves such members out.
    if (value === undefined || typeof value === "function" || typeof value === "symbol") continue;
    if (!first) out.byte(44);
    first = false;
    out.text(JSON.stringify(key));
    out.byte(58);
    writeValue(out, value, python);
  }
  out.byte(125);
}
