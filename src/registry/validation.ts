/**
 * Input rules of the registry, as `mlflow/utils/validation.py` words them: model names, version numbers,
 * alias names, and tag keys and values. Checks only; nothing here touches the database.
 */
import { invalidParameter } from "../errors.js";
import {
  BAD_CHARACTERS_MESSAGE,
  hasValidKeyCharacters,
  pathNotUnique,
  pythonNormpath,
} from "../tracking/entityValidation.js";
import { invalidValueMessage } from "../tracking/validationMessages.js";

const MAX_TAG_KEY_LENGTH = 250;
/** MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH: registered-model and model-version tags alike. */
export const MAX_TAG_VALUE_LENGTH = 100_000;
const MAX_ALIAS_LENGTH = 255;
const ALIAS_PATTERN = /^[\w-]*$/;
const VERSION_ALIAS_PATTERN = /^[vV]\d+$/;

const missing = (field: string) => invalidParameter(`Missing value for required parameter '${field}'.`);
const tooLong = (field: string, limit: number) =>
  invalidParameter(`'${field}' exceeds the maximum length of ${limit} characters`);

const invalidValue = (field: string, value: string, why: string) =>
  invalidParameter(invalidValueMessage(field, value, why));

const badPath = (name: string) =>
  "Names may be treated as files in certain cases, and must not resolve to other names when treated as " +
  `such. This name would resolve to '${pythonNormpath(name)}'`;

/**
 * `_validate_model_name` (and `_validate_model_renaming` with field `new_name`): a name with '/' or ':'
 * could never be addressed as `models:/<name>/<version>`, so it is refused when it is first used.
 */
export function validateModelName(name: string | undefined, field = "name"): string {
  if (name === undefined || name.trim() === "") throw missing(field);
  if (name.includes("/") || name.includes(":")) {
    throw invalidParameter(`Invalid model name '${name}'. Names cannot contain '/' or ':'.`);
  }
  if (pathNotUnique(name)) throw invalidValue("name", name, badPath(name));
  return name;
}

/** Versions travel as strings; they must be integers (`_validate_model_version`). */
export function parseModelVersion(version: string | number | undefined): number {
  if (version === undefined || version === "") throw missing("version");
  const text = String(version).trim();
  if (!/^[-+]?\d{1,15}$/.test(text)) {
    throw invalidParameter(`Parameter 'version' must be an integer, got '${String(version)}'.`);
  }
  return Number(text);
}

export function validateAliasName(alias: string | undefined): string {
  if (alias === undefined || alias === "") {
    throw invalidParameter("Registered model alias name cannot be empty.");
  }
  if (!ALIAS_PATTERN.test(alias)) {
    throw invalidParameter(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (alias.length > MAX_ALIAS_LENGTH) throw tooLong("Registered model alias name", MAX_ALIAS_LENGTH);
  return alias;
}

/**
 * `_validate_model_alias_name_reserved`, which MLflow applies only when setting an alias: reading `latest`
 * means the newest version, and deleting a reserved name is a no-op.
 */
export function validateSettableAliasName(alias: string | undefined): string {
  validateAliasName(alias);
  if (alias === undefined) return "";
  if (alias.toLowerCase() === "latest") {
    throw invalidParameter("'latest' alias name (case insensitive) is reserved.");
  }
  if (VERSION_ALIAS_PATTERN.test(alias)) {
    throw invalidParameter(`Version alias name '${alias}' is reserved.`);
  }
  return alias;
}

/** `_validate_tag_name`: the characters of param and metric names, and no path tricks. */
export function validateTagKey(key: string | undefined): string {
  if (key === undefined) throw missing("key");
  if (!hasValidKeyCharacters(key)) throw invalidValue("key", key, BAD_CHARACTERS_MESSAGE);
  if (pathNotUnique(key)) throw invalidValue("key", key, badPath(key));
  if (key.length > MAX_TAG_KEY_LENGTH) throw tooLong("key", MAX_TAG_KEY_LENGTH);
  return key;
}

export function validateTag(tag: { key: string; value: string }): void {
  validateTagKey(tag.key);
  if (tag.value.length > MAX_TAG_VALUE_LENGTH) throw tooLong("value", MAX_TAG_VALUE_LENGTH);
}
