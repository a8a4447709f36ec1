/**
 * Numbers and booleans an MLflow `inputs` or `instances` body sends to a string input of a model that declares
 * its inputs (an ONNX tensor(string)). MLflow's cast writes each as Python's str of what json.loads made:
 * `np.array(value, dtype=str)` for a tensor signature, `str(value)` per cell for a column one (convert_data_type),
 * and the onnx flavor feeds that text: an int keeps every digit ('9007199254740993'), a float is its repr ('2.5',
 * '1.0', '1e+20', 'inf'), a boolean 'True', a null 'None'. The text comes from the leaves as the body sent them,
 * never from the typed tensor, whose float64 would round an integer beyond 2^53 (`[1, 2.5, 2**53 + 1]`).
 * Nothing here runs for a tensor that meets an input of its own kind, so a numeric request pays nothing.
 */
import { pythonFloatRepr } from "../../pythonRepr.js";
import { castArrayStr, castListRepr, heldObjectRepr, pythonObjectRepr } from "./listCellText.js";
import { isPythonDict, type DictFloats } from "./objectTensor.js";
import type { Tensor, TensorSpec } from "../tensor.js";
import { UNNAMED_INPUT } from "./predictRequest.js";

/** The tensors, each one of numbers or booleans (or text mixed with them) bound for a string input as its text. */
export function withStringInputText(
  tensors: Tensor[],
  specs: readonly TensorSpec[],
  sentLeaves: ((tensor: Tensor) => unknown[] | undefined) | undefined,
): Tensor[] {
  if (sentLeaves === undefined) return tensors;
  let converted: Tensor[] | undefined;
  for (let i = 0; i < tensors.length; i++) {
    const tensor = tensors[i] as Tensor;
    const spec = specFor(tensor, specs);
    if (spec?.datatype !== "BYTES") continue;
    if (!holdsNonText(tensor)) {
      if (tensor.nulls !== undefined && tensor.nulls.length > 0)
        (converted ??= tensors.slice())[i] = withNoneText(tensor);
      continue;
    }
    const leaves = tensor.jsonData ?? sentLeaves(tensor);
    if (leaves === undefined || leaves.some(isHeldObject)) continue;
    (converted ??= tensors.slice())[i] = {
      name: tensor.name,
      datatype: "BYTES",
      shape: tensor.shape,
      data: leaves.map((leaf) => (isPythonDict(leaf) ? heldObjectRepr(leaf) : pythonStr(leaf))),
    };
  }
  return converted ?? tensors;
}

/** Text with its missing elements as numpy's object array of str and None gives them to onnxruntime: 'None'. */
function withNoneText(tensor: Tensor): Tensor {
  const data = (tensor.data as string[]).slice();
  for (const index of tensor.nulls ?? []) data[index] = "None";
  return { name: tensor.name, datatype: "BYTES", shape: tensor.shape, data };
}

/** The input a tensor goes to: the one of its name, or a one-input model's for the unnamed tensor. */
function specFor(tensor: Tensor, specs: readonly TensorSpec[]): TensorSpec | undefined {
  const named = specs.find((spec) => spec.name === tensor.name);
  if (named !== undefined || tensor.name !== UNNAMED_INPUT || specs.length !== 1) return named;
  return specs[0];
}

/** A typed tensor of numbers or booleans, or text kept beside numbers or booleans (objectTensor.ts). */
function holdsNonText(tensor: Tensor): boolean {
  if (tensor.datatype !== "BYTES") return true;
  return tensor.jsonData?.some((leaf) => leaf !== null && typeof leaf !== "string") === true;
}

/**
 * A leaf held as a Python object other than a float or a dict (a numpy 0-d array), which a typed model refuses
 * rather than writes as text. A dict in an object array reaches onnxruntime as itself, which writes its repr
 * (mlflow 3.17.2: `{"inputs": {"x": [{"k": 1}, "b"]}}` feeds "{'k': 1}" to an Identity over tensor(string)).
 */
