/**
 * MLflow's answer to a request that lacks inputs its signature requires. Its pyfunc schema enforcement
 * (`mlflow.models.utils._enforce_schema`) raises "Model is missing inputs [...]", which `_validate_prediction_input`
 * and the scoring server wrap with the data and schema reprs; mlflow 3.17.2 answers 400 INVALID_PARAMETER_VALUE:
 * "Failed to predict data '   k\n0  1'. \nError: Failed to enforce schema of data '   k\n0  1' with schema
 * '['a': double (required)]'. Error: Model is missing inputs ['a']. Note that there were extra inputs: ['k']."
 * The data is a DataFrame (dataframe_split, dataframe_records, CSV) or a dict of numpy arrays (`instances`
 * records, an `inputs` dict: "{'k': array([1])}"); the schema named columns or named tensors
 * ("['a': Tensor('float64', (-1,))]"). The same check runs for every flavor served through pyfunc (ONNX
 * included), so FlowOps words it so for all.
 */
import { FlowOpsError } from "../../errors.js";
import { pythonFloatRepr } from "./pythonRepr.js";
import type { ColumnSpec } from "../signature.js";
import { jsonValues, type Tensor } from "../tensor.js";
import { pythonListRepr } from "./mlflowMessages.js";
import {
  declaredDtype,
  declaredKind,
  isRequired,
  isTensorInput,
  schemaRepr,
  tensorDtype,
  type SchemaInput,
  type SchemaInputs,
} from "./mlflowSchemaRepr.js";
import { numpyArrayRepr, type NumpyArray, type NumpyDtype } from "./numpyRepr.js";
import { dataFrameRepr, type ReprColumn, type ReprKind } from "./pandasRepr.js";
import type { ModelInput } from "./predictRequest.js";

export { schemaRepr } from "./mlflowSchemaRepr.js";
export type { SchemaInputs } from "./mlflowSchemaRepr.js";

type Frame = ModelInput & { kind: "frame" };

/** MLflow's error for the frame when it lacks a required input of `schema`; undefined when it lacks none. */
export function missingInputsError(frame: Frame, schema: SchemaInputs): FlowOpsError | undefined {
  const reason = missingReason(frame.columns ?? [], schema);
  return reason === undefined ? undefined : enforcementError(frameRepr(frame, schema), schema, reason);
}

/**
 * MLflow's error for an `inputs` dict of named tensors lacking a required input of `schema`; undefined when it
 * lacks none, or when MLflow's parsing would refuse a value first (text for a numeric input), which the caller
 * answers as before. For a column schema MLflow first makes the dict a DataFrame, whose refusals come first.
 */
export function missingDictInputsError(
  tensors: readonly Tensor[],
  schema: SchemaInputs,
): FlowOpsError | undefined {
  const reason = missingReason(
    tensors.map((tensor) => tensor.name),
    schema,
  );
  if (reason === undefined) return undefined;
  const data = dictRepr(tensors, schema);
  if (data === undefined) return undefined;
  const isColumns = !isTensorInput((schema as readonly SchemaInput[])[0] as SchemaInput);
  return enforcementError(
    data,
    schema,
    (isColumns ? dataFrameRefusal(tensors, schema) : undefined) ?? reason,
  );
}

/**
 * MLflow's error for an `inputs` dict that a column `schema` takes as a DataFrame of all its members, the ones it
 * does not declare included, when pandas refuses to build it (members of unequal lengths); undefined otherwise.
 */
export function dictFrameError(
  tensors: readonly Tensor[],
  schema: readonly ColumnSpec[],
): FlowOpsError | undefined {
  const refusal = dataFrameRefusal(tensors, schema);
  if (refusal === undefined) return undefined;
  const data = dictRepr(tensors, schema);
  return data === undefined ? undefined : enforcementError(data, schema, refusal);
}

/**
 * The dict of numpy arrays as MLflow prints it: declared members cast to their dtype, the others as sent;
 * undefined where MLflow's parsing would refuse a value first (text for a numeric input).
 */
