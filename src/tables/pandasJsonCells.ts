/**
 * A JSON Lines column as `pandas.read_json(path, lines=True)` types it (its `dtype=True` default), for a model
 * without a signature, which gets the frame pandas read. Only a column of booleans alone is kept as it is;
 * every other column pandas first tries as float64, each value as Python's `float()` takes it (null NaN, true
 * 1.0, "1.5" 1.5), and where that works, as int64 when every value is an integer within int64 (true 1, "2" 2)
 * and none is missing. A column with any value that is no number (`"x"`, `""`, `"0x10"`) stays as it is: text,
 * or an object column of mixed values. So `"1.5"` is 1.5 and `[true, null]` is [1.0, NaN], where pandas'
 * DataFrame constructor (MLflow's JSON requests) keeps both as they are.
 *
 * Left out: read_json's conversion of columns named like dates (`date`, `*_at`, `*_time`, `timestamp*`,
 * `modified`) to datetimes.
 */
import type { PandasCells } from "./pandasReadCells.js";
import { pythonFloat, pythonInt } from "./pythonNumberText.js";
import type { CellValue } from "./tableChunk.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** 2^63: the first double beyond int64, which `astype("int64")` cannot hold. */
const INT64_LIMIT = 9223372036854775808;

/** The cells of one column of a chunk, as read_json's frame holds them (see the module comment). */
export function pandasJsonCells(cells: readonly CellValue[]): PandasCells {
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
      if (float === undefined) return { values: cells, float: false };
      floats[i] = float;
      if (!integral) continue;
      const integer = pythonInt(cell);
      if (integer !== undefined && integer >= INT64_MIN && integer <= INT64_MAX) integers[i] = exact(integer);
      else integral = false;
    }
  }
  return integral ? { values: integers, float: false } : { values: floats, float: true };
}

/** A number where it holds the integer exactly, else the BigInt. */
function exact(integer: bigint): number | bigint {
  const number = Number(integer);
  return Number.isSafeInteger(number) ? number : integer;
}