function isHeldObject(leaf: unknown): boolean {
  return typeof leaf === "object" && leaf !== null && !isMarkedFloat(leaf) && !isPythonDict(leaf);
}

function isMarkedFloat(leaf: object): leaf is { float: number | null } {
  return Object.hasOwn(leaf, "float") && Object.keys(leaf).length === 1;
}

/**
 * Python's `str()` of a leaf as json.loads made it: an integer literal (a safe integer, or a BigInt beyond) is an
 * int; any other number, and a whole one written as a float (marked `{float}`), a float.
 */
export function pythonStr(leaf: unknown): string {
  if (typeof leaf === "string") return leaf;
  if (leaf === null || leaf === undefined) return "None";
  if (typeof leaf === "boolean") return leaf ? "True" : "False";
  if (typeof leaf === "bigint") return leaf.toString();
  if (typeof leaf === "number") return Number.isSafeInteger(leaf) ? String(leaf) : pythonFloatRepr(leaf);
  const float = (leaf as { float: number | null }).float;
  return pythonFloatRepr(float ?? Number.NaN);
}

/**
 * Where a JSON DataFrame's cells came from, for pandasColumnText: the frame's own readers of the body's whole
 * floats (jsonFloatLiterals.ts), absent when the body wrote none.
 */
export interface SentFloats {
  floatColumn?: (column: number) => boolean;
  floatCell?: (row: number, column: number) => boolean;
  /** By column, the rows whose record lacked the key (recordsFrame.ts), which pandas fills with NaN. */
  absentKeys?: number[][];
  /** The whole floats inside the cells' lists and dicts. */
  floatMember?: DictFloats;
  /** List and dict cells become the text a column signature gives them (listCellText.ts). */
  objectCellText?: true;
  /** `instances` records (lists cast to nested lists) or `inputs` records (kept as numpy arrays). */
  recordArrays?: boolean;
  recordList?: unknown;
}

const INT64_MIN = -(2n ** 63n);
const UINT64_LIMIT = 2n ** 64n;

/**
 * The cells of column `column` of a `dataframe_split` or `dataframe_records` body bound for an ONNX string input,
 * as MLflow feeds them: pandas types the column first, MLflow's string cast leaves it an object column
 * (`astype(object)`), and onnxruntime writes each element as Python's str. So a column of numbers alone that
 * holds a float or a null is float64, whose every number is a float ('1.0', 9007199254740993 as
 * '9007199254740992.0'); integers alone keep every digit (int64, uint64, or objects beyond); text, booleans
 * among numbers, or integers pandas cannot hold as one dtype make an object column, whose cells stay as
 * json.loads made them ('1', '2.5', 'True'). A null is NaN ('nan') in a float64 column and in one of text alone
 * (pandas 3 reads that as its str dtype), None ('None') in an object column and in one of nulls alone; a
 * record's absent key is NaN in any column. A column holding a list or an object is left as sent but for its
 * nulls: what the typed conversion makes of those is decided there. (Checked against mlflow 3.17.2's
 * scoring_server.invocations, pandas 3.1.1, with a string ColSpec and through onnxruntime 1.32 over an Identity
 * graph of tensor(string).)
 */