export function dictRepr(tensors: readonly Tensor[], schema: SchemaInputs): string | undefined {
  const specs = schema as readonly SchemaInput[];
  const arrays: [string, string][] = [];
  for (const tensor of tensors) {
    const spec = specs.find((s) => s.name === tensor.name);
    if (spec !== undefined && !isTensorInput(spec) && tensor.shape.length === 0) {
      const scalar = numpyScalarRepr(tensor, declaredDtype(spec));
      if (scalar === undefined) return undefined;
      arrays.push([tensor.name, scalar]);
      continue;
    }
    const array = convertedArray(tensor, spec);
    if (array === undefined) return undefined;
    arrays.push([tensor.name, numpyArrayRepr(array)]);
  }
  return `{${arrays.map(([name, repr]) => `${quoted(name)}: ${repr}`).join(", ")}}`;
}

/**
 * A column's single value as MLflow's cast leaves it (`np.array([value], dtype)[0]`), a numpy scalar:
 * `np.float64(1.0)`, `np.int64(2)`, `np.True_`; undefined for the dtypes not printed here (text, object).
 */
function numpyScalarRepr(tensor: Tensor, dtype: NumpyDtype): string | undefined {
  const array = castArray({ ...tensor, shape: [1] }, dtype);
  const value: unknown = array?.values[0];
  if (array === undefined || value === undefined) return undefined;
  if (dtype === "bool") return value === true ? "np.True_" : "np.False_";
  if (dtype.startsWith("float") && typeof value === "number") return `np.${dtype}(${pythonFloatRepr(value)})`;
  if (dtype.startsWith("int") && (typeof value === "number" || typeof value === "bigint"))
    return `np.${dtype}(${value})`;
  return undefined;
}

/** "Model is missing inputs [...]." and the extra inputs, or undefined when no required input is missing. */
function missingReason(names: readonly string[], schema: SchemaInputs): string | undefined {
  const specs = schema as readonly SchemaInput[];
  const missing = specs.filter((spec) => isRequired(spec) && !names.includes(spec.name as string));
  if (missing.length === 0) return undefined;
  const declared = new Set(specs.map((spec) => spec.name));
  // MLflow lists the extra inputs in the order of a Python set: the request's own order is exact for one of them.
  const extra = names.filter((name) => !declared.has(name));
  let reason = `Model is missing inputs ${pythonListRepr(missing.map((spec) => spec.name as string))}.`;
  if (extra.length > 0) reason += ` Note that there were extra inputs: ${pythonListRepr(extra)}.`;
  return reason;
}

export function enforcementError(data: string, schema: SchemaInputs, reason: string): FlowOpsError {
  const enforced = `Failed to enforce schema of data '${data}' with schema '${schemaRepr(schema)}'. Error: ${reason}`;
  // mlflow/pyfunc/__init__.py `_validate_prediction_input` passes this class: the code alone reads as KAM00.
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `Failed to predict data '${data}'. \nError: ${enforced}`,
    {
      errorClass: "SCHEMA_ENFORCEMENT_FAILED",
    },
  );
}

/**
 * Why `pd.DataFrame(dict)` refuses the arrays, as `_enforce_schema` reports it for a column schema. A declared
 * member sent as one value is a numpy scalar after MLflow's cast, and a dict of nothing else (none at all
 * included) becomes one row; an undeclared one stays a 0-d array, which pandas does not take for a scalar.
 */
function dataFrameRefusal(tensors: readonly Tensor[], schema: SchemaInputs): string | undefined {
  const prefix =
    "This model contains a column-based signature, which suggests a DataFrame input. There was an error casting " +
    "the input data to a DataFrame: ";
  const specs = schema as readonly SchemaInput[];
  const numpyScalar = (tensor: Tensor): boolean =>
    tensor.shape.length === 0 && specs.some((spec) => spec.name === tensor.name);
  if (tensors.every(numpyScalar)) return undefined;
  const lengths = tensors.filter((tensor) => tensor.shape.length > 0).map((tensor) => tensor.shape[0]);
  if (lengths.length === 0) return `${prefix}If using all scalar values, you must pass an index`;
  if (lengths.some((length) => length !== lengths[0]))
    return `${prefix}All arrays must be of the same length`;
  return undefined;
}

