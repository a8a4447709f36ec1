/**
 * A JSON Lines column as `pandas.read_json(path, lines=True)` types it (its `dtype=True` default), for a model
 * without a signature, which gets the frame pandas read. Only a column of booleans alone is kept as it is;
 * every other column pandas first tries as float64, each value as Python's `float()` takes it (null NaN, true
 * 1.0, "1.5" 1.5), and where that works, as int64 when every value is an integer within int64 (true 1, "2" 2)
 * and none is missing, as uint64 when they are whole-number literals, none negative, some beyond int64 (up to
 * 2^64 - 1, beyond which read_json refuses the file: jsonlColumnTypes.ts). A column with any value that is no
 * number (`"x"`, `""`, `"0x10"`) stays as it is: text, or an object column of mixed values. So `"1.5"` is 1.5 and `[true, null]` is [1.0, NaN], where pandas'
 * DataFrame constructor (MLflow's JSON requests) keeps both as they are.
 *
 * A column kept as it is says its dtype (str, or object where it mixes kinds), which a batch of its rows alone
 * would not tell; columns named like dates are read_json's datetimes where their values are (pandasJsonDates.ts).
 *
 * pandas types a column on the whole file: PandasJsonProfile takes a file's values one at a time (a first pass
 * over the file, jsonlColumnTypes.ts) and decides the column's PandasJsonType, which each chunk's cells are then
 * read as. Given no type, a chunk's own cells decide it.
 */
import { FileRowSet } from "./fileRowSet.js";
import {
  isPandasDateName,
  pandasDateCells,
  PandasDateProfile,
  type PandasDateType,
} from "./pandasJsonDates.js";
import type { PandasCells } from "./pandasReadCells.js";
import { pythonFloat, pythonInt } from "./pythonNumberText.js";
import type { CellValue } from "./tableChunk.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
/** 2^63: the first double beyond int64, which `astype("int64")` cannot hold. */
const INT64_LIMIT = 9223372036854775808;

/**
 * The dtype read_json gives a column on all its values: its booleans kept (bool), int64, uint64, float64, kept
 * as they are (str or object), or datetime64. An object column's `wholeFloats` are the file's rows (from 0) whose number
 * the file wrote as a float (1.0, 1e3): Python holds those as floats, where JSON's value is just 1. Its `nested`
 * are the rows holding an array or object, whose cell is its JSON text (jsonlNestedText.ts) where Python holds
 * a list or dict.
 */
export type PandasJsonType =
  | { kind: "bool" }
  | { kind: "int64" }
  | { kind: "uint64" }
  | { kind: "float64" }
  | {
      kind: "kept";
      dtype: "str" | "object";
      wholeFloats?: FileRowSet | undefined;
      nested?: FileRowSet | undefined;
    }
  | { kind: "dates"; dates: PandasDateType };

/**
 * The cells of column `name` of a chunk, the first at row `firstRow` (from 1), as read_json's frame holds them
 * (see the module comment): as `type` says, decided on the whole file, or else on these cells alone.
 */
export function pandasJsonCells(
  cells: readonly CellValue[],
  name: string,
  firstRow: number,
  type?: PandasJsonType,
): PandasCells {
  if (type === undefined) {
    const profile = new PandasJsonProfile(name);
    cells.forEach((cell, r) => profile.observe(cell, firstRow + r - 1));
    type = profile.decide();
  }
  switch (type.kind) {
    case "dates": {
      const dates = pandasDateCells(type.dates, cells);
      return { values: dates.values, float: false, dtype: dates.dtype };
    }
    case "bool":
      return { values: cells, float: false };
    case "kept":
      return {
        values: cells,
        float: false,
        dtype: { kind: type.dtype },
        ...wholeFloatsOf(cells, firstRow, type.wholeFloats),
        ...pythonJsonOf(cells, firstRow, type),
      };
    case "int64":
      return { values: cells.map(integerValue), float: false };
    case "uint64": {
      // The numpy array keeps the dtype, which a batch of small values alone would make int64.
      const values = BigUint64Array.from(cells, (cell) => BigInt(cell as number | bigint));
      return { values: Array.from(values), float: false, numpy: { dtype: "uint64", values } };
    }
    case "float64":
      return { values: cells.map(floatValue), float: true };
  }
}

/**
 * What read_json's typing needs to know of a column's values, taken one at a time in row order: so that all of
 * a file's rows decide the column's type without being held.
 */
export class PandasJsonProfile {
  private readonly dates: PandasDateProfile | undefined;
  private count = 0;
  private booleansOnly = true;
  /** Some text is no number to Python's float(): the column is kept as it is. */
  private unfloatable = false;
  /** Some value is neither text nor null: a kept column is then object, not str. */
  private nonText = false;
  /** Every value is an integer within int64 (booleans 0 and 1, integer text) and none is missing. */
  private integral = true;
  /** Some value is an integer beyond int64 (a BigInt). */
  private beyondInt64 = false;
  /**
   * Every value is a whole number within uint64, none negative (-0 is 0) and none text, boolean or missing; with
   * one beyond int64 and none written as a float, read_json makes the column uint64.
   */
  private unsigned = true;
  private wholeFloats: FileRowSet | undefined;
  private nestedRows: FileRowSet | undefined;

  constructor(private readonly name: string) {
    this.dates = isPandasDateName(name) ? new PandasDateProfile() : undefined;
  }

