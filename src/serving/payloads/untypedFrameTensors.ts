/**
 * Frames for a model that declares no inputs (a Python model without a signature), typed from their values as
 * MLflow's scoring server hands them: one column per tensor as pandas builds a DataFrame (text cells as the
 * frame's source types them: read_csv for CSV, as sent for JSON and Parquet), `instances` rows as one numpy
 * array, `instances` records as a dict of numpy arrays, and `inputs` records as the list of dicts itself. A file's
 * numeric columns its reader typed by the file's schema come as read (numpyFrameColumns.ts). Values
 * Python holds as objects keep their form in `jsonData` (see objectTensor.ts); the typed conversions for a
 * signature live in frameTensors.ts.
 */
import type { Tensor } from "../tensor.js";
import { checkRowWidths } from "./batchRows.js";
import { inferCells } from "./frameCells.js";
import { columnValues, type Frame } from "./frameTensors.js";
import { requireTensorFromJson, type WholeFloat } from "./jsonTensor.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { hasNumpyColumns, numpyColumnTensor } from "./numpyFrameColumns.js";
import { dictsTensor, numpyScalarArray, PYTHON_NAN, pythonFloat, type DictFloats } from "./objectTensor.js";
import { pythonJson } from "./pythonJsonText.js";
import { UNNAMED_INPUT } from "./predictRequest.js";
import { recordListTensor } from "./recordListTensor.js";

/** The tensors for `frame`, in the form MLflow gives a model without a signature. */
export function untypedFrameTensors(frame: Frame): Tensor[] {
  if (frame.array === true) return frameArray(frame);
  if (frame.recordArrays === true) return recordArrays(frame);
  if (frame.recordList !== undefined) return [recordListTensor(frame.recordList())];
  return inferredFrameColumns(frame);
}

/**
 * One tensor per frame column, typed from the values. Text with nulls is BYTES with `nulls`, as pandas holds it
 * (str and None; NaN under missingAsNaN, as read_csv gives it); text mixed with numbers, and booleans with nulls,
 * keep their values as sent for pandas' object column (`jsonData`), where a record's missing key is NaN.
 */
function inferredFrameColumns(frame: Frame): Tensor[] {
  const width = frame.columns?.length ?? frame.rows[0]?.length ?? 0;
  if (frame.columns === undefined) checkRowWidths(frame.rows, width, `row 0 has ${width}`);
  const numpyColumns = hasNumpyColumns(frame) ? frame.numpyColumns : undefined;
  const tensors: Tensor[] = [];
  for (let c = 0; c < width; c++) {
    const name = frame.columns?.[c] ?? String(c);
    const numpy = numpyColumns?.[c];
    if (numpy !== undefined) {
      tensors.push(numpyColumnTensor(name, numpy));
      continue;
    }
    const { cells, floats } = inferCells(columnValues(frame.rows, c), frame.textCells);
    const absent = frame.absentKeys?.[c] ?? [];
    if (cells.some(isNested)) {
      tensors.push(objectColumn(frame, name, cells, c, absent));
      continue;
    }
    if (cells.length > 0 && cells.every((cell) => cell === null)) {
      // pandas: only None an object column of None, None with a missing key float64 NaN.
      tensors.push(absent.length > 0 ? nanColumn(name, cells.length) : missingColumn(name, cells.length));
      continue;
    }
    const writtenAsFloat = (): boolean => floats || frame.floatColumn?.(c) === true;
    // A DataFrame column: pandas, not numpy, types its integers beyond INT64.
    const tensor = requireTensorFromJson(
      name,
      cells,
      `column '${name}'`,
      "pandas",
      writtenAsFloat,
      columnFloats(frame, cells, c),
    );
    if (tensor.jsonData !== undefined && absent.length > 0 && tensor.shape.length === 1) {
      const values = tensor.jsonData.slice();
      for (const row of absent) values[row] = PYTHON_NAN;
      tensor.jsonData = values;
    }
    tensors.push(tensor);
  }
  return tensors;
}

function isNested(cell: unknown): boolean {
  return typeof cell === "object" && cell !== null;
}

const NO_FLOATS: DictFloats = () => false;

/**
 * A column holding JSON objects or lists, which pandas keeps as an object column of the dicts and lists json.loads
 * made, beside the other cells as Python values (a whole float 1.0 a float, a record's missing key NaN).
 */
function objectColumn(
  frame: Frame,
  name: string,
  cells: readonly unknown[],
  column: number,
  absent: readonly number[],
): Tensor {
  const floatMember = frame.floatMember ?? NO_FLOATS;
  const held = cells.map((cell, row): unknown => {
    if (isNested(cell) || (typeof cell === "number" && !Number.isFinite(cell))) {
      return pythonJson(cell, floatMember);
    }
    if (typeof cell === "number" && Number.isInteger(cell) && frame.floatCell?.(row, column) === true) {
      return pythonFloat(cell);
    }
    return cell;
  });
  for (const row of absent) held[row] = PYTHON_NAN;
  return dictsTensor(name, [cells.length], held, cells);
}

/** Which cells of column `column` (`cells`, its values) the body wrote as whole floats. */
function columnFloats(frame: Frame, cells: readonly unknown[], column: number): WholeFloat | undefined {
  const floatCell = frame.floatCell;
  if (floatCell === undefined) return undefined;
  return (list, index) => list === cells && floatCell(index, column);
}

/**
 * A column of only nulls: pandas makes it an object column of None from JSON but read_csv a float64 one of NaN.
 * As missing text the Python worker builds either (NaN under missingAsNaN); as FP64 NaN it would always be float64.
 */