/**
 * `convert_data_type`'s array of one sent value: `np.array(value, dtype)` of the declared input's dtype, else
 * `np.array(value)`, a 0-d array for a single value; undefined where numpy would refuse the cast.
 */
export function convertedArray(tensor: Tensor, spec: SchemaInput | undefined): NumpyArray | undefined {
  if (spec === undefined) return ownArray(tensor);
  if (tensor.shape.length > 0) return castArray(tensor, declaredDtype(spec));
  const one = castArray({ ...tensor, shape: [1] }, declaredDtype(spec));
  return one === undefined ? undefined : { ...one, shape: [] };
}

/** `np.array(value)` of a tensor's values as the request sent them. */
function ownArray(tensor: Tensor): NumpyArray {
  if (tensor.jsonData !== undefined) return { dtype: "object", shape: tensor.shape, values: tensor.jsonData };
  const values = jsonValues(tensor);
  const hasNulls = tensor.nulls !== undefined && tensor.nulls.length > 0;
  const dtype = hasNulls ? "object" : tensorDtype(tensor.datatype);
  return { dtype, shape: tensor.shape, values };
}

/** `np.array(value, dtype)`; undefined where numpy would refuse (text to a number) or the value is a scalar. */
function castArray(tensor: Tensor, dtype: NumpyDtype): NumpyArray | undefined {
  const own = ownArray(tensor);
  if (tensor.shape.length === 0) return undefined;
  // np.array([1.0], object) keeps Python floats, which print as 1.0; np.array(values, str) makes each one text.
  const floats = own.dtype.startsWith("float");
  if (dtype === "object") {
    return { dtype, shape: own.shape, values: floats ? own.values.map(pythonFloatCell) : own.values };
  }
  if (dtype === "str") {
    if (own.dtype === "object") return undefined;
    const cell = floats ? (value: unknown) => strCell(pythonFloatCell(value)) : strCell;
    return { dtype, shape: own.shape, values: own.values.map(cell) };
  }
  if (own.dtype === "str") return undefined;
  const kind = dtypeKind(dtype);
  const values: unknown[] = [];
  for (const value of own.values) {
    const cell = isPythonFloatCell(value) ? value.float : value;
    // None casts to NaN for a float dtype only; numpy refuses it (and text) for the others.
    if (typeof cell === "string" || (cell === null && kind !== "float")) return undefined;
    values.push(cell === null ? NaN : castCell(cell, kind));
  }
  return { dtype, shape: own.shape, values };
}

function pythonFloatCell(value: unknown): unknown {
  return typeof value === "number" ? { float: value } : value;
}

function isPythonFloatCell(value: unknown): value is { float: number } {
  return typeof value === "object" && value !== null && "float" in value;
}

/** `str()` of the element's own Python value, a float where the list was one of floats (`{float: 1}`). */
function strCell(value: unknown): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (isPythonFloatCell(value)) return pythonFloatRepr(value.float);
  if (typeof value === "number" && !Number.isInteger(value)) return pythonFloatRepr(value);
  return String(value);
}

function dtypeKind(dtype: NumpyDtype): ReprKind {
  if (dtype.startsWith("float")) return "float";
  return dtype === "bool" ? "bool" : "int";
}

function castCell(value: unknown, kind: ReprKind): unknown {
  const number = typeof value === "boolean" ? Number(value) : value;
  if (kind === "bool") return number !== 0 && number !== 0n;
  if (kind === "int" && typeof number === "number") return Math.trunc(number);
  if (kind === "float" && typeof number === "bigint") return Number(number);
  return number;
}

/**
 * MLflow's error for a frame that an un-named signature refuses: `reason` is its schema check's, the data the
 * frame as it holds it then (a DataFrame cast by position, to a tensor's one dtype, or `instances` records' dict
 * of arrays).
 */
export function unnamedFrameError(frame: Frame, schema: SchemaInputs, reason: string): FlowOpsError {
  return enforcementError(frameRepr(frame, schema, true), schema, reason);
}

