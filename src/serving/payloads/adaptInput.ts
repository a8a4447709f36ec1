/**
 * Checks a parsed request against the model's input specs and builds the tensors the runtime runs. Tensors are
 * matched by name (an unnamed one goes to a single-input model), coerced to the spec's datatype when values
 * survive (JSON numbers to FP32, integral floats to INT64) and shape-checked against -1 dims; frames become one
 * stacked [N, F] tensor or one tensor per column (see frameTensors.ts). All errors are 400s naming the input.
 * A model without inputs (a Python model without a signature) takes the tensors as parsed, values Python holds
 * as objects included (`jsonData`, see objectTensor.ts); a typed model takes `data` and refuses mixed text and
 * JSON objects, except numbers MLflow sends to a string input as their text (stringInputNumbers.ts). An MLflow dict is first checked against the signature as MLflow does (mlflowDictInputs.ts), which
 * drops the members it does not declare; other protocols' unknown inputs are refused.
 */
import { FlowOpsError } from "../../errors.js";
import { complexColumn, type ColumnSpec, type ModelSignature } from "../signature.js";
import { dataFromJsonValues, jsonValues, type Tensor, type TensorSpec } from "../tensor.js";
import { frameColumns, signatureTargets, stackFrame, type Frame } from "./frameTensors.js";
import { refuseDicts, refuseMixedText } from "./objectTensor.js";
import { untypedFrameTensors } from "./untypedFrameTensors.js";
import { mlflowSentOf, UNNAMED_INPUT, type ModelInput } from "./predictRequest.js";
import { checkBatchSizes } from "./batchRows.js";
import { missingDictInputsError, missingInputsError, type SchemaInputs } from "./mlflowMissingInputs.js";
import { checkInstancesLengths, declaredDictTensors } from "./mlflowDictInputs.js";
import { unnamedColumnTargets, unnamedSignatureFrame } from "./unnamedSignatureFrames.js";
import { withStringInputText } from "./stringInputNumbers.js";
import { refuseUnwrittenBigIntegers } from "./keptBigIntegers.js";
import { rowsAsListCells, withListCellText } from "./columnListCells.js";
import { refuseNonScalarFirstCells } from "./tensorSignatureFrameCells.js";
import { UNEXPECTED_MODEL_ERROR } from "./mlflowMessages.js";
import { castDataframeColumns } from "./pandasColumnCasts.js";
import {
  arrayMissingInputsError,
  recordsMissingInputsError,
  rowsSchemaError,
  tensorShapeError,
} from "./mlflowTensorSchemaLists.js";

export function adaptInput(
  input: ModelInput,
  specs: readonly TensorSpec[],
  signature?: ModelSignature,
): Tensor[] {
  const mlflowSent = mlflowSentOf(input);
  const cast = input.kind === "tensors" ? input.numpyCasts?.(signature, input.tensors) : undefined;
  if (input.kind === "frame" && input.numpyCasts !== undefined) {
    const rows = input.numpyCasts(signature);
    if (rows !== undefined) input = { ...input, rows };
  }
  const columns = namedColumns(signature);
  const schema = columns ?? namedTensors(signature);
  if (input.kind === "tensors" && input.instancesDict === true)
    checkInstancesLengths(input.tensors, signature, schema);
  // A Python model's worker casts such a request to its signature, as MLflow's scoring server does.
  if (input.schemaCast === true)
    return adaptUntyped(input).map((tensor) => ({ ...tensor, schemaCast: true }));
  switch (input.kind) {
    case "tensors": {
      if (mlflowSent !== undefined && signature?.kind === "tensors" && signature.inputs.length > 1) {
        const missing = arrayMissingInputsError(input.tensors, signature);
        if (missing !== undefined) throw missing;
      }
      let sent = withStringInputText(cast ?? input.tensors, specs, input.sentLeaves);
      if (input.sentLeaves !== undefined) sent = rowsAsListCells(sent, specs, columns);
      const tensors =
        input.mlflowDict === true && specs.length > 0
          ? declaredDictTensors(sent, specs, signature, schema, columns)
          : sent;
      refuseUnwrittenBigIntegers(input, tensors);
      if (mlflowSent !== undefined && signature?.kind === "tensors") {
        const misfit = tensorShapeError(sent, signature);
        if (misfit !== undefined) throw misfit;
      }
      // Only MLflow's `inputs` and `instances` holding text or objects carry numpyCasts: without a signature numpy
      // keeps those as text or object arrays, which onnxruntime refuses for a numeric input inside predict.
      if (signature === undefined && input.numpyCasts !== undefined) refuseUncastText(tensors, specs);
      return adaptTensors(tensors, specs, columns, schema);
    }
    case "frame": {
      if (mlflowSent !== undefined && signature?.kind === "tensors") {
        const refusal =
          recordsMissingInputsError(input, signature, mlflowSent) ??
          rowsSchemaError(input, signature, mlflowSent);
        if (refusal !== undefined) throw refusal;
      }
      if (input.pandasCasts === true) input = castDataframeColumns(input, signature) ?? input;
      if (columns === undefined && schema !== undefined && input.columns !== undefined) {
        const missing = missingInputsError(input, schema);
        if (missing !== undefined) throw missing;
      }
      refuseNonScalarFirstCells(input, specs, signature);
      const frame = withListCellText(input, specs, signature);
      return adaptFrame(unnamedSignatureFrame(frame, specs, signature) ?? frame, specs, columns, signature);
    }
  }
}