function missingColumn(name: string, rows: number): Tensor {
  const nulls = Array.from({ length: rows }, (_, row) => row);
  return { name, datatype: "BYTES", shape: [rows], data: new Array<string>(rows).fill(""), nulls };
}

/** A column of nulls and missing keys, which pandas makes float64 NaN. */
function nanColumn(name: string, rows: number): Tensor {
  return { name, datatype: "FP64", shape: [rows], data: new Float64Array(rows).fill(NaN) };
}

/**
 * Rows sent as one nested list: one unnamed [N, ...] tensor, as MLflow's `np.array(instances)` hands a model
 * without a signature (rows mixing text with numbers: numpy's str array, a whole float '1.0').
 */
function frameArray(frame: Frame): Tensor[] {
  const width = frame.rows[0]?.length ?? 0;
  checkRowWidths(frame.rows, width, `row 0 has ${width}`);
  const floatMember = frame.floatMember ?? NO_FLOATS;
  const writtenAsFloat = (): boolean => {
    for (let c = 0; c < width; c++) if (frame.floatColumn?.(c) === true) return true;
    return holdsWholeFloat(frame.rows, floatMember);
  };
  const floatCell = frame.floatCell;
  // Asked only for values kept as sent, so the rows are indexed then; lists deeper than a row are the body's.
  let rowOf: Map<readonly unknown[], number> | undefined;
  const wholeFloat: WholeFloat = (list, index) => {
    rowOf ??= new Map(frame.rows.map((row, r) => [row, r]));
    const row = rowOf.get(list);
    return row === undefined ? floatMember(list, index) : floatCell?.(row, index) === true;
  };
  // JSON objects among the cells: np.array's object array of dicts.
  const dictFloats: DictFloats = (container, key) =>
    Array.isArray(container) ? wholeFloat(container, key as number) : floatMember(container, key);
  return [
    requireTensorFromJson(
      UNNAMED_INPUT,
      frame.rows,
      "instances",
      "numpy",
      writtenAsFloat,
      wholeFloat,
      dictFloats,
    ),
  ];
}

/**
 * Whether a list among `values`, at any depth, holds a whole number the body wrote as a float (`floatMember`
 * knows the body's own lists only). The body's depth is bounded (checkJsonDepth), which bounds the recursion.
 */
function holdsWholeFloat(values: readonly unknown[], floatMember: DictFloats): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (Array.isArray(value) ? holdsWholeFloat(value, floatMember) : floatMember(values, i)) return true;
  }
  return false;
}

/**
 * `instances` records: MLflow's `parse_instances_data` makes each key `np.array([np.array(v) for v in values])`.
 * That is `np.array(values)` unless it holds a null or a JSON object, where numpy keeps the 0-d arrays themselves
 * in an object array (`array('x')`, `array(None)`, `array({...})`), so such a column is sent as those; text is
 * sent as sent, for numpy's str.
 * A key holds only the values of the records that have it, and keys of different counts are MLflow's 400.
 */
function recordArrays(frame: Frame): Tensor[] {
  const columns = frame.columns ?? [];
  const present = presentRows(frame, columns.length);
  const count = present[0]?.length ?? frame.rows.length;
  if (present.some((rows) => (rows?.length ?? frame.rows.length) !== count)) {
    throw invalidInput("The length of values for each input/column name are not the same");
  }
  return columns.map((name, c) => {
    const rows = present[c];
    const cells = rows === undefined ? columnValues(frame.rows, c) : rows.map((r) => frame.rows[r]?.[c]);
    const floatMember = frame.floatMember ?? NO_FLOATS;
    const writtenAsFloat = (): boolean =>
      frame.floatColumn?.(c) === true || holdsWholeFloat(cells, floatMember);
    const floatCell = frame.floatCell;
    // The column's own values by their rows; the lists inside them are the body's.
    const wholeFloat: WholeFloat = (list, index) =>
      list === cells
        ? floatCell?.(rows === undefined ? index : (rows[index] as number), c) === true
        : floatMember(list, index);
    // A JSON object is np.array's 0-d object array of its dict; in a list, an element of an object array.
    const dictFloats: DictFloats = (container, key) =>
      Array.isArray(container) ? wholeFloat(container, key as number) : floatMember(container, key);
    const tensor = requireTensorFromJson(
      name,
      cells,
      `column '${name}'`,
      "numpy",
      writtenAsFloat,
      wholeFloat,
      dictFloats,
    );
    tensor.instanceRecords = true;
    if (tensor.shape.length !== 1) return tensor;
    // numpy keeps 0-d object arrays (None, a dict) as elements, and so every value beside them.
    if (cells.some((cell) => cell === null || isJsonObject(cell))) {
      tensor.jsonData = (tensor.jsonData ?? cells).map(numpyScalarArray);
    } else if (tensor.datatype === "BYTES") tensor.jsonData ??= cells;
    return tensor;
  });
}

/**
 * By column, the rows whose record has that key, or undefined for a column every record has (the common case,
 * which then needs no list).
 */
function presentRows(frame: Frame, width: number): (number[] | undefined)[] {
  const absentKeys = frame.absentKeys;
  if (absentKeys === undefined) return new Array<undefined>(width).fill(undefined);
  return Array.from({ length: width }, (_, c) => {
    const absent = absentKeys[c] ?? [];
    if (absent.length === 0) return undefined;
    const skipped = new Set(absent);
    const rows: number[] = [];
    for (let r = 0; r < frame.rows.length; r++) if (!skipped.has(r)) rows.push(r);
    return rows;
  });
}
