/**
 * Tensors from untyped nested JSON (MLflow/V1 `inputs` and `instances`), where the payload carries no datatype
 * or shape: the shape comes from the nesting (which must be rectangular), the datatype from the values, as
 * numpy's `np.array(value)` would pick it: all booleans BOOL, all integers INT64, other numbers FP64 (null as
 * NaN), all strings BYTES. Nulls among strings are missing elements (`Tensor.nulls`): numpy and pandas hold
 * ["a", None] as an object array of str and None, which MLflow hands a model without a signature as it is.
 *
 * Integers beyond INT64 (BigInts from parseJsonWithBigIntegers) follow numpy 2 too: one in [2^63, 2^64) is a
 * uint64, which with other integers promotes to float64 (np.array([2**63, 1]) is float64, [2**63, True] uint64);
 * a DataFrame column follows pandas instead, which keeps [2**63, 1] uint64 and makes [2**63, -1] an object
 * column. Integers outside both ranges, and the object cases, would reach the model as Python ints in an object
 * array, which no tensor holds: they are refused.
 *
 * A whole number the body wrote as a float (`1.0`) is a float to Python's json.loads, which JSON.parse forgets:
 * told so (writtenAsFloat), the numbers are FP64 as numpy and pandas make them; among values kept as sent
 * (below), each such number stays a Python float (wholeFloat).
 *
 * Where numpy (or pandas, for a DataFrame column) would hold the values as Python objects rather than as the
 * tensor's datatype, the tensor also keeps them as sent, in `jsonData`, for a Python model without a signature,
 * which MLflow hands exactly that: numbers or booleans with nulls (numpy: object 1/None; pandas keeps booleans
 * with None objects but makes numbers float64 NaN), only nulls (object None), and text mixed with numbers or
 * booleans (numpy: str, '1'; pandas: object 'x', 1). A typed model gets `data` (FP64 NaN for the nulls) and
 * refuses mixed text (see objectTensor.ts).
 *
 * JSON objects among the leaves are refused, unless the caller passes DictFloats (MLflow's `inputs`, which
 * `np.array` makes an object array of dicts, whatever else it holds): then the tensor keeps every leaf as sent
 * (dictsTensor), for a Python model without a signature; a typed model refuses it (adaptInput).
 */
import { invalidInput } from "./invalidInput.js";
import { MAX_TENSOR_DIMS } from "./jsonDepth.js";
import { dictsTensor, mixedTextTensor, pythonDicts, pythonFloat, type DictFloats } from "./objectTensor.js";
import { dataFromJsonValues, showValue, type Datatype, type Tensor } from "../tensor.js";

/**
 * Whose rule types integers beyond INT64: numpy's `np.array` (lists) or pandas' (DataFrame columns).
 * "numpy-kept" is numpy's, but leaves holding an integer beyond both 64-bit ranges are kept as sent (BYTES,
 * `jsonData`, as text mixed with numbers) rather than refused: MLflow writes them as text for a string input,
 * and the caller refuses them for any other (mlflowPayload.ts).
 */
export type BigIntegerRule = "numpy" | "pandas" | "numpy-kept";

/**
 * Whether the body wrote one of the value's whole numbers as a float (see jsonFloatLiterals.ts); asked only when
 * the numbers alone would make integers, as finding out may search the body's text.
 */
export type WrittenAsFloat = () => boolean;

const NOT_WRITTEN: WrittenAsFloat = () => false;

/**
 * Whether the body wrote `list[index]`, a whole number, as a float: asked only for values kept as sent
 * (`jsonData`), where Python keeps each element's own type (['x', 1.0] is numpy's '1.0', pandas' float 1.0).
 */
export type WholeFloat = (list: readonly unknown[], index: number) => boolean;

