/**
 * A DataFrame (dataframe_split, dataframe_records, CSV, `instances` records) for a model whose signature names
 * no input. MLflow's schema enforcement takes the frame by position there: an un-named column signature casts
 * its columns in order and hands the model the frame under its own column names; an un-named 1-D tensor takes
 * the frame's one column as the array (`_enforce_tensor_schema`), and refuses several, or the dict of arrays
 * `instances` records make (mlflow 3.17.2 answers dataframe_records `[{"a": 1}]` with 200 for both). The runtime's
 * specs carry positional names ("0", "input"), which the frame's columns never match by name.
 */
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { columnDatatype } from "../signature.js";
import type { ColumnTarget, Frame } from "./frameTensors.js";
import { unnamedFrameError, type SchemaInputs } from "./mlflowMissingInputs.js";

const MULTIPLE_COLUMNS =
  "This model contains a model signature with an unnamed input. Since the input data is a pandas DataFrame " +
  "containing multiple columns, the input shape must be of the structure (-1, number_of_dataframe_columns). " +
  "Instead, the input DataFrame passed had {n} columns and an input shape of (-1,) with all values within the " +
  "DataFrame of scalar type. Please adjust the passed in DataFrame to match the expected structure";

/** MLflow's words, the double space after "inputs" included. */
function fewerColumns(declared: number, sent: number): string {
  return (
    `Model inference is missing inputs. The model signature declares ${declared} inputs  but the provided ` +
    `value only has ${sent} inputs. Note: the inputs were not named in the signature so we can only verify ` +
    "their count."
  );
}

const RECORDS_DICT =
  "This model contains a tensor-based model signature with no input names, which suggests a numpy array input " +
  "or a pandas dataframe input with proper column values, but an input of type <class 'dict'> was found.";

/**
 * The frame as the un-named signature takes it, by position: a 1-D tensor's one column renamed to its spec;
 * undefined where the signature names its inputs, the frame names no columns, or the usual reading applies.
 */
export function unnamedSignatureFrame(
  frame: Frame,
  specs: readonly TensorSpec[],
  signature: ModelSignature | undefined,
): Frame | undefined {
  const first = signature?.inputs[0];
  const names = frame.columns;
  if (signature === undefined || first === undefined || first.name !== undefined || names === undefined)
    return undefined;
  if (signature.kind !== "tensors" || frame.array === true) return undefined;
  const schema = signature.inputs as SchemaInputs;
  if (frame.recordArrays === true) throw unnamedFrameError(frame, schema, RECORDS_DICT);
  const spec = specs.length === 1 ? specs[0] : undefined;
  if (spec === undefined || spec.shape.length !== 1) return undefined;
  // A list of records (`inputs`) is a list to MLflow, refused as such before: left to the usual reading.
  if (frame.recordList !== undefined) return undefined;
  if (names.length > 1)
    throw unnamedFrameError(frame, schema, MULTIPLE_COLUMNS.replace("{n}", String(names.length)));
  return { ...frame, columns: [spec.name] };
}

/**
 * An un-named column signature's targets, by position, for a runtime whose specs are the signature's own ("0",
 * "1"...: a Python model): each target keeps the frame's name for its column, as MLflow hands the model the frame
 * under its own names. Undefined where the signature names its columns or the frame names none; a frame of fewer
 * columns is refused with MLflow's count check.
 */
export function unnamedColumnTargets(
  frame: Frame,
  specs: readonly TensorSpec[],
  signature: ModelSignature | undefined,
): ColumnTarget[] | undefined {
  const names = frame.columns;
  if (signature?.kind !== "columns" || names === undefined || signature.inputs.length === 0) return undefined;
  if (signature.inputs.some((column) => column.name !== undefined)) return undefined;
  // A list of records (`inputs`) is a list to MLflow, which fails otherwise; `instances` records' dict of arrays
  // meets MLflow's quirks past one column (its cast refuses int64 for a double column after the first).
  if (frame.recordList !== undefined || (frame.recordArrays === true && signature.inputs.length > 1))
    return undefined;
  if (names.length < signature.inputs.length) {
    const declared = signature.inputs.length;
    throw unnamedFrameError(frame, signature.inputs as SchemaInputs, fewerColumns(declared, names.length));
  }
  // An ONNX graph's inputs keep their own names: MLflow's onnx flavor looks the frame's columns up by them.
  if (specs.some((spec, index) => spec.name !== String(index))) return undefined;
  const targets = signature.inputs.map((column, index): ColumnTarget => {
    const spec = specs[index];
    return {
      name: names[index] as string,
      datatype: spec?.datatype ?? columnDatatype(column.type),
      shape: spec?.shape ?? [-1],
      required: column.required,
      // MLflow's schema enforcement leaves a string column's None alone (`_enforce_mlflow_datatype`).
      nullable: column.type === "string" && (spec?.datatype ?? "BYTES") === "BYTES",
    };
  });
  return targets;
}
