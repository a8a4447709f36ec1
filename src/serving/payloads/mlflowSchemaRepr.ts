/**
 * How MLflow prints a signature's inputs and casts request values to them before its schema check, for the
 * messages that quote both (mlflowMissingInputs.ts): `repr(Schema)` of columns (`'a': double (required)`) or of
 * named tensors (`'a': Tensor('float64', (-1,))`), and the numpy dtype each declared input gives its values.
 */
import type { ColumnSpec, ColumnType, TensorSignatureSpec } from "../signature.js";
import type { Datatype } from "../tensor.js";
import { pythonListRepr } from "./mlflowMessages.js";
import type { NumpyDtype } from "./numpyRepr.js";
import type { ReprKind } from "./pandasRepr.js";

/** A signature's inputs as MLflow's schema check reads them: named columns or named tensors. */
export type SchemaInput = ColumnSpec | TensorSignatureSpec;
export type SchemaInputs = readonly ColumnSpec[] | readonly TensorSignatureSpec[];

export function isTensorInput(spec: SchemaInput): spec is TensorSignatureSpec {
  return "dtype" in spec;
}

/** Tensor specs have no `required`: MLflow requires every one. */
export function isRequired(spec: SchemaInput): boolean {
  return isTensorInput(spec) || spec.required;
}

/** `repr(Schema)`: `['a': double (required), 'o': double (optional)]` or `['a': Tensor('float64', (-1,))]`. */
export function schemaRepr(schema: SchemaInputs): string {
  const items = (schema as readonly SchemaInput[]).map((spec) => {
    const name = spec.name === undefined ? "" : `${quoted(spec.name)}: `;
    if (isTensorInput(spec)) return `${name}Tensor(${quoted(spec.dtype)}, ${tupleRepr(spec.shape)})`;
    return `${name}${spec.type} (${spec.required ? "required" : "optional"})`;
  });
  return `[${items.join(", ")}]`;
}

function quoted(text: string): string {
  return pythonListRepr([text]).slice(1, -1);
}

function tupleRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** How a DataFrame column cast to the input prints (`_enforce_mlflow_datatype`, or `astype(dtype)`). */
export function declaredKind(spec: SchemaInput): ReprKind {
  if (isTensorInput(spec)) return dtypeKind(spec.dtype);
  switch (spec.type as ColumnType) {
    case "double":
    case "float":
      return "float";
    case "long":
    case "integer":
      return "int";
    case "boolean":
      return "bool";
    default:
      return "text";
  }
}

function dtypeKind(dtype: string): ReprKind {
  if (dtype.startsWith("float")) return "float";
  if (dtype.startsWith("int") || dtype.startsWith("uint")) return "int";
  return dtype === "bool" ? "bool" : "text";
}

/**
 * The dtype `np.array(values, dtype)` gives an `inputs` value declared by `spec` (`convert_data_type`); a
 * column's `DataType.to_numpy()` is numpy's str for `string` (binary and datetime are printed as objects).
 */
export function declaredDtype(spec: SchemaInput): NumpyDtype {
  if (isTensorInput(spec)) return numpyDtype(spec.dtype);
  switch (spec.type as ColumnType) {
    case "double":
      return "float64";
    case "float":
      return "float32";
    case "long":
      return "int64";
    case "integer":
      return "int32";
    case "boolean":
      return "bool";
    case "string":
      return "str";
    default:
      return "object";
  }
}

const NUMPY_DTYPES: readonly NumpyDtype[] = [
  "int64",
  "int32",
  "int16",
  "int8",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "float64",
  "float32",
  "float16",
  "bool",
  "str",
  "object",
];

function numpyDtype(name: string): NumpyDtype {
  return (NUMPY_DTYPES as readonly string[]).includes(name) ? (name as NumpyDtype) : "object";
}

/** The numpy dtype a tensor's values have on their own (`np.array(value)` of what the request sent). */
export function tensorDtype(datatype: Datatype): NumpyDtype {
  switch (datatype) {
    case "BOOL":
      return "bool";
    case "BYTES":
      return "str";
    case "FP16":
      return "float16";
    case "FP32":
      return "float32";
    case "FP64":
      return "float64";
    default:
      return datatype.toLowerCase() as NumpyDtype;
  }
}