  /** The cell at file row `row` (from 0); a BigInt is an integer a double cannot hold (jsonBigIntegers.ts). */
  observe(cell: CellValue | bigint, row: number): void {
    this.dates?.observe(cell, row + 1);
    this.count++;
    if (typeof cell === "bigint") {
      this.booleansOnly = false;
      this.nonText = true;
      if (cell < INT64_MIN || cell > INT64_MAX) this.integral = false;
      if (cell > INT64_MAX) this.beyondInt64 = true;
      if (cell < 0n || cell > UINT64_MAX) this.unsigned = false;
      return;
    }
    if (typeof cell === "boolean") {
      this.nonText = true;
      this.unsigned = false;
      return;
    }
    this.booleansOnly = false;
    if (cell === null) {
      this.integral = false;
      this.unsigned = false;
      return;
    }
    if (typeof cell === "number") {
      this.nonText = true;
      if (!Number.isInteger(cell) || Math.abs(cell) >= INT64_LIMIT) this.integral = false;
      if (!Number.isInteger(cell) || cell < 0 || cell >= INT64_LIMIT) this.unsigned = false;
      return;
    }
    this.unsigned = false;
    if (this.unfloatable) return;
    if (pythonFloat(cell) === undefined) {
      this.unfloatable = true;
      return;
    }
    if (!this.integral) return;
    const integer = pythonInt(cell);
    if (integer === undefined || integer < INT64_MIN || integer > INT64_MAX) this.integral = false;
  }

  /** Records that row `row`'s number, a whole one, was written as a float (1.0). */
  wholeFloat(row: number): void {
    this.wholeFloats ??= new FileRowSet();
    this.wholeFloats.add(row);
  }

  /**
   * Takes row `row`'s value, an array or object, which read_json keeps as a list or dict: no number, and no
   * date either (it keeps a column named like a date that holds one as it is), so the column is object.
   */
  nested(row: number): void {
    this.count++;
    this.booleansOnly = false;
    this.unfloatable = true;
    this.nonText = true;
    this.unsigned = false;
    this.nestedRows ??= new FileRowSet();
    this.nestedRows.add(row);
  }

  /** The column's type; throws where it is a date column read in ways not followed here (pandasJsonDates.ts). */
  decide(): PandasJsonType {
    const dates = this.nestedRows === undefined ? this.dates?.decide(this.name) : undefined;
    if (dates !== undefined) return { kind: "dates", dates };
    if (this.count > 0 && this.booleansOnly) return { kind: "bool" };
    if (this.unfloatable) {
      return this.nonText
        ? { kind: "kept", dtype: "object", wholeFloats: this.wholeFloats, nested: this.nestedRows }
        : { kind: "kept", dtype: "str" };
    }
    if (this.beyondInt64 && this.unsigned && this.wholeFloats === undefined) return { kind: "uint64" };
    return { kind: this.integral ? "int64" : "float64" };
  }
}

/** The rows of a chunk (from 0 in it) whose whole number Python holds as a float, where there are any. */
function wholeFloatsOf(
  cells: readonly CellValue[],
  firstRow: number,
  rows: FileRowSet | undefined,
): { wholeFloats?: ReadonlySet<number> } {
  if (rows === undefined) return {};
  const found = new Set<number>();
  cells.forEach((cell, r) => {
    if (typeof cell === "number" && rows.has(firstRow - 1 + r)) found.add(r);
  });
  return found.size === 0 ? {} : { wholeFloats: found };
}

/**
 * The rows of a chunk (from 0 in it) whose value Python holds as `json.loads` of a text reads it, where there are
 * any: nested values' JSON text (a list or dict), and -0.0 where the file wrote it as a float (JSON.stringify
 * would send 0).
 */
function pythonJsonOf(
  cells: readonly CellValue[],
  firstRow: number,
  type: { nested?: FileRowSet | undefined; wholeFloats?: FileRowSet | undefined },
): { pythonJson?: ReadonlyMap<number, string> } {
  const { nested, wholeFloats } = type;
  if (nested === undefined && wholeFloats === undefined) return {};
  const found = new Map<number, string>();
  cells.forEach((cell, r) => {
    const row = firstRow - 1 + r;
    if (typeof cell === "string" && nested?.has(row) === true) found.set(r, cell);
    else if (Object.is(cell, -0) && wholeFloats?.has(row) === true) found.set(r, "-0.0");
  });
  return found.size === 0 ? {} : { pythonJson: found };
}

/** A cell of an int64 column: booleans as 0 and 1, integer text as its integer. */
function integerValue(cell: CellValue): number | bigint {
  if (typeof cell === "boolean") return cell ? 1 : 0;
  if (typeof cell === "number") return exact(BigInt(cell));
  return exact(pythonInt(cell as string) as bigint);
}

/** A cell of a float64 column, as Python's float() takes it; null is NaN. */
function floatValue(cell: CellValue): number {
  if (cell === null) return Number.NaN;
  if (typeof cell === "boolean") return cell ? 1 : 0;
  if (typeof cell === "number") return cell;
  return pythonFloat(cell) as number;
}

/** A number where it holds the integer exactly, else the BigInt. */
function exact(integer: bigint): number | bigint {
  const number = Number(integer);
  return Number.isSafeInteger(number) ? number : integer;
}
