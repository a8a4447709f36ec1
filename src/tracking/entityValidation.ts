/**
 * MLflow's checks on what clients log (mlflow/utils/validation.py), with its limits and its wording, so a
 * client sees the same INVALID_PARAMETER_VALUE messages it would get from MLflow. Pure functions only.
 */
import { invalidParameter } from "../errors.js";
import type { Int64 } from "./exactInt64.js";
import {
  appendToJsonPath,
  exceedsMaximumLengthMessage,
  invalidValueMessage,
  missingValueMessage,
  pythonFloatText,
} from "./validationMessages.js";

export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;
export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_EXPERIMENT_TAG_KEY_LENGTH = 250;
export const MAX_EXPERIMENT_TAG_VAL_LENGTH = 20000;
export const MAX_DATASET_NAME_SIZE = 500;
export const MAX_DATASET_DIGEST_SIZE = 36;
export const MAX_DATASET_SCHEMA_SIZE = 1048575;
export const MAX_DATASET_SOURCE_SIZE = 65535;
export const MAX_DATASET_PROFILE_SIZE = 16777215;
export const MAX_INPUT_TAG_KEY_SIZE = 255;
export const MAX_INPUT_TAG_VALUE_SIZE = 500;

// MLflow's non-Windows rule, `^[/\w.\- :]*$` (a server answers for every client, so the Windows variant
// without colons does not apply). Python's `\w` is Unicode-aware: letters, numbers and underscore, but
// not combining marks.
const VALID_KEY = /^[/\p{L}\p{N}_.\- :]*$/u;
/** `bad_character_message()` of mlflow/utils/validation.py on a non-Windows server. */
export const BAD_CHARACTERS_MESSAGE =
  "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).";

/** `validate_param_and_metric_name`: the characters MLflow allows in metric, param and tag names. */
export function hasValidKeyCharacters(name: string): boolean {
  return VALID_KEY.test(name);
}

/** Python's posixpath.normpath, which MLflow uses to decide whether a key could alias another as a file. */
export function pythonNormpath(path: string): string {
  if (path === "") return ".";
  const leading = path.startsWith("/") ? (path.startsWith("//") && !path.startsWith("///") ? 2 : 1) : 0;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    const last = parts[parts.length - 1];
    if (part !== ".." || (leading === 0 && parts.length === 0) || last === "..") parts.push(part);
    else if (parts.length > 0) parts.pop();
  }
  return "/".repeat(leading) + parts.join("/") || ".";
}

/** `path_not_unique`: the name would name another file once normalised, or leaves its directory. */
export function pathNotUnique(name: string): boolean {
  const norm = pythonNormpath(name);
  return norm !== name || norm === "." || norm.startsWith("..") || norm.startsWith("/");
}

/** Python counts code points; JavaScript counts UTF-16 units, so astral characters are counted once here. */
function codePointLength(value: string): number {
  return value.length <= 1 ? value.length : [...value].length;
}

/** `_validate_length_limit` without truncation; `path` is what MLflow names in the message. */
export function validateLength(path: string, limit: number, value: string): void {
  if (value.length <= limit) return;
  if (codePointLength(value) <= limit) return;
  throw invalidParameter(exceedsMaximumLengthMessage(path, limit));
}

/**
 * `_validate_metric_name`, `_validate_param_name` and `_validate_tag_name`: one rule, reported under the
 * field `path` the client sent (`key`, `name` for a metric, `tags[0].key` inside a batch). An empty key is
 * a missing one to MLflow's handlers, whose `_assert_required` runs first.
 */
export function validateKeyName(name: string, path: string, requiredPath = path): void {
  if (name === "") throw invalidParameter(missingValueMessage(requiredPath));
  if (!hasValidKeyCharacters(name))
    throw invalidParameter(invalidValueMessage(path, name, BAD_CHARACTERS_MESSAGE));
  if (pathNotUnique(name)) throw invalidParameter(invalidValueMessage(path, name, badPathMessage(name)));
}

/** `bad_path_message`; only reached by names of the valid alphabet, so Python's repr is plain quoting. */
function badPathMessage(name: string): string {
  return `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${pythonNormpath(name)}'`;
}

function isWhole(value: Int64): boolean {
  return typeof value === "bigint" || Number.isInteger(value);
}

/** `_validate_metric`; `batchPath` is `metrics[i]` inside a log-batch request. */
export function validateMetric(
  metric: { key: string; value: number; timestamp: Int64; step: Int64 },
  batchPath = "",
): void {
  validateKeyName(metric.key, appendToJsonPath(batchPath, "name"), appendToJsonPath(batchPath, "key"));
  const value = pythonFloatText(metric.value);
  if (!isWhole(metric.timestamp) || metric.timestamp < 0) {
    throw invalidParameter(
      invalidValueMessage(
        appendToJsonPath(batchPath, "timestamp"),
        metric.timestamp,
        `metric '${metric.key}' (value=${value}). Timestamp must be a nonnegative long (64-bit integer) `,
      ),
    );
  }
  if (!isWhole(metric.step)) {
    throw invalidParameter(
      invalidValueMessage(
        appendToJsonPath(batchPath, "step"),
        metric.step,
        `metric '${metric.key}' (value=${value}). Step must be a valid long (64-bit integer).`,
      ),
    );
  }
  validateLength("Metric name", MAX_ENTITY_KEY_LENGTH, metric.key);
}

