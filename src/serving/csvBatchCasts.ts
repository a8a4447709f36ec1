/**
 * A CSV chunk's signature columns as MLflow's `parse_csv_input(csv, schema)` reads a `text/csv` body:
 * `pd.read_csv(dtype=<the signature's pandas types>)` (payloads/csvColumnCasts.ts), so that a file and a request
 * with the same rows are accepted or refused alike and give the model the same values (whole floats and
 * true/false text in an int column are integers, missing cells in a float column NaN). MLflow's own batch
 * command (`mlflow models predict -t csv`) reads the file with no dtypes and then refuses far more (any
 * `integer` column, a `float` column of fractions: "Can not safely convert float64 to float32"); serving's
 * reading is the one followed here. A refusal keeps pandas' reason and adds what a batch job needs: the column,
 * the file's row and line. Each column is cast on its own so that a refusal names its column; the position in
 * pandas' reason is the column's place in the file's header, as read_csv counts it.
 */
import { FlowOpsError } from "../errors.js";
import { PANDAS_NA_VALUES } from "../tables/numericColumn.js";
import type { TableChunk } from "../tables/tableChunk.js";
import { castCsvColumns } from "./payloads/csvColumnCasts.js";
import type { ModelSignature } from "./signature.js";

/** The column types read_csv is given a dtype for (DataType.pandas_types of a column signature). */
const CAST_TYPES: ReadonlySet<string> = new Set(["integer", "long", "float", "double"]);

/**
 * The cells of `names` with each signature column of a numeric type as read_csv's dtype makes it (numbers;
 * BigInts for long), the other columns as they are; undefined where nothing is cast (no column signature, one
 * without names, no numeric column among `names`). Throws INVALID_PARAMETER_VALUE naming the column and row.
 */
export function csvSignatureCells(
  signature: ModelSignature | undefined,
  chunk: TableChunk,
  names: readonly string[],
): (readonly unknown[])[] | undefined {
  if (signature?.kind !== "columns") return undefined;
  if (!signature.inputs.every((input) => input.name !== undefined)) return undefined;
  const typed = new Set(
    signature.inputs.flatMap((input) =>
      typeof input.type === "string" && CAST_TYPES.has(input.type) ? [input.name as string] : [],
    ),
  );
  if (!names.some((name) => typed.has(name))) return undefined;
  return names.map((name) => {
    const cells = chunk.column(name);
    if (!typed.has(name)) return cells;
    return castColumn(signature, chunk, name, cells.map(csvText));
  });
}

/** A cell as read_csv sees it: its text, or null where it is missing (empty, or one of the default NA markers). */
function csvText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === "string" ? value : String(value);
  return PANDAS_NA_VALUES.has(text) ? null : text;
}

function castColumn(
  signature: ModelSignature,
  chunk: TableChunk,
  name: string,
  cells: readonly (string | null)[],
): unknown[] {
  const header = headerWith(chunk, name);
  const index = header.length - 1;
  const rows = cells.map((cell) => rowWith(index, cell));
  let cast: unknown[][] | undefined;
  try {
    cast = castCsvColumns(header, rows, signature);
  } catch (error) {
    throw located(error, signature, chunk, name, cells);
  }
  return cast === undefined ? cells.slice() : cast.map((row) => row[index]);
}

/**
 * The file's header up to `name`, the other names blanked so that only this column is cast (an empty name is
 * never a signature's: MLflow refuses an empty column name).
 */
function headerWith(chunk: TableChunk, name: string): string[] {
  const at = chunk.columns.indexOf(name);
  const header = new Array<string>(at + 1).fill("");
  header[at] = name;
  return header;
}

function rowWith(index: number, cell: string | null): unknown[] {
  const row = new Array<unknown>(index + 1).fill(null);
  row[index] = cell;
  return row;
}

/**
 * read_csv's refusal with the column and a row: the first refused on its own for the reason the column was
 * (else the first refused on its own at all); a column refused only as a whole (integers beside true/false
 * text) names the chunk's rows instead.
 */
function located(
  error: unknown,
  signature: ModelSignature,
  chunk: TableChunk,
  name: string,
  cells: readonly (string | null)[],
): unknown {
  if (!(error instanceof FlowOpsError)) return error;
  const reason = readCsvReason(error.message);
  const reasons = cells.map((cell) => singleCellReason(signature, name, cell));
  const same = reasons.findIndex((each) => each !== undefined && samePlace(each) === samePlace(reason));
  const row = same !== -1 ? same : reasons.findIndex((each) => each !== undefined);
  const where =
    row === -1
      ? `rows ${chunk.startRow + 1}-${chunk.startRow + cells.length}`
      : `${chunk.describeRow(chunk.startRow + row)}: ${cellText(chunk.column(name)[row])}`;
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `column ${name}, ${where} refused by read_csv with the signature's dtypes, as MLflow reads CSV for ` +
      `this model: ${reason}`,
    { cause: error },
  );
}

/** Why read_csv refuses the one cell as a column of its own, or undefined when it takes it. */
function singleCellReason(signature: ModelSignature, name: string, cell: string | null): string | undefined {
  try {
    castCsvColumns([name], [[cell]], signature);
    return undefined;
  } catch (error) {
    return error instanceof FlowOpsError ? readCsvReason(error.message) : String(error);
  }
}

/** A reason without the column's position, which differs between the column and a cell cast alone. */
function samePlace(reason: string): string {
  return reason.replace(/ in column \d+/, "");
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined || cell === "") return "missing value (empty),";
  const text = typeof cell === "string" ? cell : String(cell);
  return PANDAS_NA_VALUES.has(text) ? `missing value ${JSON.stringify(text)},` : `${JSON.stringify(text)},`;
}

/** pandas' own words from csvError's message (its `Error: '...'` part). */
function readCsvReason(message: string): string {
  const at = message.indexOf("Error: ");
  return at === -1 ? message : message.slice(at + "Error: ".length);
}
