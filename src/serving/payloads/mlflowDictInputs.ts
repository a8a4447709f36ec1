/**
 * How MLflow takes a JSON object of inputs (`inputs`, or `instances` given as an object) against the model's
 * signature. Its parsing (`_cast_schema_type`) refuses the dict for a signature without input names; its schema
 * enforcement (`_enforce_schema`) checks that no required input is missing, makes a column signature's dict one
 * DataFrame of all its members, and then ignores the members the signature does not declare. mlflow 3.17.2
 * answers `{"inputs": {"a": [1], "k": [2]}}` to ColSpec(double, "a") or TensorSpec(float64, (-1,), "a") with 200,
 * the model seeing `a` alone. A column signature's member sent as one value joins the DataFrame as pandas puts it
 * there (one row, or repeated beside a list); an empty dict is a dict missing every input. This module decides
 * only which members go on, and checks an `instances` dict's lengths as MLflow does; adaptInput adapts them.
 */
import type { ColumnSpec, ModelSignature } from "../signature.js";
import { dataFromJsonValues, jsonValues, type Tensor, type TensorSpec } from "../tensor.js";
import { invalidInput } from "./invalidInput.js";
import { isRequired, type SchemaInput } from "./mlflowSchemaRepr.js";
import { dictFrameError, missingDictInputsError, type SchemaInputs } from "./mlflowMissingInputs.js";
import { refuseDicts, refuseMixedText } from "./objectTensor.js";
import { emptyInputsError } from "./tfServingInput.js";

/** MLflow's message, its double space included; the dict is `<class 'dict'>` to Python whatever it holds. */
const UNNAMED_SIGNATURE_DICT =
  "Failed to parse input data. This model contains an un-named  model signature which expects a single " +
  "n-dimensional array or a single value as input, however, an input of type <class 'dict'> was found.";

/**
 * The members of the dict that the model takes. `specs` are the runtime's inputs, `schema` the signature's when
 * it names them all (see adaptInput), `columns` when they are scalar columns. Members neither declares are dropped
 * only where some declared one is present: otherwise the caller's missing-input error names them. A column
 * signature's dict of members of unequal lengths is refused as pandas refuses it, extra members or not.
 */
export function declaredDictTensors(
  tensors: readonly Tensor[],
  specs: readonly TensorSpec[],
  signature: ModelSignature | undefined,
  schema: SchemaInputs | undefined,
  columns: readonly ColumnSpec[] | undefined,
): readonly Tensor[] {
  const first = signature?.inputs[0];
  if (first !== undefined && first.name === undefined) throw invalidInput(UNNAMED_SIGNATURE_DICT);
  if (schema === undefined) {
    if (tensors.length === 0) throw emptyInputsError();
    return tensors;
  }
  if (tensors.length === 0) throw missingDictInputsError(tensors, schema) ?? emptyInputsError();
  // A member named as the runtime's input (an ONNX graph's own name) is FlowOps' to take, as adaptInput does.
  const names = new Set<string | undefined>(specs.map((spec) => spec.name));
  for (const spec of schema as readonly { name?: string }[]) names.add(spec.name);
  const declared = tensors.filter((tensor) => names.has(tensor.name));
  // MLflow's parsing refuses a declared member's value before its schema check sees the dict.
  refuseDicts(declared);
  refuseMixedText(declared);
  const extra = declared.length < tensors.length;
  // A column signature's DataFrame is built first, of every member; then the missing inputs are looked for.
  const refusal =
    (columns === undefined ? undefined : dictFrameError(tensors, columns)) ??
    (extra ? missingDictInputsError(tensors, schema) : undefined);
  if (refusal !== undefined) throw refusal;
  const taken = extra && declared.length > 0 ? declared : tensors;
  return columns === undefined ? taken : broadcastScalars(taken);
}

/**
 * A column signature's members sent as one value each, as pandas builds the DataFrame of them: one row when all
 * are, else each repeated down the length of the lists beside it (dictFrameError refused any other mix).
 */
function broadcastScalars(tensors: readonly Tensor[]): readonly Tensor[] {
  if (!tensors.some((tensor) => tensor.shape.length === 0)) return tensors;
  const count = tensors.find((tensor) => tensor.shape.length > 0)?.shape[0] ?? 1;
  return tensors.map((tensor) => (tensor.shape.length === 0 ? repeated(tensor, count) : tensor));
}

function repeated(tensor: Tensor, count: number): Tensor {
  const value = jsonValues(tensor)[0];
  const where = (index: number): string => `input '${tensor.name}' element ${index}`;
  const data = dataFromJsonValues(tensor.datatype, new Array<unknown>(count).fill(value), where);
  const column: Tensor = { name: tensor.name, datatype: tensor.datatype, shape: [count], data };
  if (tensor.nulls !== undefined && tensor.nulls.length > 0)
    column.nulls = Array.from({ length: count }, (_, i) => i);
  return column;
}

/**
 * MLflow's check of an `instances` dict (`parse_instances_data`): the members' lengths, after its cast, must
 * agree. Without a signature every member counts; with named inputs only the required ones that stay arrays (a
 * column's single value becomes a numpy scalar, a tensor's a 0-d array, whose `len()` Python refuses). An un-named
 * signature refuses the dict before (declaredDictTensors, or the worker's cast).
 */
export function checkInstancesLengths(
  tensors: readonly Tensor[],
  signature: ModelSignature | undefined,
  schema: SchemaInputs | undefined,
): void {
  if (signature?.inputs[0] !== undefined && signature.inputs[0].name === undefined) return;
  let checked = tensors;
  if (schema !== undefined) {
    const specs = schema as readonly SchemaInput[];
    const required = new Set(specs.filter(isRequired).map((spec) => spec.name));
    const columns = signature?.kind === "columns";
    checked = tensors.filter((t) => required.has(t.name) && !(columns && t.shape.length === 0));
  } else if (signature !== undefined) return;
  const lengthOf = (tensor: Tensor): number => {
    const length = tensor.shape[0];
    if (length !== undefined) return length;
    throw invalidInput(
      "Ensure that the input is a valid JSON-formatted string.\nError: TypeError('len() of unsized object')",
    );
  };
  const [first, ...rest] = checked;
  if (first === undefined) return;
  const expected = lengthOf(first);
  for (const tensor of rest) {
    if (lengthOf(tensor) !== expected) {
      throw invalidInput("The length of values for each input/column name are not the same");
    }
  }
}