export function pandasColumnText(cells: readonly unknown[], column: number, sent: SentFloats): unknown[] {
  let nulls = false;
  let numbers = 0;
  let texts = 0;
  let integral = true;
  let beyond = false;
  let negative = false;
  let unsigned = false;
  let held = false;
  for (const cell of cells) {
    if (cell === null || cell === undefined) nulls = true;
    else if (typeof cell === "number") {
      numbers++;
      if (!Number.isSafeInteger(cell)) integral = false;
      else negative ||= cell < 0;
    } else if (typeof cell === "bigint") {
      numbers++;
      if (cell < INT64_MIN || cell >= UINT64_LIMIT) beyond = true;
      else if (cell >= -INT64_MIN) unsigned = true;
      else negative ||= cell < 0n;
    } else if (typeof cell === "string") texts++;
    else if (typeof cell === "object") held = true;
  }
  const present = cells.filter((cell) => cell !== null && cell !== undefined).length;
  const absent = absentRows(sent, column);
  const missing = nullText(present, numbers, texts, absent !== undefined);
  const nullAt = (row: number): string => (absent?.has(row) === true ? "nan" : missing);
  if (held && sent.objectCellText === true) return objectColumnText(cells, column, sent, nullAt);
  if (held) return cells.map((cell, row) => (cell === null || cell === undefined ? nullAt(row) : cell));
  const objects = numbers === 0 || numbers < present || beyond || (unsigned && negative);
  const float64 = !objects && (nulls || !integral || sent.floatColumn?.(column) === true);
  return cells.map((cell, row) => {
    if (cell === null || cell === undefined) return float64 ? "nan" : nullAt(row);
    if (typeof cell !== "number" && typeof cell !== "bigint") return pythonStr(cell);
    const wholeFloat =
      typeof cell === "number" && Number.isSafeInteger(cell) && (sent.floatCell?.(row, column) ?? false);
    if (float64) return pythonFloatRepr(wholeFloat ? (cell as number) : Number(cell) + 0);
    return wholeFloat ? pythonFloatRepr(cell as number) : pythonStr(cell);
  });
}

/**
 * The cells of column `column` of an `inputs` or `instances` body's rows or records bound for an ONNX string
 * input, which MLflow makes numpy arrays (not a pandas read) before its string cast: a null is None ('None'), a
 * record's absent key NaN ('nan') as pandas fills it when the column signature makes the records a DataFrame.
 */
export function pythonNullText(cells: readonly unknown[], column: number, sent: SentFloats): unknown[] {
  const objects =
    sent.objectCellText === true && cells.some((cell) => typeof cell === "object" && cell !== null);
  if (!objects && !cells.some((cell) => cell === null || cell === undefined)) return cells.slice();
  const absent = absentRows(sent, column);
  const floats = sent.floatMember;
  return cells.map((cell, row) => {
    if (cell === null || cell === undefined) return absent?.has(row) === true ? "nan" : "None";
    if (!objects || typeof cell !== "object") return cell;
    if (!Array.isArray(cell)) return pythonObjectRepr(cell, floats);
    return sent.recordList !== undefined ? castArrayStr(cell, floats) : castListRepr(cell, floats);
  });
}

/**
 * A pandas object column holding a list or dict, under a column signature: each cell as onnxruntime writes
 * the Python object, the lists and dicts as their repr, numbers as json.loads typed them.
 */
function objectColumnText(
  cells: readonly unknown[],
  column: number,
  sent: SentFloats,
  nullAt: (row: number) => string,
): string[] {
  return cells.map((cell, row) => {
    if (cell === null || cell === undefined) return nullAt(row);
    if (typeof cell === "object") return pythonObjectRepr(cell, sent.floatMember);
    if (typeof cell === "number" && Number.isSafeInteger(cell) && sent.floatCell?.(row, column) === true)
      return pythonFloatRepr(cell);
    return pythonStr(cell);
  });
}

function absentRows(sent: SentFloats, column: number): Set<number> | undefined {
  const rows = sent.absentKeys?.[column];
  return rows === undefined || rows.length === 0 ? undefined : new Set(rows);
}

/**
 * The text of a null the body sent in a column that is not float64: NaN where pandas reads the column as text
 * alone, or as nulls beside absent keys (all NaN: float64); None in an object column or one of nulls alone.
 */
function nullText(present: number, numbers: number, texts: number, absentKeys: boolean): string {
  if (present === 0) return absentKeys ? "nan" : "None";
  return texts === present && numbers === 0 ? "nan" : "None";
}
