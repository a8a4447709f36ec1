/**
 * Label schemas as the store returns them and as MLflow's `LabelSchema` message spells them: fields in the
 * message's field-number order, `instruction` and `created_by` only when set, `input` as the one variant of
 * the `LabelSchemaInput` oneof that the schema has.
 */

export type LabelSchemaType = "FEEDBACK" | "EXPECTATION";

/** The input variants mlflow's tracking store accepts (InputPassFail, InputCategorical, InputNumeric, InputText). */
export type LabelSchemaInput =
  | { kind: "pass_fail"; positiveLabel: string; negativeLabel: string }
  | { kind: "categorical"; options: string[]; multiSelect: boolean }
  | { kind: "numeric"; minValue: number | undefined; maxValue: number | undefined }
  | { kind: "text"; maxLength: number | undefined };

export interface LabelSchema {
  schemaId: string;
  experimentId: string;
  name: string;
  type: LabelSchemaType;
  instruction: string | undefined;
  enableComment: boolean;
  input: LabelSchemaInput;
  createdBy: string | undefined;
  createdAt: number;
  lastUpdatedAt: number;
  isDefault: boolean;
}

/** The experiment's protected default question, seeded by the first listing (mlflow's validation.py). */
export const DEFAULT_LABEL_SCHEMA_NAME = "Feedback";
export const DEFAULT_LABEL_SCHEMA_INSTRUCTION = "Share any feedback on this trace.";

/** mlflow's class names for the variants, which its update errors quote. */
export const INPUT_CLASS_NAMES: Readonly<Record<LabelSchemaInput["kind"], string>> = {
  pass_fail: "InputPassFail",
  categorical: "InputCategorical",
  numeric: "InputNumeric",
  text: "InputText",
};

/** The `LabelSchemaInput` message: only the variant's fields that are set, as each `to_proto` writes them. */
export function toLabelSchemaInputWire(input: LabelSchemaInput) {
  switch (input.kind) {
    case "pass_fail":
      return { pass_fail: { positive_label: input.positiveLabel, negative_label: input.negativeLabel } };
    case "categorical":
      return { categorical: { options: input.options, multi_select: input.multiSelect } };
    case "numeric":
      return {
        numeric: {
          ...(input.minValue === undefined ? {} : { min_value: input.minValue }),
          ...(input.maxValue === undefined ? {} : { max_value: input.maxValue }),
        },
      };
    case "text":
      return { text: input.maxLength === undefined ? {} : { max_length: input.maxLength } };
  }
}

/** The `LabelSchema` message. */
export function toLabelSchemaWire(s: LabelSchema) {
  return {
    schema_id: s.schemaId,
    experiment_id: s.experimentId,
    name: s.name,
    type: s.type,
    ...(s.instruction === undefined ? {} : { instruction: s.instruction }),
    enable_comment: s.enableComment,
    input: toLabelSchemaInputWire(s.input),
    ...(s.createdBy === undefined ? {} : { created_by: s.createdBy }),
    created_at: s.createdAt,
    last_updated_at: s.lastUpdatedAt,
    is_default: s.isDefault,
  };
}
