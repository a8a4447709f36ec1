/**
 * MLflow model signatures as stored in MLmodel (`signature: {inputs: <json str>, outputs: <json str>, params?}`),
 * in the JSON of `mlflow/types/schema.py`: column-based `[{"name": "x", "type": "double", "required": true}]` or
 * tensor-based `[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "x"}]`, and
 * params `[{"name": "k", "type": "long", "default": 3, "shape": null}]`. Also maps both kinds to the V2
 * datatypes the serving core speaks. Parsing only; enforcing the schema on requests is adaptInput's job.
 */
import { FlowOpsError } from "../errors.js";
import type { Datatype, TensorSpec } from "./tensor.js";

export const COLUMN_TYPES = [
  "double",
  "float",
  "long",
  "integer",
  "boolean",
  "string",
  "binary",
  "datetime",
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/**
 * MLflow's nested column types (`mlflow.types.schema` Array, Object, Map, AnyType), kept as MLflow wrote them so
 * that the model's metadata stays described. FlowOps does not enforce them: MLflow's pyfunc does, in the worker.
 */
export type ComplexType =
  | { type: "array"; items: ValueType }
  | { type: "object"; properties: Record<string, ValueType & { required: boolean }> }
  | { type: "map"; values: ValueType }
  | { type: "any" };
export type ValueType = { type: ColumnType } | ComplexType;

export type ColumnSpec =
  | { name?: string; type: ColumnType; required: boolean }
  | ({ name?: string; required: boolean } & ComplexType);

export interface TensorSignatureSpec {
  name?: string;
  /** numpy dtype name: float32, float64, int64, bool, object, ... */
  dtype: string;
  /** -1 = any size in that dimension. */
  shape: number[];
}

export interface ParamSpec {
  name: string;
  type: string;
  default: unknown;
  shape: number[] | null;
}

export type SignatureSchema =
  { kind: "columns"; specs: ColumnSpec[] } | { kind: "tensors"; specs: TensorSignatureSpec[] };

export type ModelSignature =
  | { kind: "columns"; inputs: ColumnSpec[]; outputs?: SignatureSchema; params?: ParamSpec[] }
  | { kind: "tensors"; inputs: TensorSignatureSpec[]; outputs?: SignatureSchema; params?: ParamSpec[] };

/**
 * Parses the signature block of an MLmodel file (`file` names it in errors). Undefined when the model has no
 * input signature. Nested column types (array, object, map, any) are parsed as MLflow writes them.
 */
export function parseSignature(
  mlmodel: { inputs?: string; outputs?: string; params?: string },
  file: string,
): ModelSignature | undefined {
  const inputs = parseSchema(mlmodel.inputs, `${file}: signature.inputs`);
  if (inputs === undefined) return undefined;
  const outputs = parseSchema(mlmodel.outputs, `${file}: signature.outputs`);
  const params = parseParams(mlmodel.params, `${file}: signature.params`);
  const extra = {
    ...(outputs === undefined ? {} : { outputs }),
    ...(params === undefined ? {} : { params }),
  };
  return inputs.kind === "columns"
    ? { kind: "columns", inputs: inputs.specs, ...extra }
    : { kind: "tensors", inputs: inputs.specs, ...extra };
}

function parseJsonText(text: string | undefined, where: string): unknown {
  if (text === undefined) return undefined;
  if (typeof text !== "string") throw signatureError(where, "must be a JSON string");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw signatureError(where, `is not valid JSON (${(error as Error).message})`);
  }
}