/** Infers a tensor from `value`; undefined when its leaves mix strings with numbers (the caller decides). */
export function inferTensorFromJson(
  name: string,
  value: unknown,
  where: string,
  integers: BigIntegerRule = "numpy",
  writtenAsFloat: WrittenAsFloat = NOT_WRITTEN,
  wholeFloat?: WholeFloat,
  dictFloats?: DictFloats,
): Tensor | undefined {
  const shape = nestedShape(value, where);
  const leaves: unknown[] = [];
  const holdsDicts = collectLeaves(value, shape, 0, leaves, where, dictFloats !== undefined);
  if (holdsDicts && dictFloats !== undefined) {
    // Dicts first: a whole float's marker is an object too, which must not be taken for one sent.
    const held = withWholeFloats(value, shape, pythonDicts(leaves, dictFloats), dictFloats);
    return dictsTensor(name, shape, held, leaves);
  }
  const datatype = inferDatatype(leaves, where, integers, writtenAsFloat);
  if (datatype === undefined) return undefined;
  if (datatype === KEPT)
    return mixedTextTensor(name, shape, withWholeFloats(value, shape, leaves, wholeFloat));
  if (datatype === "BYTES") return textTensor(name, shape, leaves);
  const values = datatype === "FP64" ? leaves.map((leaf) => (leaf === null ? NaN : leaf)) : leaves;
  const data = dataFromJsonValues(datatype, values, (index) => `${where} element ${index}`);
  const tensor: Tensor = { name, datatype, shape, data };
  if (heldAsObjects(leaves, integers)) tensor.jsonData = withWholeFloats(value, shape, leaves, wholeFloat);
  return tensor;
}

/** The leaves, each whole number the body wrote as a float (`wholeFloat`) a PythonFloat (see objectTensor.ts). */
export function withWholeFloats(
  value: unknown,
  shape: readonly number[],
  leaves: unknown[],
  wholeFloat: WholeFloat | undefined,
): unknown[] {
  if (wholeFloat === undefined || shape.length === 0) return leaves;
  const marked = leaves.slice();
  let next = 0;
  // As deep as the shape, which nestedShape bounds by MAX_TENSOR_DIMS.
  const visit = (list: readonly unknown[], depth: number): void => {
    for (let i = 0; i < list.length; i++) {
      if (depth + 1 < shape.length) {
        visit(list[i] as unknown[], depth + 1);
        continue;
      }
      const leaf = marked[next];
      if (typeof leaf === "number" && Number.isInteger(leaf) && wholeFloat(list, i)) {
        marked[next] = pythonFloat(leaf);
      }
      next++;
    }
  };
  visit(value as unknown[], 0);
  return marked;
}

/**
 * Whether numpy (`np.array(leaves)`) or pandas (a DataFrame column) holds these numbers, booleans and nulls as
 * Python objects: numpy any null among them, pandas only booleans with nulls (numbers with nulls are float64 NaN).
 * Booleans among numbers are kept as sent too: pandas holds them as objects (True, 1), and numpy's int64 or
 * float64 of them is no longer what MLflow's cast to a string column writes ('True', not '1').
 */
function heldAsObjects(leaves: readonly unknown[], integers: BigIntegerRule): boolean {
  const booleans = leaves.filter((leaf) => typeof leaf === "boolean").length;
  if (booleans > 0 && booleans < leaves.length) return true;
  if (!leaves.includes(null)) return false;
  return integers !== "pandas" || leaves.some((leaf) => typeof leaf === "boolean");
}

/**
 * Like inferTensorFromJson, but leaves mixing text with numbers or booleans become a BYTES tensor keeping the
 * values as sent (mixedTextTensor): a Python model without a signature takes them as MLflow hands them, a model
 * that declares its inputs refuses them (adaptInput), naming the input.
 */
export function requireTensorFromJson(
  name: string,
  value: unknown,
  where: string,
  integers: BigIntegerRule = "numpy",
  writtenAsFloat: WrittenAsFloat = NOT_WRITTEN,
  wholeFloat?: WholeFloat,
  dictFloats?: DictFloats,
): Tensor {
  const tensor = inferTensorFromJson(name, value, where, integers, writtenAsFloat, wholeFloat, dictFloats);
  if (tensor !== undefined) return tensor;
  const leaves: unknown[] = [];
  const shape = nestedShape(value, where);
  collectLeaves(value, shape, 0, leaves, where, false);
  return mixedTextTensor(name, shape, withWholeFloats(value, shape, leaves, wholeFloat));
}

/** The shape the first elements' nesting gives (collectLeaves then checks every list against it). */
function nestedShape(value: unknown, where: string): number[] {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) {
    // Checked before collectLeaves recurses once per dimension.
    if (shape.length === MAX_TENSOR_DIMS) {
      throw invalidInput(
        `${where} is nested more than ${MAX_TENSOR_DIMS} lists deep; a tensor has at most ${MAX_TENSOR_DIMS} dimensions`,
      );
    }
    shape.push(level.length);
    if (level.length === 0) break;
  }
  return shape;
}