/**
 * `_validate_length_limit(..., truncate=True)`: MLflow's store cuts an over-long param or run-tag value to
 * the limit (MLFLOW_TRUNCATE_LONG_VALUES, on by default) instead of refusing it. Python slices code points.
 */
function truncated(entity: string, value: string, limit: number): string {
  if (value.length <= limit) return value;
  const points = [...value];
  if (points.length <= limit) return value;
  if (!truncateLongValues()) throw invalidParameter(exceedsMaximumLengthMessage(entity, limit));
  return points.slice(0, limit).join("");
}

/** MLflow's `MLFLOW_TRUNCATE_LONG_VALUES` (a `_BooleanEnvironmentVariable`, true by default). */
function truncateLongValues(): boolean {
  const raw = process.env.MLFLOW_TRUNCATE_LONG_VALUES;
  if (raw === undefined) return true;
  const value = raw.toLowerCase();
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw invalidParameter(
    `MLFLOW_TRUNCATE_LONG_VALUES value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got ${raw}`,
  );
}

/** Checks a param and returns it as stored: its value cut to MAX_PARAM_VAL_LENGTH. */
export function validateParam<P extends { key: string; value: string }>(param: P, batchPath = ""): P {
  validateKeyName(param.key, appendToJsonPath(batchPath, "key"));
  validateLength("Param key", MAX_ENTITY_KEY_LENGTH, param.key);
  return { ...param, value: truncated("Param value", param.value, MAX_PARAM_VAL_LENGTH) };
}

/** Checks a run tag and returns it as stored: its value cut to MAX_TAG_VAL_LENGTH. */
export function validateRunTag<T extends { key: string; value: string }>(tag: T, batchPath = ""): T {
  const keyPath = appendToJsonPath(batchPath, "key");
  validateKeyName(tag.key, keyPath);
  validateLength(keyPath, MAX_ENTITY_KEY_LENGTH, tag.key);
  return { ...tag, value: truncated(appendToJsonPath(batchPath, "value"), tag.value, MAX_TAG_VAL_LENGTH) };
}

/** `_validate_experiment_tag`: MLflow names the fields without a batch path, even in experiments/create. */
export function validateExperimentTag(tag: { key: string; value: string }): void {
  validateKeyName(tag.key, "key");
  validateLength("key", MAX_EXPERIMENT_TAG_KEY_LENGTH, tag.key);
  validateLength("value", MAX_EXPERIMENT_TAG_VAL_LENGTH, tag.value);
}

export function validateExperimentName(name: string): void {
  if (name === "") throw invalidParameter(`Invalid experiment name: '${name}'`);
  if (codePointLength(name) > MAX_EXPERIMENT_NAME_LENGTH) {
    throw invalidParameter(exceedsMaximumLengthMessage("name", MAX_EXPERIMENT_NAME_LENGTH));
  }
}

function validateBatchLimit(entityName: string, limit: number, length: number): void {
  if (length <= limit) return;
  throw invalidParameter(
    `A batch logging request can contain at most ${limit} ${entityName}. Got ${length} ${entityName}. Please split up ${entityName} across multiple requests and try again.`,
  );
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  validateBatchLimit("metrics", MAX_METRICS_PER_BATCH, metrics);
  validateBatchLimit("params", MAX_PARAMS_TAGS_PER_BATCH, params);
  validateBatchLimit("tags", MAX_PARAMS_TAGS_PER_BATCH, tags);
  validateBatchLimit("metrics, params, and tags", MAX_ENTITIES_PER_BATCH, metrics + params + tags);
}

export function validateParamKeysUnique(params: readonly { key: string }[]): void {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const { key } of params) {
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
  }
  if (duplicates.length === 0) return;
  throw invalidParameter(
    `Duplicate parameter keys have been submitted: [${duplicates.map((k) => `'${k}'`).join(", ")}]. Please ensure the request contains only one param value per param key.`,
  );
}

export function validateDataset(dataset: {
  name: string;
  digest: string;
  source: string;
  schema?: string | undefined;
  profile?: string | undefined;
}): void {
  validateLength("name", MAX_DATASET_NAME_SIZE, dataset.name);
  validateLength("digest", MAX_DATASET_DIGEST_SIZE, dataset.digest);
  validateLength("source", MAX_DATASET_SOURCE_SIZE, dataset.source);
  if (dataset.schema !== undefined) validateLength("schema", MAX_DATASET_SCHEMA_SIZE, dataset.schema);
  if (dataset.profile !== undefined) validateLength("profile", MAX_DATASET_PROFILE_SIZE, dataset.profile);
}

export function validateInputTag(tag: { key: string; value: string }): void {
  validateLength("key", MAX_INPUT_TAG_KEY_SIZE, tag.key);
  validateLength("value", MAX_INPUT_TAG_VALUE_SIZE, tag.value);
}
