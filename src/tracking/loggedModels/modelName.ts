/**
 * Names and key/value checks of logged models. A missing name is generated like a run name (MLflow uses
 * one `_generate_random_name` for both); a given name must not contain characters that would break
 * `models:/` URIs or artifact paths. Tags and params follow the run limits.
 */
import { invalidParameter } from "../../errors.js";
import type { Tag } from "../entities.js";
import { validateParam, validateParamKeysUnique, validateRunTag } from "../entityValidation.js";
import { generateRunName } from "../runNames.js";
import { pythonStringListRepr } from "../validationMessages.js";

const FORBIDDEN_CHARACTERS = ["/", ":", ".", "%", '"', "'"] as const;

export function assertValidModelName(name: string): void {
  if (name === "" || FORBIDDEN_CHARACTERS.some((c) => name.includes(c))) {
    // MLflow 3.17's `_validate_logged_model_name` formats the name and the character tuple with repr().
    throw invalidParameter(
      `Invalid model name (${pythonRepr(name)}) provided. Model name must be a non-empty string and ` +
        `cannot contain the following characters: (${FORBIDDEN_CHARACTERS.map(pythonRepr).join(", ")})`,
    );
  }
}

/** Python's repr() of one string: the list repr without its brackets. */
function pythonRepr(text: string): string {
  return pythonStringListRepr([text]).slice(1, -1);
}

export function generateModelName(): string {
  return generateRunName();
}

export function assertValidTags(tags: readonly Tag[]): void {
  for (const tag of tags) validateRunTag(tag);
}

export function assertValidParams(params: readonly Tag[]): void {
  for (const param of params) validateParam(param);
  validateParamKeysUnique(params);
}
