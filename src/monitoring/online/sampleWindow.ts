/**
 * One endpoint's open monitoring window: the sampled rows of its stable model as growing columns (numbers in
 * a Float64Array that doubles as it fills, labels in an array), bounded by `maxRows`. Columns may appear in
 * some requests and not others (data frames with optional fields); a column is padded with missing values
 * (NaN or null) so every column always has one value per row, which is what a DriftTable needs.
 */
import type { DriftTable } from "../drift/datasetDrift.js";

/** Values of one sampled row batch for one column. */
export type SampledValues = Float64Array | readonly (string | null)[];

interface NumberColumn {
  kind: "numbers";
  values: Float64Array;
  /** Rows written; the array is larger as it grows by doubling. */
  length: number;
}

interface LabelColumn {
  kind: "labels";
  values: (string | null)[];
}

type WindowColumn = NumberColumn | LabelColumn;

export interface ClosedWindow {
  readonly endpoint: string;
  readonly modelKey: string;
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  /** Rows that arrived after the window was full and were not kept. */
  readonly dropped: number;
  readonly table: DriftTable;
}

export class SampleWindow {
  private readonly columns = new Map<string, WindowColumn>();
  private count = 0;
  private droppedRows = 0;

  constructor(
    readonly endpoint: string,
    readonly modelKey: string,
    readonly start: number,
    private readonly maxRows: number,
  ) {}

  get rows(): number {
    return this.count;
  }

  get dropped(): number {
    return this.droppedRows;
  }

  /**
   * Appends `rows` rows given as columns (each with `rows` values). Rows beyond `maxRows` are counted as
   * dropped: a full window keeps its first rows, which are as good a sample as any.
   */
  append(rows: number, batch: ReadonlyMap<string, SampledValues>): void {
    const kept = Math.min(rows, this.maxRows - this.count);
    this.droppedRows += rows - kept;
    if (kept <= 0) return;
    for (const [name, values] of batch) {
      const column = this.columns.get(name) ?? this.newColumn(name, values);
      appendValues(column, this.count, values, kept);
    }
    const end = this.count + kept;
    for (const column of this.columns.values()) pad(column, end);
    this.count = end;
  }

  close(end: number): ClosedWindow {
    const table: DriftTable = [...this.columns].map(([name, column]) => ({
      name,
      values: column.kind === "numbers" ? column.values.slice(0, this.count) : column.values,
    }));
    return {
      endpoint: this.endpoint,
      modelKey: this.modelKey,
      start: this.start,
      end,
      rows: this.count,
      dropped: this.droppedRows,
      table,
    };
  }

  private newColumn(name: string, first: SampledValues): WindowColumn {
    const column: WindowColumn =
      first instanceof Float64Array
        ? { kind: "numbers", values: new Float64Array(Math.min(this.maxRows, 256)), length: 0 }
        : { kind: "labels", values: [] };
    // Rows before this column first appeared had no value for it.
    pad(column, this.count);
    this.columns.set(name, column);
    return column;
  }
}

function appendValues(column: WindowColumn, at: number, values: SampledValues, count: number): void {
  if (column.kind === "labels") {
    column.values.length = at;
    for (let i = 0; i < count; i++) {
      const value = values[i];
      column.values.push(value === undefined || value === null ? null : String(value));
    }
    return;
  }
  ensureCapacity(column, at + count);
  for (let i = 0; i < count; i++) {
    const value = values[i];
    // A label where numbers were sampled before cannot be compared as a number: it counts as missing.
    column.values[at + i] = typeof value === "number" ? value : Number.NaN;
  }
  column.length = at + count;
}

function pad(column: WindowColumn, rows: number): void {
  if (column.kind === "labels") {
    while (column.values.length < rows) column.values.push(null);
    return;
  }
  if (column.length >= rows) return;
  ensureCapacity(column, rows);
  column.values.fill(Number.NaN, column.length, rows);
  column.length = rows;
}

function ensureCapacity(column: NumberColumn, rows: number): void {
  if (column.values.length >= rows) return;
  let size = Math.max(column.values.length, 1);
  while (size < rows) size *= 2;
  const grown = new Float64Array(size);
  grown.set(column.values);
  column.values = grown;
}
