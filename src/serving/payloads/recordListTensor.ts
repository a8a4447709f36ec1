/**
 * MLflow `inputs` records (`[{"a": 1, "b": "x"}, ...]`) as MLflow's scoring server hands them to a model without a
 * signature: `_cast_schema_type` keeps the list and makes each record `{key: np.array(value)}`, so the model gets
 * a Python list of dicts of numpy arrays (0-d for a scalar, object arrays of dicts for JSON objects), each dict
 * with its record's own keys in their order, not a DataFrame. Only the Python worker builds that: the list
 * travels as one unnamed tensor whose `jsonData` holds a `{record: tensors}` element per record, which
 * pythonWire.ts sends as the worker's `records`. No typed model gets it: adaptInput builds it only for a model
 * that declares no inputs.
 */
import type { Tensor } from "../tensor.js";
import type { FloatLiterals } from "./jsonFloatLiterals.js";
import { requireTensorFromJson } from "./jsonTensor.js";
import type { DictFloats } from "./objectTensor.js";
import { UNNAMED_INPUT } from "./predictRequest.js";

/** One record of the list: its values as tensors named after their keys. */
export interface PythonRecord {
  record: Tensor[];
}

/**
 * Each record's values as the tensors `np.array(value)` makes, named after their keys; `floats` says where the body
 * wrote whole numbers as floats (`1.0`), which numpy types as float64.
 */
export function recordValueTensors(
  records: readonly Record<string, unknown>[],
  field: string,
  floats: FloatLiterals | undefined,
): Tensor[][] {
  return records.map((record, r) =>
    Object.keys(record).map((key) => {
      const value = record[key];
      const written = (): boolean =>
        floats !== undefined && (Array.isArray(value) ? floats.holdsAnyIn(value) : floats.has(record, key));
      const wholeFloat: DictFloats = (container, member) => floats?.has(container, member) === true;
      // A JSON object (`{"a": {"k": 1}}`) is np.array's 0-d object array of its dict; in a list, an element.
      const tensor = requireTensorFromJson(
        key,
        value,
        `${field}[${r}] '${key}'`,
        "numpy",
        written,
        wholeFloat,
        wholeFloat,
      );
      // Text as sent, so the worker's np.array makes numpy's str ('<U1'), or an object array beside a null.
      if (tensor.datatype === "BYTES" && tensor.jsonData === undefined) tensor.jsonData = textValues(tensor);
      return tensor;
    }),
  );
}

/** The list of records as one tensor for the Python worker; `data` names each record's keys, for logs only. */
export function recordListTensor(records: Tensor[][]): Tensor {
  return {
    name: UNNAMED_INPUT,
    datatype: "BYTES",
    shape: [records.length],
    data: records.map((record) => record.map((tensor) => tensor.name).join(",")),
    jsonData: records.map((record): PythonRecord => ({ record })),
  };
}

/** The records of a tensor recordListTensor made; undefined for any other tensor. */
export function recordListOf(tensor: Tensor): Tensor[][] | undefined {
  const values = tensor.jsonData;
  if (tensor.name !== UNNAMED_INPUT || values === undefined || values.length === 0) return undefined;
  if (!values.every(isPythonRecord)) return undefined;
  return values.map((value) => value.record);
}

function isPythonRecord(value: unknown): value is PythonRecord {
  return typeof value === "object" && value !== null && Array.isArray((value as { record?: unknown }).record);
}

function textValues(tensor: Tensor): unknown[] {
  const values: unknown[] = (tensor.data as string[]).slice();
  for (const index of tensor.nulls ?? []) values[index] = null;
  return values;
}