/**
 * The data as MLflow holds it when it checks the schema: `instances` records as a dict of arrays, else a frame;
 * `byPosition`: each column cast to the spec at its place (an un-named signature's; its last for a tensor's),
 * else to the one of its name.
 */
function frameRepr(frame: Frame, schema: SchemaInputs, byPosition = false): string {
  const specs = schema as readonly SchemaInput[];
  const specOf = (name: string, c: number): SchemaInput | undefined => {
    if (frame.recordArrays === true && byPosition) return undefined;
    return byPosition ? specs[Math.min(c, specs.length - 1)] : specs.find((s) => s.name === name);
  };
  const columns = (frame.columns ?? []).map((name, c): ReprColumn & { spec?: SchemaInput } => {
    const cells = frame.rows.map((row) => (row[c] === undefined ? null : row[c]));
    const spec = specOf(name, c);
    const kind = spec === undefined ? inferredKind(cells, frame, c) : declaredKind(spec);
    const typed = kind === "text" || frame.textCells !== "csv" ? cells : cells.map(csvNumber);
    return { name, kind, cells: typed, ...(spec === undefined ? {} : { spec }) };
  });
  if (frame.recordArrays !== true) return dataFrameRepr(columns, frame.rows.length, frame.index);
  const members = columns.map((column) => `${quoted(column.name)}: ${numpyArrayRepr(recordsArray(column))}`);
  return `{${members.join(", ")}}`;
}

/**
 * One key's values of `instances` records as `parse_instances_data` makes them: `np.array` of each value cast to
 * its input (numpy scalars of the column's dtype, arrays of the tensor's), nested lists a further dimension.
 */
function recordsArray(column: ReprColumn & { spec?: SchemaInput }): NumpyArray {
  const cells = column.cells;
  const inner = Array.isArray(cells[0]) ? nestedShape(cells[0]) : [];
  const values = inner.length === 0 ? cells : cells.flatMap((cell) => (cell as unknown[]).flat(inner.length));
  const shape = [cells.length, ...inner];
  const spec = column.spec;
  if (spec !== undefined && (isTensorInput(spec) || column.kind !== "text")) {
    const dtype = declaredDtype(spec);
    return {
      dtype,
      shape,
      values:
        dtype === "str" || dtype === "object" ? values : values.map((v) => castCell(v, dtypeKind(dtype))),
    };
  }
  // Each value is its own np.array first: with a None among them, numpy keeps the 0-d arrays as objects.
  if (spec === undefined && inner.length === 0 && values.includes(null)) {
    return { dtype: "object", shape, values: values.map((value) => ({ array: value })) };
  }
  if (column.kind === "text") {
    return { dtype: values.every((value) => typeof value === "string") ? "str" : "object", shape, values };
  }
  return {
    dtype: column.kind === "int" ? "int64" : column.kind === "float" ? "float64" : "bool",
    shape,
    values,
  };
}

function nestedShape(value: unknown[]): number[] {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  return shape;
}

/** The dtype pandas (or numpy) infers for a column the signature does not declare. */
function inferredKind(cells: readonly unknown[], frame: Frame, column: number): ReprKind {
  const values = frame.textCells === "csv" ? cells.map(csvNumber) : cells;
  const present = values.filter((cell) => cell !== null);
  const missing = present.length < values.length;
  if (present.length > 0 && present.every((cell) => typeof cell === "boolean"))
    return missing ? "text" : "bool";
  if (!present.every((cell) => typeof cell === "number" || typeof cell === "bigint")) return "text";
  const integral = present.every((cell) => typeof cell === "bigint" || Number.isInteger(cell));
  return integral && !missing && frame.floatColumn?.(column) !== true ? "int" : "float";
}

/** A CSV cell as pandas.read_csv types it: a number where the text is one, missing where it is empty. */
function csvNumber(cell: unknown): unknown {
  if (cell === null || cell === "") return null;
  if (typeof cell !== "string") return cell;
  const value = Number(cell);
  return cell.trim() !== "" && Number.isFinite(value) ? value : cell;
}

function quoted(name: string): string {
  return pythonListRepr([name]).slice(1, -1);
}
