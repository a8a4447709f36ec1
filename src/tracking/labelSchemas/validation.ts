/**
 * mlflow's server-side checks on label schemas (mlflow/genai/label_schemas/validation.py), with its limits
 * and its wording. Lengths count characters as Python does (code points), and values are quoted with
 * Python's repr, as mlflow's messages print them. Type checks on bools and strings are not needed here: the
 * wire only hands on values of the right type.
 */
import { invalidParameter } from "../../errors.js";
import { pythonFloatRepr, pythonStrRepr } from "../../pythonRepr.js";
import {
  DEFAULT_LABEL_SCHEMA_NAME,
  INPUT_CLASS_NAMES,
  type LabelSchema,
  type LabelSchemaInput,
} from "./entities.js";

const NAME_MAX_LENGTH = 250;
const INSTRUCTION_MAX_LENGTH = 1000;
const PASS_FAIL_LABEL_MAX_LENGTH = 64;
const CATEGORICAL_OPTIONS_MAX_COUNT = 10;
const CATEGORICAL_OPTION_MAX_LENGTH = 64;

const length = (text: string): number => [...text].length;

function validateName(name: string): void {
  if (name === "") {
    throw invalidParameter(`Label schema \`name\` must be a non-empty string; got ${pythonStrRepr(name)}.`);
  }
  if (length(name) > NAME_MAX_LENGTH) {
    throw invalidParameter(
      `Label schema \`name\` must be at most ${NAME_MAX_LENGTH} characters; got ${length(name)}.`,
    );
  }
}

/** Python's `str.strip().lower()` is close enough here: the reserved name is ASCII. */
function validateNotReservedName(name: string): void {
  if (name.trim().toLowerCase() === DEFAULT_LABEL_SCHEMA_NAME.toLowerCase()) {
    throw invalidParameter(
      `\`${name}\` is reserved for the experiment's default question and cannot be used for another label schema.`,
    );
  }
}

function validateInstruction(instruction: string | undefined): void {
  if (instruction !== undefined && length(instruction) > INSTRUCTION_MAX_LENGTH) {
    throw invalidParameter(
      `Label schema \`instruction\` must be at most ${INSTRUCTION_MAX_LENGTH} characters; got ${length(instruction)}.`,
    );
  }
}

function validatePassFail(positiveLabel: string, negativeLabel: string): void {
  for (const [field, label] of [
    ["positive_label", positiveLabel],
    ["negative_label", negativeLabel],
  ] as const) {
    if (label === "") {
      throw invalidParameter(`\`InputPassFail.${field}\` must be a non-empty string; got ''.`);
    }
    if (length(label) > PASS_FAIL_LABEL_MAX_LENGTH) {
      throw invalidParameter(
        `\`InputPassFail.${field}\` must be at most ${PASS_FAIL_LABEL_MAX_LENGTH} characters; got ${length(label)}.`,
      );
    }
  }
  if (positiveLabel === negativeLabel) {
    throw invalidParameter(
      `\`InputPassFail.positive_label\` and \`negative_label\` must be distinct; got ${pythonStrRepr(positiveLabel)} for both.`,
    );
  }
}

function validateCategoricalOptions(options: readonly string[]): void {
  if (options.length === 0) {
    throw invalidParameter("`InputCategorical.options` must be a non-empty list; got [].");
  }
  if (options.length > CATEGORICAL_OPTIONS_MAX_COUNT) {
    throw invalidParameter(
      `\`InputCategorical.options\` must have at most ${CATEGORICAL_OPTIONS_MAX_COUNT} entries; got ${options.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const option of options) {
    if (option === "") {
      throw invalidParameter("`InputCategorical.options` entries must be non-empty strings; got ''.");
    }
    if (length(option) > CATEGORICAL_OPTION_MAX_LENGTH) {
      throw invalidParameter(
        `\`InputCategorical.options\` entries must be at most ${CATEGORICAL_OPTION_MAX_LENGTH} characters; got ${length(option)} for ${pythonStrRepr(option)}.`,
      );
    }
    if (seen.has(option)) {
      throw invalidParameter(
        `\`InputCategorical.options\` must be deduplicated; ${pythonStrRepr(option)} appears twice.`,
      );
    }
    seen.add(option);
  }
}

function validateInput(input: LabelSchemaInput): void {
  switch (input.kind) {
    case "pass_fail":
      return validatePassFail(input.positiveLabel, input.negativeLabel);
    case "categorical":
      return validateCategoricalOptions(input.options);
    case "numeric":
      // NaN compares false, so a NaN bound passes as it does in Python.
      if (input.minValue !== undefined && input.maxValue !== undefined && input.minValue >= input.maxValue) {
        throw invalidParameter(
          `\`InputNumeric.min_value\` must be strictly less than \`max_value\`; got min=${pythonFloatRepr(input.minValue)}, max=${pythonFloatRepr(input.maxValue)}.`,
        );
      }
      return;
    case "text":
      if (input.maxLength !== undefined && input.maxLength < 1) {
        throw invalidParameter(`\`InputText.max_length\` must be at least 1; got ${input.maxLength}.`);
      }
      return;
  }
}

/** A schema's variant, and a categorical one's `multi_select`, are fixed at creation: labels already given depend on them. */
function validateInputUnchanged(existing: LabelSchemaInput, next: LabelSchemaInput): void {
  if (existing.kind !== next.kind) {
    throw invalidParameter(
      `A label schema's input type cannot be changed after creation (existing: ${INPUT_CLASS_NAMES[existing.kind]}, got: ${INPUT_CLASS_NAMES[next.kind]}).`,
    );
  }
  if (
    existing.kind === "categorical" &&
    next.kind === "categorical" &&
    existing.multiSelect !== next.multiSelect
  ) {
    throw invalidParameter("`InputCategorical.multi_select` cannot be changed after creation.");
  }
}

export interface LabelSchemaFields {
  name: string;
  input: LabelSchemaInput;
  instruction: string | undefined;
}

/** mlflow's `validate_schema_for_create`. */
export function validateForCreate(fields: LabelSchemaFields): void {
  validateName(fields.name);
  validateNotReservedName(fields.name);
  validateInstruction(fields.instruction);
  validateInput(fields.input);
}

export interface LabelSchemaChanges {
  name?: string | undefined;
  instruction?: string | undefined;
  enableComment?: boolean | undefined;
  input?: LabelSchemaInput | undefined;
}

/** mlflow's `validate_schema_for_update`: the default question is never edited, even with nothing to change. */
export function validateForUpdate(existing: LabelSchema, changes: LabelSchemaChanges): void {
  if (existing.isDefault) throw invalidParameter("The experiment's default question cannot be edited.");
  if (changes.name !== undefined) {
    validateName(changes.name);
    validateNotReservedName(changes.name);
  }
  validateInstruction(changes.instruction);
  if (changes.input !== undefined) {
    validateInput(changes.input);
    validateInputUnchanged(existing.input, changes.input);
  }
}
