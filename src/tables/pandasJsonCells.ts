/**
 * A JSON Lines column as `pandas.read_json(path, lines=True)` types it (its `dtype=True` default), for a model
 * without a signature, which gets the frame pandas read. Only a column of booleans alone is kept as it is;
 * every other column pandas first tries as float64, each value as Python's `float()` takes it (null NaN, true
 * 1.0, "1.5" 1.5), and where that works, as int64 when every value is an integer within int64 (true 1, "2" 2)
 * and none is missing. A column with any value that is no number (`"x"`, `""`, `"0x10"`) stays as it is: text,
 * or an object column of mixed values. So `"1.5"` is 1.5 and `[true, null]` is [1.0, NaN], where pandas'
 * DataFrame constructor (MLflow's JSON requests) keeps both as they are.
 *
 * A column kept as it is says its dtype (str, or object where it mixes kinds), which a batch of its rows alone
 * would not tell; columns named like dates are read_json's datetimes where their values are (pandasJsonDates.ts).
 *
 * pandas types a column on the whole file, this on a chunk (a part of the file) only: a null in one part makes
 * that part's integers float64 while the other parts' stay int64. Typing on the whole file would take reading
 * it twice, or holding all of it, before the first prediction.
 */
import { isPandasDateName, pandasJsonDates } from "./pandasJsonDates.js";
import type { PandasCells } from "./pandasReadCells.js";
import { pythonFloat, pythonInt } from "./pythonNumberText.js";
import type { CellValue } from "./tableChunk.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** 2^63: the first double beyond int64, which `astype("int64")` cannot hold. */
const INT64_LIMIT = 9223372036854775808;

/**
 * The cells of column `name` of a chunk, the first at row `firstRow` (from 1), as read_json's frame holds them
 * (see the module comment).
 */
export function pandasJsonCells(cells: readonly CellValue[], name: string, firstRow: number): PandasCells {
  if (isPandasDateName(name)) {
    const dates = pandasJsonDates(name, cells, firstRow);
    if (dates !== undefined) return { values: dates.values, float: false, dtype: dates.dtype };
  }
  if (cells.length > 0 && cells.every((cell) => typeof cell === "boolean"))
    return { values: cells, float: false };
  const floats = new Array<number>(cells.length);
  const integers = new Array<number | bigint>(cells.length);
  let integral = true;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as CellValue;
    if (cell === null) {
      floats[i] = Number.NaN;
      integral = false;
    } else if (typeof cell === "boolean") {
      floats[i] = integers[i] = cell ? 1 : 0;
    } else if (typeof cell === "number") {
      floats[i] = cell;
      if (integral && Number.isInteger(cell) && Math.abs(cell) < INT64_LIMIT)
        integers[i] = exact(BigInt(cell));
      else integral = false;
    } else {
      const float = pythonFloat(cell);
      if (float === undefined) return keptCells(cells);
      floats[i] = float;
      if (!integral) continue;
      const integer = pythonInt(cell);
      if (integer !== undefined && integer >= INT64_MIN && integer <= INT64_MAX) integers[i] = exact(integer);
      else integral = false;
    }
  }
  return integral ? { values: integers, float: false } : { values: floats, float: true };
}

/** A column no number conversion took: str where it holds only text (and nulls), else object. */
function keptCells(cells: readonly CellValue[]): PandasCells {
  const text = cells.every((cell) => cell === null || typeof cell === "string");
  return { values: cells, float: false, dtype: { kind: text ? "str" : "object" } };
}

/** A number where it holds the integer exactly, else the BigInt. */
function exact(integer: bigint): number | bigint {
  const number = Number(integer);
  return Number.isSafeInteger(number) ? number : integer;
}
