/**
 * Python's `repr()` of the JSON values a request carries, for messages that quote them inside numpy object arrays
 * (numpyRepr.ts).
 */
import { pythonFloatRepr, pythonStrRepr } from "../../pythonRepr.js";

export { pythonFloatRepr, pythonStrRepr };

/** `repr()` of a JSON value as json.loads makes it: a JSON number without a fraction is taken for an int. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (typeof value === "string") return pythonStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  return JSON.stringify(value);
}
