/**
 * A Python model's answer values as the worker marks them in an output's `json` (python/flowops_pyfunc_outputs.py):
 * `{"float": x}` a whole float (`"NaN"`, `"Infinity"`, `"-Infinity"` for the non-finite), `{"int": "digits"}` an
 * int beyond 2^53, `{"object": [[key, value], ...]}` a dict. JSON.parse alone would read `7.0` as the int 7 and
 * round 9007199254740993; unmarked, MLflow's answer writer (answerJson.ts) writes each as Python's json.dump does:
 * whole floats as FloatElement (`7.0`, `1e+16`), big ints as BigInt (every digit). Other floats travel as plain
 * numbers: their shortest digits are Python's, and answerJson writes those below 1e-4 as Python does (`1e-05`).
 */
import { FlowOpsError } from "../../errors.js";
import { FloatElement } from "../payloads/nestedJson.js";
import { showValue } from "../tensor.js";

/** A Python float in an answer; JSON.stringify writes it as the number (answerJson as Python's float). */
export class PythonFloat extends FloatElement {
  toJSON(): number {
    return this.value;
  }
}

const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

/** The worker's marked values as answer values; a malformed marking means the stream cannot be trusted. */
export function pythonOutputValues(values: readonly unknown[], where: string): unknown[] {
  return values.map((value) => unmarked(value, where));
}

function unmarked(value: unknown, where: string): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => unmarked(item, where));
  const marked = value as { float?: unknown; int?: unknown; object?: unknown };
  if (typeof marked.float === "number") return new PythonFloat(marked.float);
  if (typeof marked.float === "string" && marked.float in NON_FINITE) {
    return new PythonFloat(NON_FINITE[marked.float] as number);
  }
  if (typeof marked.int === "string" && /^-?\d+$/.test(marked.int)) return BigInt(marked.int);
  if (Array.isArray(marked.object)) {
    // No prototype: a Python key such as "__proto__" stays an own member, written like any other.
    const object = Object.create(null) as Record<string, unknown>;
    for (const pair of marked.object) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
        throw new FlowOpsError("INTERNAL_ERROR", `${where}: unexpected dict member ${showValue(pair)}`);
      }
      object[pair[0]] = unmarked(pair[1], where);
    }
    return object;
  }
  throw new FlowOpsError("INTERNAL_ERROR", `${where}: unexpected answer value ${showValue(value)}`);
}