/** MLflow's answer to text or objects that reach a numeric input uncast (mlflowMessages.ts). */
function refuseUncastText(tensors: readonly Tensor[], specs: readonly TensorSpec[]): void {
  for (const tensor of tensors) {
    if (tensor.datatype !== "BYTES") continue;
    const spec =
      specs.find((each) => each.name === tensor.name) ??
      (tensor.name === UNNAMED_INPUT && specs.length === 1 ? specs[0] : undefined);
    if (spec !== undefined && spec.datatype !== "BYTES")
      throw new FlowOpsError("BAD_REQUEST", UNEXPECTED_MODEL_ERROR);
  }
}

/** The tensors a model without inputs takes. */
function adaptUntyped(input: ModelInput): Tensor[] {
  return input.kind === "tensors" ? input.tensors.slice() : untypedFrameTensors(input);
}

/**
 * The signature's columns when it is column-based and every column has a name. A signature with nested columns
 * (array, object, map, any) is enforced by MLflow's pyfunc itself, which takes the request as parsed.
 */
function namedColumns(signature: ModelSignature | undefined): readonly ColumnSpec[] | undefined {
  if (signature?.kind !== "columns" || signature.inputs.length === 0) return undefined;
  if (complexColumn(signature) !== undefined) return undefined;
  return signature.inputs.every((column) => column.name !== undefined) ? signature.inputs : undefined;
}

/** The signature's tensors when it is tensor-based and names every one, which MLflow's schema check matches by name. */
function namedTensors(signature: ModelSignature | undefined): SchemaInputs | undefined {
  if (signature?.kind !== "tensors" || signature.inputs.length === 0) return undefined;
  return signature.inputs.every((tensor) => tensor.name !== undefined) ? signature.inputs : undefined;
}

function adaptFrame(
  frame: Frame,
  specs: readonly TensorSpec[],
  columns: readonly ColumnSpec[] | undefined,
  signature?: ModelSignature,
): Tensor[] {
  const only = specs.length === 1 ? specs[0] : undefined;
  if (only !== undefined && only.shape.length >= 2) return [stackFrame(frame, only, columns)];
  if (columns !== undefined) return frameColumns(frame, signatureTargets(columns, specs));
  const unnamed = unnamedColumnTargets(frame, specs, signature);
  if (unnamed !== undefined) return frameColumns(frame, unnamed);
  if (specs.length === 0) return untypedFrameTensors(frame);
  return frameColumns(
    frame,
    specs.map((spec) => ({ name: spec.name, datatype: spec.datatype, shape: spec.shape, required: true })),
  );
}

function adaptTensors(
  tensors: readonly Tensor[],
  specs: readonly TensorSpec[],
  columns: readonly ColumnSpec[] | undefined,
  schema: SchemaInputs | undefined,
): Tensor[] {
  if (specs.length === 0) return tensors.slice();
  refuseDicts(tensors);
  refuseMixedText(tensors);
  const stacked = stackedColumns(tensors, specs, columns);
  if (stacked !== undefined) return adaptFrame(stacked, specs, columns);
  const first = tensors[0] as Tensor;
  // The common request: one tensor for a one-input model, matched without building a name index.
  if (tensors.length === 1 && specs.length === 1 && first.name === (specs[0] as TensorSpec).name) {
    return [conform(first, specs[0] as TensorSpec)];
  }
  if (tensors.length === 1 && first.name === UNNAMED_INPUT) {
    if (specs.length === 1) return [conform(first, specs[0] as TensorSpec)];
    if (first.shape.length === 2) return adaptFrame(tensorRows(first), specs, columns);
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `the input has no name, but the model takes ${specs.length} inputs (${names(specs)}); send them by name`,
    );
  }
  const byName = new Map<string, TensorSpec>();
  for (const spec of specs) byName.set(spec.name, spec);
  // Named tensors that do not match the runtime's inputs one to one are an MLflow dict, which its schema check
  // takes by the signature's names (tensors sent by an ONNX graph's own names are not).
  const matched = tensors.length === specs.length && tensors.every((t) => byName.has(t.name));
  if (schema !== undefined && !matched) {
    const missing = missingDictInputsError(tensors, schema);
    if (missing !== undefined) throw missing;
  }
  const unknown = tensors.find((t) => !byName.has(t.name));
  if (unknown !== undefined) {
    if (columns !== undefined && tensors.every((t) => columns.some((c) => c.name === t.name))) {
      return adaptFrame(columnTensorsAsFrame(tensors), specs, columns);
    }
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `unknown input '${unknown.name}'; the model's inputs are: ${names(specs)}`,
    );
  }
  const adapted: Tensor[] = [];
  for (const spec of specs) {
    const tensor = tensors.find((t) => t.name === spec.name);
    if (tensor !== undefined) adapted.push(conform(tensor, spec));
    else if (columns?.find((c) => c.name === spec.name)?.required !== false) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `missing input '${spec.name}'; the model's inputs are: ${names(specs)}`,
      );
    }
  }
  checkBatchSizes(adapted, specs);
  return adapted;
}

