/**
 * Which stored assessment value texts an MLflow `feedback.<name> = '<v>'` filter matches. mlflow stores
 * `json.dumps(value)` and matches a row when that text equals `v` or `json.dumps(v)`; FlowOps stores the
 * same values as JavaScript writes them. The two differ for numbers (the wire's doubles: Python writes
 * `3.0`, JavaScript `3`), non-ASCII text (Python escapes it) and feedback lists and objects (Python puts a
 * space after `,` and `:`), so the filter value is turned into the FlowOps texts of the values whose Python
 * text mlflow would have matched. Expectation lists and objects arrive as the client's JSON text and are
 * kept verbatim in both stores.
 */
import { PythonFloat, pythonJsonDumps, type PythonJsonValue } from "../../pythonJson.js";
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
  return pythonJsonDumps(asPythonDoubles(value));
}

function asPythonDoubles(value: unknown): PythonJsonValue {
  if (typeof value === "number") return new PythonFloat(value);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(asPythonDoubles);
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, asPythonDoubles(v)]),
    );
  }
  return null;
}
