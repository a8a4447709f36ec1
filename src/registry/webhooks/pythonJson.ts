/**
 * JSON text exactly as Python's `json.dumps(value)` writes it with default arguments: `", "` and `": "`
 * separators, every character outside printable ASCII escaped as `\uXXXX` (lowercase hex), keys in
 * insertion order, and floats in Python's spelling (`100.0`). mlflow signs the body it sends, and a
 * receiver that re-serialises what it parsed (against advice, but it happens) only matches a body written
 * this way; writing it the same also lets a test compare our deliveries with mlflow's byte for byte.
 */

/** A number Python holds as a float: integral values keep their `.0`. */
export class PythonFloat {
  constructor(readonly value: number) {}
}

export type PythonJsonValue =
  | string
  | number
  | boolean
  | null
  | PythonFloat
  | readonly PythonJsonValue[]
  /** A dict whose keys keep their insertion order even when they look like integers ("2", "10"). */
  | ReadonlyMap<string, PythonJsonValue>
  | { readonly [key: string]: PythonJsonValue };

export function pythonJsonDumps(value: PythonJsonValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return pythonJsonString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (value instanceof PythonFloat) return pythonFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const entries =
    value instanceof Map ? [...value] : Object.entries(value as { readonly [key: string]: PythonJsonValue });
  return `{${entries.map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonDumps(v)}`).join(", ")}}`;
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

/** `ensure_ascii=True`: anything but printable ASCII becomes `\uXXXX` (UTF-16 units, so surrogate pairs). */
function pythonJsonString(text: string): string {
  const escape = (c: string): string =>
    SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return `"${text.replace(/[^ -~]|["\\]/g, escape)}"`;
}

/** Python's `float.__repr__`: shortest round-trip digits, `.0` on integral values, exponent from 1e16. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (Object.is(value, -0)) return "-0.0";
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    // JavaScript writes 1e+21 and 1.5e-7; Python writes 1e+21 and 1.5e-07.
    return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
