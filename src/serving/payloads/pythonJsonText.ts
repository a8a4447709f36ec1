/**
 * A request value as JSON text that Python's json.loads reads back as MLflow's server holds it after its own
 * json.loads of the body: a DataFrame cell holding a JSON object or list (pandas keeps the dict or list itself),
 * or a non-finite number (which JSON.stringify would write as null). Whole numbers the body wrote as floats
 * (`1.0`) are written as floats, integers beyond 2^53 (BigInts) as their digits, NaN and the infinities as the
 * bare tokens json.loads reads. The worker decodes `{json: text}` (as it does a JSON Lines file's nested cell,
 * see frameBatchInput.ts); members go as text, so a key such as "__proto__" stays data.
 */
import { isJsonObject } from "./invalidInput.js";
import type { DictFloats } from "./objectTensor.js";

/** `{json: text}`, a jsonData element the Python worker turns into `json.loads(text)`. */
export interface PythonJson {
  json: string;
}

/**
 * `value` as PythonJson; `wholeFloat(container, key)` says which whole numbers inside it the body wrote as floats.
 * The body's depth is bounded (checkJsonDepth), which bounds the recursion.
 */
export function pythonJson(value: unknown, wholeFloat: DictFloats): PythonJson {
  return { json: jsonText(value, wholeFloat, false) };
}

function jsonText(value: unknown, wholeFloat: DictFloats, asFloat: boolean): string {
  if (typeof value === "number") return numberText(value, asFloat);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) {
    const items = value.map((item, index) => memberText(value, index, item, wholeFloat));
    return `[${items.join(",")}]`;
  }
  if (isJsonObject(value)) {
    const members = Object.keys(value).map(
      (key) => `${JSON.stringify(key)}:${memberText(value, key, value[key], wholeFloat)}`,
    );
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

function memberText(container: object, key: number | string, value: unknown, wholeFloat: DictFloats): string {
  const asFloat = typeof value === "number" && Number.isInteger(value) && wholeFloat(container, key);
  return jsonText(value, wholeFloat, asFloat);
}

/** A number as Python writes its float or int: `1.0` for a whole float, `-0.0` kept apart from the int 0. */
function numberText(value: number, asFloat: boolean): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (!asFloat) return String(value);
  if (Object.is(value, -0)) return "-0.0";
  const text = String(value);
  // 1e+21 is already a float literal; 1.0 is not, as String writes it.
  return /[.e]/.test(text) ? text : `${text}.0`;
}