function parseSchema(text: string | undefined, where: string): SignatureSchema | undefined {
  const parsed = parseJsonText(text, where);
  if (parsed === undefined || parsed === null) return undefined;
  if (!Array.isArray(parsed)) throw signatureError(where, "must be a JSON list of column or tensor specs");
  const isTensor = (spec: unknown): boolean => isRecord(spec) && spec.type === "tensor";
  const tensorCount = parsed.filter(isTensor).length;
  if (tensorCount > 0 && tensorCount < parsed.length) {
    throw signatureError(where, "mixes column and tensor specs; MLflow allows only one kind per schema");
  }
  if (tensorCount > 0) {
    return { kind: "tensors", specs: parsed.map((spec, index) => tensorSpec(spec, `${where}[${index}]`)) };
  }
  return { kind: "columns", specs: parsed.map((spec, index) => columnSpec(spec, `${where}[${index}]`)) };
}

function columnSpec(spec: unknown, where: string): ColumnSpec {
  if (!isRecord(spec)) throw signatureError(where, "must be an object with a 'type'");
  const name = optionalName(spec, where);
  const label = name === undefined ? where : `${where} '${name}'`;
  const type = valueType(spec, label);
  // Signatures written before MLflow 2.10 have no `required`; every column was required then.
  const required = spec.required === undefined ? true : spec.required;
  if (typeof required !== "boolean") throw signatureError(label, "'required' must be true or false");
  return { ...(name === undefined ? {} : { name }), ...type, required } as ColumnSpec;
}

