/**
 * The message templates of mlflow/utils/validation.py (`invalid_value`, `missing_value`,
 * `exceeds_maximum_length`), spelled byte for byte: Python clients show these messages to users and some
 * tests match them. Text only; deciding what is invalid belongs to the callers.
 */
import { PythonFloat, pythonJsonDumps } from "../pythonJson.js";

/** The suffix MLflow's handler-level schema checks add to their messages. */
export const API_DOCS_HINT = "See the API docs for more information about request parameters.";

/**
 * `invalid_value(path, value, message)`: the value as `json.dumps(..., separators=(",", ":"))` writes it,
 * so non-ASCII characters appear as `\uXXXX` escapes, exactly as MLflow quotes them.
 */
export function invalidValueMessage(path: string, value: string | number | bigint, why?: string): string {
  const quoted = typeof value === "bigint" ? value.toString() : pythonJsonDumps(value);
  return why === undefined
    ? `Invalid value ${quoted} for parameter '${path}' supplied.`
    : `Invalid value ${quoted} for parameter '${path}' supplied: ${why}`;
}

/** `missing_value(path)` as the handlers' `_assert_required` reports it, hint included. */
export function missingValueMessage(path: string): string {
  return `Missing value for required parameter '${path}'. ${API_DOCS_HINT}`;
}

/** `exceeds_maximum_length(path, limit)`. */
export function exceedsMaximumLengthMessage(path: string, limit: number): string {
  return `'${path}' exceeds the maximum length of ${limit} characters`;
}

/** `append_to_json_path`: how MLflow names a field inside a batch (`metrics[0].name`). */
export function appendToJsonPath(prefix: string, field: string): string {
  return prefix === "" ? field : `${prefix}.${field}`;
}

/** Python's `repr(float)`, as f-strings write a metric value: `1.0`, `nan`, `inf`. */
export function pythonFloatText(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return pythonJsonDumps(new PythonFloat(value));
}

/**
 * Python's `repr()` of a list of strings, as f-strings write one: `['a', "it's"]`. Quotes are chosen as
 * Python chooses them; control characters are escaped.
 */
export function pythonStringListRepr(items: readonly string[]): string {
  return `[${items.map(pythonStringRepr).join(", ")}]`;
}

const REPR_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (REPR_ESCAPES[c] !== undefined) body += REPR_ESCAPES[c];
    else if (code < 0x20 || code === 0x7f) body += `\\x${code.toString(16).padStart(2, "0")}`;
    else body += c === quote ? `\\${c}` : c;
  }
  return `${quote}${body}${quote}`;
}
