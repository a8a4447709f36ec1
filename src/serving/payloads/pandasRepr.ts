/**
 * Python's repr of the data MLflow's scoring server holds after parsing a request, for messages that quote it
 * (`Failed to predict data '<data>'`): a pandas DataFrame (pandas 3.x `DataFrame.__repr__`, as a server without a
 * terminal prints it; numpyRepr.ts prints the dicts of numpy arrays). Covers the cells JSON and CSV bodies carry
 * (numbers, text, booleans, missing values) and pandas' row truncation; it does not wrap frames wider than 80
 * characters as pandas does, nor render nested cells as Python would.
 */
/** How pandas (or numpy) holds a column: the dtype family that decides how its cells print. */
export type ReprKind = "int" | "float" | "bool" | "text";

export interface ReprColumn {
  name: string;
  kind: ReprKind;
  /** The cells, null where missing (NaN in a number column). */
  cells: readonly unknown[];
}

/** pandas' display.max_rows, and the head and tail it shows past that (display.min_rows). */
const MAX_ROWS = 60;
const SHOWN_ROWS = 10;
/** pandas' display.precision. */
const DIGITS = 6;

/** `repr(DataFrame)` of the columns; `index` labels the rows (0, 1, ... by default). */
export function dataFrameRepr(
  columns: readonly ReprColumn[],
  rowCount: number,
  index?: readonly unknown[],
): string {
  const truncated = rowCount > MAX_ROWS;
  const half = SHOWN_ROWS / 2;
  const rows = truncated ? [...range(0, half), -1, ...range(rowCount - half, rowCount)] : range(0, rowCount);
  const labels = rows.map((r) => (r === -1 ? ".." : labelText(index === undefined ? r : index[r])));
  const indexWidth = Math.max(0, ...labels.map((label) => label.length));
  const lines = labels.map((label) => label.padEnd(indexWidth));
  let header = " ".repeat(indexWidth);
  for (const column of columns) {
    const shown = rows.filter((r) => r !== -1).map((r) => column.cells[r]);
    const texts = cellTexts(column.kind, shown);
    // pandas marks the cut rows "..." in a float column, ".." in the others.
    if (truncated) texts.splice(half, 0, column.kind === "float" ? " ..." : " ..");
    const width = Math.max(column.name.length, ...texts.map((text) => text.length));
    header += ` ${column.name.padStart(width)}`;
    texts.forEach((text, i) => (lines[i] += ` ${text.padStart(width)}`));
  }
  const text = [header, ...lines].join("\n");
  return truncated ? `${text}\n\n[${rowCount} rows x ${columns.length} columns]` : text;
}

/** pandas' column formatting: a leading space (room for a sign), NaN for missing, floats to a common precision. */
function cellTexts(kind: ReprKind, cells: readonly unknown[]): string[] {
  switch (kind) {
    case "int":
      return cells.map((cell) => signed(String(cell)));
    case "bool":
      return cells.map((cell) => (cell === null ? " NaN" : cell === true ? " True" : " False"));
    case "float":
      return pandasFloats(cells.map(toNumber));
    case "text":
      return cells.map(
        (cell) => ` ${cell === null ? "NaN" : typeof cell === "string" ? cell : pythonScalarText(cell)}`,
      );
  }
}

function pandasFloats(values: readonly number[]): string[] {
  const finite = values.filter((value) => Number.isFinite(value)).map(Math.abs);
  let texts = values.map((value) => floatText(value, (v) => v.toFixed(DIGITS)));
  texts = trimZeros(texts);
  const tooLong = Math.max(0, ...texts.map((text) => text.length)) > DIGITS + 6;
  const small = finite.some((value) => value > 0 && value < 10 ** -DIGITS);
  if (small || (tooLong && finite.some((value) => value > 1e6))) {
    texts = values.map((value) =>
      floatText(value, (v) => v.toExponential(DIGITS).replace(/e([+-])(\d)$/, "e$10$2")),
    );
  }
  return texts;
}

function floatText(value: number, format: (value: number) => string): string {
  if (Number.isNaN(value)) return " NaN";
  if (!Number.isFinite(value)) return value > 0 ? " inf" : "-inf";
  return signed(format(value));
}

/** Drops trailing zeros common to every number, keeping one digit after the point (pandas' _trim_zeros_float). */
function trimZeros(texts: string[]): string[] {
  const decimal = (text: string): boolean => /^\s*[+-]?\d+\.\d*$/.test(text);
  const shouldTrim = (all: string[]): boolean => {
    const numbers = all.filter(decimal);
    return numbers.length > 0 && numbers.every((text) => text.endsWith("0"));
  };
  while (shouldTrim(texts)) texts = texts.map((text) => (decimal(text) ? text.slice(0, -1) : text));
  return texts.map((text) => (decimal(text) && text.endsWith(".") ? `${text}0` : text));
}

function signed(text: string): string {
  return text.startsWith("-") ? text : ` ${text}`;
}

function toNumber(cell: unknown): number {
  if (cell === null || cell === undefined) return NaN;
  return typeof cell === "number" ? cell : Number(cell);
}

function labelText(label: unknown): string {
  return typeof label === "string" ? label : pythonScalarText(label);
}

/** `str()` of a JSON scalar in Python. */
function pythonScalarText(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  return typeof value === "object" ? JSON.stringify(value) : String(value as string | number | bigint);
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
