/**
 * Which stored assessment value texts an MLflow `feedback.<name> = '<v>'` filter matches. mlflow stores
 * `json.dumps(value)` and matches a row when that text equals `v` or `json.dumps(v)`; FlowOps stores the
 * same values as JavaScript writes them. The two differ for numbers (the wire's doubles: Python writes
 * `3.0`, JavaScript `3`), non-ASCII text (Python escapes it) and feedback lists and objects (Python puts a
 * space after `,` and `:`), so the filter value is turned into the FlowOps texts of the values whose Python
 * text mlflow would have matched. Expectation lists and objects arrive as the client's JSON text and are
 * kept verbatim in both stores.
 */
import type { AssessmentKind } from "./assessmentEntities.js";

/** The FlowOps `value` texts of the assessments whose mlflow-stored text an `=` filter on `filterValue` matches. */
export function matchingStoredValueTexts(kind: AssessmentKind, filterValue: string): string[] {
  // mlflow's second branch: the value is the string itself.
  const texts = new Set([JSON.stringify(filterValue)]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(filterValue);
  } catch {
    return [...texts];
  }
  // mlflow's first branch: the filter value is the stored JSON text itself.
  if (parsed !== null && typeof parsed === "object") {
    if (kind === "expectation") texts.add(filterValue);
    else if (pythonJsonText(parsed) === filterValue) texts.add(JSON.stringify(parsed));
  } else if (pythonJsonText(parsed) === filterValue) {
    texts.add(JSON.stringify(parsed));
  }
  return [...texts];
}

/** `json.dumps(value)` for a value read from a protobuf `Value`, whose numbers are all doubles. */
export function pythonJsonText(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return pythonFloatRepr(value);
  if (typeof value === "string") return pythonJsonString(value);
  if (Array.isArray(value)) return `[${value.map((item) => pythonJsonText(item)).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonText(v)}`).join(", ")}}`;
  }
  return "null";
}

/** Python's `repr(float)`: the shortest round-tripping digits, fixed between 1e-4 and 1e16, else `1e+16`. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const [mantissa = "0", exponentText = "0"] = Math.abs(x).toExponential().split("e");
  const exponent = Number(exponentText);
  const digits = mantissa.replace(".", "");
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
    return `${sign}${whole}.${digits.slice(exponent + 1) || "0"}`;
  }
  const exponentPart = `${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  const significand = digits.length > 1 ? `${digits.charAt(0)}.${digits.slice(1)}` : digits;
  return `${sign}${significand}e${exponentPart}`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** `json.dumps(str)` with `ensure_ascii`: every code unit outside printable ASCII as `\uXXXX`. */
function pythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}