/** The tensor under the spec's name and datatype, after checking that its values and shape fit. */
function conform(tensor: Tensor, spec: TensorSpec): Tensor {
  let data = tensor.data;
  if (tensor.datatype !== spec.datatype) {
    // FP32 values for an FP16 input are converted (JSON cannot carry FP16 itself, see tensorFromJson).
    if (tensor.datatype === "BYTES" || spec.datatype === "BYTES") {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `input '${spec.name}': datatype ${tensor.datatype} cannot be converted to the model's ${spec.datatype}`,
      );
    }
    data = dataFromJsonValues(
      spec.datatype,
      jsonValues(tensor),
      (index) => `input '${spec.name}' element ${index}`,
    );
  }
  if (!shapeFits(tensor.shape, spec.shape)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `input '${spec.name}': shape [${tensor.shape.join(",")}] does not match [${spec.shape.join(",")}]`,
    );
  }
  const conformed: Tensor = { name: spec.name, datatype: spec.datatype, shape: tensor.shape, data };
  // Missing text stays missing: dropped, it would reach the model as "" (and ONNX would not refuse it).
  if (tensor.nulls !== undefined && tensor.nulls.length > 0) conformed.nulls = tensor.nulls;
  return conformed;
}

function shapeFits(shape: readonly number[], expected: readonly number[]): boolean {
  if (shape.length !== expected.length) return false;
  for (let i = 0; i < shape.length; i++) {
    const dim = expected[i] as number;
    if (dim !== -1 && dim !== shape[i]) return false;
  }
  return true;
}

/** A 2-D tensor's rows as a frame without column names (MLflow turns a 2-D array into a DataFrame the same way). */
function tensorRows(tensor: Tensor): Frame {
  const [count, width] = tensor.shape as [number, number];
  const values = jsonValues(tensor);
  const rows: unknown[][] = new Array<unknown[]>(count);
  for (let r = 0; r < count; r++) rows[r] = values.slice(r * width, (r + 1) * width);
  return { kind: "frame", columns: undefined, rows };
}

/**
 * 1-D tensors a column signature names (or a one-column signature's unnamed tensor), for a model whose one input
 * takes the columns side by side ([-1, F], sklearn-onnx's [-1, 1]): MLflow's schema enforcement makes them a
 * DataFrame, whose values the onnx flavor feeds to that input as [N, F].
 */
function stackedColumns(
  tensors: readonly Tensor[],
  specs: readonly TensorSpec[],
  columns: readonly ColumnSpec[] | undefined,
): Frame | undefined {
  const only = specs.length === 1 ? specs[0] : undefined;
  if (columns === undefined || only === undefined || only.shape.length < 2) return undefined;
  if (!tensors.every((tensor) => tensor.shape.length === 1)) return undefined;
  const single = tensors.length === 1 ? tensors[0] : undefined;
  if (single?.name === UNNAMED_INPUT && columns.length === 1)
    return columnTensorsAsFrame([{ ...single, name: (columns[0] as ColumnSpec).name as string }]);
  if (!tensors.every((tensor) => columns.some((column) => column.name === tensor.name))) return undefined;
  return columnTensorsAsFrame(tensors);
}

/** Named 1-D tensors of equal length (MLflow `inputs: {"col": [...]}`) as a frame with those columns. */
function columnTensorsAsFrame(tensors: readonly Tensor[]): Frame {
  const count = tensors[0]?.shape[0] ?? 0;
  for (const tensor of tensors) {
    if (tensor.shape.length !== 1 || tensor.shape[0] !== count) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `column '${tensor.name}' has shape [${tensor.shape.join(",")}]; every column must be a list of ${count} values`,
      );
    }
  }
  const values = tensors.map((tensor) => jsonValues(tensor));
  const rows: unknown[][] = new Array<unknown[]>(count);
  for (let r = 0; r < count; r++) rows[r] = values.map((column) => column[r]);
  return { kind: "frame", columns: tensors.map((tensor) => tensor.name), rows };
}

function names(specs: readonly TensorSpec[]): string {
  return specs.map((spec) => spec.name).join(", ");
}
