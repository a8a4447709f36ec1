/**
 * Translates between onnxruntime's tensor type names ("float32", "int64", ...) and the KServe V2 datatypes the
 * rest of serving speaks, and turns a session's input/output metadata into tensor specs. Pure data, so both the
 * worker thread and the pool can use it without loading onnxruntime.
 */
import type { Datatype, TensorSpec } from "../tensor.js";

/** onnxruntime-common's `Tensor.Type` values that FlowOps serves (int4/uint4 have no V2 datatype). */
export type OrtTensorType =
  | "float32"
  | "float64"
  | "float16"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "bool"
  | "string";

const TO_DATATYPE: Record<OrtTensorType, Datatype> = {
  float32: "FP32",
  float64: "FP64",
  float16: "FP16",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
  bool: "BOOL",
  string: "BYTES",
};

const TO_ORT_TYPE = Object.fromEntries(
  Object.entries(TO_DATATYPE).map(([ort, datatype]) => [datatype, ort]),
) as Record<Datatype, OrtTensorType>;

export function datatypeOfOrtType(type: string): Datatype | undefined {
  return Object.hasOwn(TO_DATATYPE, type) ? TO_DATATYPE[type as OrtTensorType] : undefined;
}

export function ortTypeOfDatatype(datatype: Datatype): OrtTensorType {
  return TO_ORT_TYPE[datatype];
}

/** The shape of `InferenceSession.ValueMetadata`, restated so this file does not import onnxruntime. */
export type OrtValueMetadata =
  | { name: string; isTensor: false }
  | { name: string; isTensor: true; type: string; shape: readonly (number | string)[] };

/** Symbolic (string) and unknown (negative) dims become -1, the spec's "any". */
export function specOfMetadata(
  metadata: OrtValueMetadata,
): TensorSpec | { name: string; unsupported: string } {
  if (!metadata.isTensor) return { name: metadata.name, unsupported: "a non-tensor value (sequence or map)" };
  const datatype = datatypeOfOrtType(metadata.type);
  if (datatype === undefined) return { name: metadata.name, unsupported: `tensor type ${metadata.type}` };
  const shape = metadata.shape.map((dim) => (typeof dim === "number" && dim >= 0 ? dim : -1));
  return { name: metadata.name, datatype, shape };
}
