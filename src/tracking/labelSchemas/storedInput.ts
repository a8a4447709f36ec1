/**
 * A schema's input as the `input_type` and `input_config` columns hold it: the variant's name and its fields
 * as JSON with mlflow's keys (`_input_to_dict`), unset bounds and lengths as null. JSON has no NaN or
 * infinities, which a numeric bound may be (protobuf reads "NaN" and "Infinity"), so those are written as
 * those strings and read back as the numbers.
 */
import { FlowOpsError } from "../../errors.js";
import type { LabelSchemaInput } from "./entities.js";

export interface StoredInput {
  input_type: string;
  input_config: string;
}

function boundToJson(value: number | undefined): number | string | null {
  if (value === undefined) return null;
  return Number.isFinite(value) ? value : String(value);
}

function boundFromJson(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number(value);
  return undefined;
}

export function toStoredInput(input: LabelSchemaInput): StoredInput {
  const config = (() => {
    switch (input.kind) {
      case "pass_fail":
        return { positive_label: input.positiveLabel, negative_label: input.negativeLabel };
      case "categorical":
        return { options: input.options, multi_select: input.multiSelect };
      case "numeric":
        return { min_value: boundToJson(input.minValue), max_value: boundToJson(input.maxValue) };
      case "text":
        return { max_length: input.maxLength ?? null };
    }
  })();
  return { input_type: input.kind, input_config: JSON.stringify(config) };
}

export function fromStoredInput(stored: StoredInput): LabelSchemaInput {
  const config = JSON.parse(stored.input_config) as Record<string, unknown>;
  switch (stored.input_type) {
    case "pass_fail":
      return {
        kind: "pass_fail",
        positiveLabel: String(config["positive_label"]),
        negativeLabel: String(config["negative_label"]),
      };
    case "categorical":
      return {
        kind: "categorical",
        options: (config["options"] as string[] | undefined) ?? [],
        multiSelect: config["multi_select"] === true,
      };
    case "numeric":
      return {
        kind: "numeric",
        minValue: boundFromJson(config["min_value"]),
        maxValue: boundFromJson(config["max_value"]),
      };
    case "text":
      return {
        kind: "text",
        maxLength: typeof config["max_length"] === "number" ? config["max_length"] : undefined,
      };
    default:
      throw new FlowOpsError(
        "INTERNAL_ERROR",
        `Unknown label schema input_type '${stored.input_type}'; expected one of 'pass_fail', 'categorical', 'numeric', 'text'.`,
      );
  }
}