/** Strings and nulls as a BYTES tensor whose nulls are missing elements ("" in `data`, listed in `nulls`). */
function textTensor(name: string, shape: number[], leaves: readonly unknown[]): Tensor {
  const data = new Array<string>(leaves.length);
  let nulls: number[] | undefined;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    if (leaf === null) {
      (nulls ??= []).push(i);
      data[i] = "";
    } else data[i] = leaf as string;
  }
  const tensor: Tensor = { name, datatype: "BYTES", shape, data };
  if (nulls !== undefined) tensor.nulls = nulls;
  return tensor;
}

/** Appends the leaves to `out`; whether any is a JSON object, which only `dicts` allows. */
function collectLeaves(
  value: unknown,
  shape: readonly number[],
  depth: number,
  out: unknown[],
  where: string,
  dicts: boolean,
): boolean {
  if (depth === shape.length) {
    if (Array.isArray(value)) throw raggedError(where, depth, shape);
    out.push(value);
    if (value === null || typeof value !== "object") return false;
    if (dicts) return true;
    throw invalidInput(
      `${where} holds an object ${showValue(value)} where a number, string or boolean was expected`,
    );
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) throw raggedError(where, depth, shape);
  let held = false;
  for (let i = 0; i < value.length; i++)
    held = collectLeaves(value[i], shape, depth + 1, out, where, dicts) || held;
  return held;
}

function raggedError(where: string, depth: number, shape: readonly number[]): Error {
  return invalidInput(
    `${where} is not a rectangular nested list: expected shape [${shape.join(",")}] ` +
      `(from the first elements) but a list at depth ${depth} differs`,
  );
}

const INT64_MIN = -(2n ** 63n);
const INT64_LIMIT = 2n ** 63n;
const UINT64_LIMIT = 2n ** 64n;

/** inferDatatype's answer for leaves "numpy-kept" keeps as sent. */
const KEPT = "kept";

function inferDatatype(
  leaves: readonly unknown[],
  where: string,
  integers: BigIntegerRule,
  writtenAsFloat: WrittenAsFloat,
): Datatype | typeof KEPT | undefined {
  let strings = 0;
  let booleans = 0;
  let nulls = 0;
  let fractional = false;
  // Integers by numpy's reading of a Python int: int64, uint64 (in [2^63, 2^64)), or beyond both (object).
  let signed = false;
  let negative = false;
  let unsigned = false;
  let beyond: bigint | undefined;
  for (const leaf of leaves) {
    if (typeof leaf === "string") strings++;
    else if (typeof leaf === "boolean") booleans++;
    else if (typeof leaf === "bigint") {
      if (leaf >= INT64_LIMIT && leaf < UINT64_LIMIT) unsigned = true;
      else if (leaf < INT64_MIN || leaf >= UINT64_LIMIT) beyond ??= leaf;
      else {
        signed = true;
        negative ||= leaf < 0n;
      }
    } else if (leaf === null) nulls++;
    else if (typeof leaf === "number" && !Number.isSafeInteger(leaf)) fractional = true;
    else {
      signed = true;
      negative ||= (leaf as number) < 0;
    }
  }
  // Only nulls stay FP64 (NaN) for a typed model, which takes them as numbers; jsonData keeps None for an untyped one.
  if (strings > 0) return strings + nulls === leaves.length ? "BYTES" : undefined;
  if (booleans === leaves.length && booleans > 0) return "BOOL";
  if (beyond !== undefined) {
    if (integers === "numpy-kept") return KEPT;
    throw objectArrayError(where, `${beyond} lies beyond the 64-bit integers`, integers);
  }
  if (fractional || nulls > 0 || leaves.length === 0) return "FP64";
  if (!unsigned) return writtenAsFloat() ? "FP64" : "INT64";
  // A float among them counts as signed here: numpy makes it float64 like any uint64 mixed with signed values.
  if (integers !== "pandas") return signed ? "FP64" : "UINT64";
  // Observed: pandas keeps [2**63, -1, 1.0] an object column but makes [2**63, 1.0] float64.
  if (negative) throw objectArrayError(where, "it mixes integers from 2^63 up with negative ones", integers);
  if (booleans > 0) throw objectArrayError(where, "it mixes integers from 2^63 up with booleans", integers);
  return writtenAsFloat() ? "FP64" : "UINT64";
}

function objectArrayError(where: string, why: string, integers: BigIntegerRule): Error {
  const reader = integers === "pandas" ? "pandas" : "numpy";
  return invalidInput(
    `${where} cannot be typed as a tensor: ${why}, so ${reader} would hold it as Python objects (dtype object); ` +
      "send integers within INT64, or within UINT64 from 0 up, or floats",
  );
}
