/**
 * Which revisions dvc names in its one closing line for `metrics show` ("DVC failed to load some metrics for
 * following revisions: '...'."): dvc prints that line, and no per-file warning, for any revision whose result
 * holds an error, a single unreadable or missing metrics file included.
 */
import { isPlainObject, PyFloat, PyInt } from "./pythonValues.js";
import type { MetricsShow, RevisionMetrics } from "./metricsFiles.js";

/** Python's truthiness of a JSON-like value, for dvc's `if key == "error" and val`. */
function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === "" || value === 0) return false;
  if (value instanceof PyFloat) return value.value !== 0;
  if (value instanceof PyInt) return value.value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/**
 * dvc's `nested_contains(d, "error")`: a truthy "error" key at any depth. It looks into the metrics values too,
 * so a metrics file holding a truthy `error` key marks its revision as failed, as dvc does.
 */
function nestedContainsError(dictionary: Record<string, unknown>): boolean {
  for (const [key, value] of Object.entries(dictionary)) {
    if (key === "error" && pyTruthy(value)) return true;
    if (isPlainObject(value) && nestedContainsError(value)) return true;
  }
  return false;
}

/** A revision's result as dvc holds it: `{"error": ...}` in place of its data when it failed as a whole. */
function resultOf(revision: RevisionMetrics): Record<string, unknown> {
  return revision.error !== undefined ? { error: revision.error } : { data: revision.data };
}

/** dvc's `errored_revisions` on a `metrics show` result: the labels of the failed revisions, in order. */
export function erroredRevisions(shown: MetricsShow): string[] {
  return Object.entries(shown)
    .filter(([, revision]) => nestedContainsError(resultOf(revision)))
    .map(([label]) => label);
}
