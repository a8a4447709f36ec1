/**
 * How MLflow takes a JSON object of inputs (`inputs`, or `instances` given as an object) against the model's
 * signature. Its parsing (`_cast_schema_type`) refuses the dict for a signature without input names; its schema
 * enforcement (`_enforce_schema`) checks that no required input is missing, makes a column signature's dict one
 * DataFrame of all its members, and then ignores the members the signature does not declare. mlflow 3.17.2
 * answers `{"inputs": {"a": [1], "k": [2]}}` to ColSpec(double, "a") or TensorSpec(float64, (-1,), "a") with 200,
 * the model seeing `a` alone. This module decides only which members go on; adaptInput adapts them.
 */
import type { ColumnSpec, ModelSignature } from "../signature.js";
import type { Tensor, TensorSpec } from "../tensor.js";
import { invalidInput } from "./invalidInput.js";
import { dictFrameError, missingDictInputsError, type SchemaInputs } from "./mlflowMissingInputs.js";
import { refuseDicts, refuseMixedText } from "./objectTensor.js";

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
  if (schema === undefined) return tensors;
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
  return extra && declared.length > 0 ? declared : tensors;
}
