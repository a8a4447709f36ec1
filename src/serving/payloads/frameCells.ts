/**
 * Frame cells (JSON values, or text from CSV) made ready for a column of a given V2 datatype, the way pandas'
 * `astype` treats them under MLflow's `cast_df_types_according_to_schema`: numeric text becomes a number, null
 * a NaN in float columns, "True"/"False" a boolean, numbers and booleans text in string columns. What cannot
 * be converted is left as is, so the typed conversion reports it with its row and column.
 */
import type { Datatype } from "../tensor.js";

/**
 * Each part can match a digit run in one way only: `\d+\.?\d*` (as this once read) could split a run anywhere,
 * so a long run of digits that failed at its end took quadratic time (40,000 digits held the event loop 3.5 s).
 */
const NUMERIC_TEXT =
  /^\s*[+-]?(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity|nan)\s*$/i;

/** Converts `values` in place for `datatype`. */
export function prepareCells(values: unknown[], datatype: Datatype): void {
  switch (datatype) {
    case "BYTES":
      for (let i = 0; i < values.length; i++) values[i] = textCell(values[i]);
      return;
    case "BOOL":
      for (let i = 0; i < values.length; i++) values[i] = booleanCell(values[i]);
      return;
    case "FP16":
    case "FP32":
    case "FP64":
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (typeof value !== "number") values[i] = value === null ? NaN : numberCell(value);
      }
      return;
    case "INT64":
    case "UINT64":
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (typeof value === "string") values[i] = int64Cell(value);
      }
      return;
    default:
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (typeof value === "string") values[i] = numberCell(value);
      }
  }
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

/**
 * numberCell for a 64-bit integer column: integer text beyond 2^53 as its exact BigInt, as pandas reads an int64
 * column (a Parquet or JSON Lines int64 column's cells beyond 2^53 arrive as such text, see int64Cells).
 */
function int64Cell(value: string): unknown {
  const number = numberCell(value);
  if (typeof number !== "number" || Number.isSafeInteger(number) || !INTEGER_TEXT.test(value)) return number;
  return BigInt(value.trim());
}

/** The number a numeric text stands for (pandas spellings of inf and nan included); other values unchanged. */
export function numberCell(value: unknown): unknown {
  if (typeof value !== "string" || !NUMERIC_TEXT.test(value)) return value;
  const text = value.trim().toLowerCase().replace(/^\+/, "");
  if (text === "inf" || text === "infinity") return Infinity;
  if (text === "-inf" || text === "-infinity") return -Infinity;
  if (text.endsWith("nan")) return NaN;
  return Number(text);
}

function booleanCell(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (text === "True" || text === "true" || text === "TRUE") return true;
  if (text === "False" || text === "false" || text === "FALSE") return false;
  return numberCell(text);
}

function textCell(value: unknown): unknown {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  return value;
}

const BOOLEAN_TEXT = /^(?:true|false)$/i;

/**
 * For a column without a declared type, typed as its source would be (Frame.textCells). JSON ("json"): the
 * cells unchanged, as pandas keeps a JSON string "1" text. CSV ("csv", as pandas.read_csv) and cells of unknown
 * source: when every non-null cell is numeric text, the numbers (null as NaN), and `floats` says that read_csv
 * would make the column float64 for text such as `1.0` or `1e3`, whose numbers are whole; CSV only: when every
 * one is true or false in any letter case (read_csv's default true/false values, untrimmed), the booleans (null
 * stays null: pandas' object column of True and NaN); else the cells unchanged.
 */
export function inferCells(
  values: readonly unknown[],
  source: "csv" | "json" | undefined,
): { cells: unknown[]; floats: boolean } {
  if (source === "json") return { cells: values.slice(), floats: false };
  let text = 0;
  let numericText = 0;
  let booleanText = 0;
  let floats = false;
  for (const value of values) {
    if (typeof value === "string") {
      text++;
      if (NUMERIC_TEXT.test(value)) {
        numericText++;
        floats ||= !INTEGER_TEXT.test(value);
      } else if (BOOLEAN_TEXT.test(value)) booleanText++;
    }
  }
  if (text > 0 && numericText === text) {
    return { cells: values.map((value) => (value === null ? NaN : numberCell(value))), floats };
  }
  if (source === "csv" && text > 0 && booleanText === text) {
    const cells = values.map((value) => (typeof value === "string" ? value.toLowerCase() === "true" : value));
    return { cells, floats: false };
  }
  return { cells: values.slice(), floats: false };
}