/** A column's or nested value's type, as `mlflow.types.schema` writes it in `to_dict()`. */
function valueType(spec: Record<string, unknown>, label: string): ValueType {
  const nested = (value: unknown, where: string): ValueType => {
    if (!isRecord(value)) throw signatureError(where, "must be an object with a 'type'");
    return valueType(value, where);
  };
  switch (spec.type) {
    case "array":
      return { type: "array", items: nested(spec.items, `${label} items`) };
    case "map":
      return { type: "map", values: nested(spec.values, `${label} values`) };
    case "any":
      return { type: "any" };
    case "object": {
      if (!isRecord(spec.properties)) throw signatureError(label, "needs a 'properties' object");
      const properties: Record<string, ValueType & { required: boolean }> = {};
      for (const [key, property] of Object.entries(spec.properties)) {
        const where = `${label} property '${key}'`;
        const required = isRecord(property) && property.required !== undefined ? property.required : true;
        if (typeof required !== "boolean") throw signatureError(where, "'required' must be true or false");
        // defineProperty: a property named `__proto__` must stay a property, not replace the prototype.
        Object.defineProperty(properties, key, {
          value: { ...nested(property, where), required },
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return { type: "object", properties };
    }
    default:
      if (isColumnType(spec.type)) return { type: spec.type };
      throw signatureError(
        label,
        `has type ${JSON.stringify(spec.type)}, which is not an MLflow column type ` +
          `(${[...COLUMN_TYPES, "array", "object", "map", "any"].join(", ")})`,
      );
  }
}

/** The first column of a nested type (array, object, map, any), which only MLflow's pyfunc can enforce. */
export function complexColumn(signature: ModelSignature | undefined): ColumnSpec | undefined {
  if (signature?.kind !== "columns") return undefined;
  return signature.inputs.find((column) => !isColumnType(column.type));
}

function tensorSpec(spec: unknown, where: string): TensorSignatureSpec {
  const record = spec as Record<string, unknown>;
  const name = optionalName(record, where);
  const label = name === undefined ? where : `${where} '${name}'`;
  const body = record["tensor-spec"];
  if (!isRecord(body)) throw signatureError(label, "needs a 'tensor-spec' object with 'dtype' and 'shape'");
  if (typeof body.dtype !== "string") throw signatureError(label, "'tensor-spec.dtype' must be a string");
  const shape = body.shape;
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && (dim as number) >= -1)) {
    throw signatureError(label, "'tensor-spec.shape' must be a list of integers (-1 for any size)");
  }
  return { ...(name === undefined ? {} : { name }), dtype: body.dtype, shape: shape as number[] };
}

function parseParams(text: string | undefined, where: string): ParamSpec[] | undefined {
  const parsed = parseJsonText(text, where);
  if (parsed === undefined || parsed === null) return undefined;
  if (!Array.isArray(parsed)) throw signatureError(where, "must be a JSON list of param specs");
  return parsed.map((spec, index) => {
    const label = `${where}[${index}]`;
    if (!isRecord(spec) || typeof spec.name !== "string" || typeof spec.type !== "string") {
      throw signatureError(label, "must be an object with a string 'name' and 'type'");
    }
    const shape = spec.shape ?? null;
    if (shape !== null && !(Array.isArray(shape) && shape.every((dim) => Number.isInteger(dim)))) {
      throw signatureError(`${label} '${spec.name}'`, "'shape' must be null or a list of integers");
    }
    return {
      name: spec.name,
      type: spec.type,
      default: spec.default ?? null,
      shape: shape as number[] | null,
    };
  });
}

function optionalName(spec: Record<string, unknown>, where: string): string | undefined {
  if (spec.name === undefined || spec.name === null) return undefined;
  if (typeof spec.name !== "string") throw signatureError(where, "'name' must be a string");
  return spec.name;
}

function isColumnType(value: unknown): value is ColumnType {
  return typeof value === "string" && (COLUMN_TYPES as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function signatureError(where: string, problem: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", `${where} ${problem}`);
}

/**
 * The V2 datatype a column of this MLflow type travels as (binary as base64 text, datetime as ISO text, nested
 * values as their JSON text).
 */
export function columnDatatype(type: ColumnSpec["type"]): Datatype {
  switch (type) {
    case "double":
      return "FP64";
    case "float":
      return "FP32";
    case "long":
      return "INT64";
    case "integer":
      return "INT32";
    case "boolean":
      return "BOOL";
    case "string":
    case "binary":
    case "datetime":
    case "array":
    case "object":
    case "map":
    case "any":
      return "BYTES";
  }
}

const NUMPY_DATATYPES: Readonly<Record<string, Datatype>> = {
  bool: "BOOL",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  float16: "FP16",
  float32: "FP32",
  float64: "FP64",
  object: "BYTES",
  str: "BYTES",
  bytes: "BYTES",
};

/** The V2 datatype of a numpy dtype name (`<U5`/`|S3` string dtypes are BYTES); undefined when there is none. */
export function numpyDatatype(dtype: string): Datatype | undefined {
  const known = NUMPY_DATATYPES[dtype];
  if (known !== undefined) return known;
  return /^[<>|=]?[USa]\d*$/.test(dtype) ? "BYTES" : undefined;
}

/**
 * The inputs a model's V2 metadata lists. A Python model whose signature has nested columns declares no typed
 * inputs, as the worker casts its requests to the signature itself; its metadata still names each column, the
 * nested ones as BYTES (how KServe describes an object column), all of shape [-1].
 */
export function metadataInputSpecs(
  inputs: readonly TensorSpec[],
  signature: ModelSignature | undefined,
): TensorSpec[] {
  if (inputs.length > 0 || signature === undefined || complexColumn(signature) === undefined)
    return [...inputs];
  return signatureInputSpecs(signature);
}

/**
 * The input specs a signature describes: one [-1] spec per column (named by the column, or by its position when
 * the signature has no names), or one spec per tensor. Unknown numpy dtypes are errors naming the input.
 */
export function signatureInputSpecs(signature: ModelSignature): TensorSpec[] {
  if (signature.kind === "columns") {
    return signature.inputs.map((column, index) => ({
      name: column.name ?? String(index),
      datatype: columnDatatype(column.type),
      shape: [-1],
    }));
  }
  return signature.inputs.map((tensor, index) => {
    const name = tensor.name ?? (signature.inputs.length === 1 ? "input" : String(index));
    const datatype = numpyDatatype(tensor.dtype);
    if (datatype === undefined) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `signature input '${name}' has numpy dtype '${tensor.dtype}', which has no KServe V2 datatype`,
      );
    }
    return { name, datatype, shape: tensor.shape };
  });
}
