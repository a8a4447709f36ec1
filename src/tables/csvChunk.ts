/**
 * The chunk the CSV reader builds. Cells are kept as positions into the decoded text rather than as strings, so
 * parsing a chunk allocates almost nothing: `column()` slices the strings on first use, and `numericColumn` reads
 * numbers straight from the text (see `TextCellColumns`). This is what keeps 10-million-row reads out of the
 * garbage collector's way. Quoted cells, whose text differs from the file's (doubled quotes), are stored aside.
 */

import { absentColumnError, type CellValue, type TableChunk } from "./tableChunk.js";

/** Capability of chunks whose cells are spans of text: lets number parsing skip string allocation. */
export interface TextCellColumns {
  /** The spans of one column, or undefined when the column is not materialised. */
  textCells(name: string): TextCells | undefined;
}

export interface TextCells {
  readonly texts: readonly string[];
  /** Per row: index into `texts`. */
  readonly textOfRow: Int32Array;
  /**
   * Row r's cell: `spans[first + r * stride]` is its start in the row's text, or -1 - i for `quoted[i]`, and the
   * entry after it its end; start === end means an empty (null) cell. These are the parser's own row-major
   * pairs, shared by the chunk's columns, so taking a column copies nothing and a writer going row by row reads
   * them in order.
   */
  readonly spans: Int32Array;
  readonly first: number;
  readonly stride: number;
  readonly rowCount: number;
  readonly quoted: readonly (string | null)[];
}

export function hasTextCells(chunk: TableChunk): chunk is TableChunk & TextCellColumns {
  return typeof (chunk as Partial<TextCellColumns>).textCells === "function";
}

/** A chunk's cells as the parser stored them (see CsvCellSink); what a reading thread sends of a CSV chunk. */
export interface CsvCells {
  readonly texts: readonly string[];
  readonly textOfRow: Int32Array;
  readonly cells: Int32Array;
  readonly lines: Uint32Array;
  readonly quoted: readonly (string | null)[];
  readonly count: number;
  readonly slots: number;
}

/**
 * Capability of chunks whose columns of plain decimals were parsed already, on the thread that read them
 * (workerTableSource.ts): the numbers numericColumn would give, with nothing left to check.
 */
export interface PlainNumberColumns {
  /** The column's numbers when every cell of it is a plain decimal, else undefined. */
  plainNumbers(name: string): Float64Array | undefined;
}

export function hasPlainNumbers(chunk: TableChunk): chunk is TableChunk & PlainNumberColumns {
  return typeof (chunk as Partial<PlainNumberColumns>).plainNumbers === "function";
}

/** Collects the cells of up to `capacity` rows as the parser finds them. */
export class CsvCellSink implements CsvCells {
  readonly texts: string[] = [];
  textOfRow: Int32Array;
  /** Row-major pairs: (row * slots + slot) * 2 -> start, +1 -> end. */
  cells: Int32Array;
  lines: Uint32Array;
  readonly quoted: (string | null)[] = [];
  count = 0;
  /** Rows the arrays have room for; they grow by doubling up to `capacity`, so small files stay small. */
  allocatedRows: number;

  constructor(
    readonly capacity: number,
    readonly slots: number,
  ) {
    this.allocatedRows = Math.min(capacity, 4096);
    this.textOfRow = new Int32Array(this.allocatedRows);
    this.cells = new Int32Array(this.allocatedRows * slots * 2);
    this.lines = new Uint32Array(this.allocatedRows);
  }

  /** Makes room for at least one more row. */
  grow(): void {
    this.allocatedRows = Math.min(this.capacity, this.allocatedRows * 2);
    const textOfRow = new Int32Array(this.allocatedRows);
    textOfRow.set(this.textOfRow);
    this.textOfRow = textOfRow;
    const cells = new Int32Array(this.allocatedRows * this.slots * 2);
    cells.set(this.cells);
    this.cells = cells;
    const lines = new Uint32Array(this.allocatedRows);
    lines.set(this.lines);
    this.lines = lines;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Index of `text` in `texts`, registering it when it is new. */
  useText(text: string): number {
    const last = this.texts.length - 1;
    if (last >= 0 && this.texts[last] === text) return last;
    this.texts.push(text);
    return last + 1;
  }

  /** Stores a cell whose value is not a span of the text (a quoted field). */
  storeQuoted(row: number, slot: number, value: string | null): void {
    const at = (row * this.slots + slot) * 2;
    this.cells[at] = -1 - this.quoted.length;
    this.cells[at + 1] = 0;
    this.quoted.push(value);
  }
}

export class CsvTableChunk implements TableChunk, TextCellColumns {
  readonly rowCount: number;
  private readonly materialised = new Map<string, readonly CellValue[]>();
  private readonly slotOfName: ReadonlyMap<string, number>;

  constructor(
    private readonly path: string,
    readonly columns: readonly string[],
    selected: readonly string[],
    readonly startRow: number,
    /** Read by a reading thread to send the chunk on (tableReadWorker.ts). */
    readonly sink: CsvCells,
  ) {
    this.rowCount = sink.count;
    this.slotOfName = new Map(selected.map((name, slot) => [name, slot]));
  }

  textCells(name: string): TextCells | undefined {
    const slot = this.slotOfName.get(name);
    if (slot === undefined) return undefined;
    const { cells, slots, texts, textOfRow, quoted } = this.sink;
    return {
      texts,
      textOfRow,
      spans: cells,
      first: slot * 2,
      stride: slots * 2,
      rowCount: this.rowCount,
      quoted,
    };
  }

  column(name: string): readonly CellValue[] {
    const cached = this.materialised.get(name);
    if (cached !== undefined) return cached;
    const cells = this.textCells(name);
    if (cells === undefined)
      throw absentColumnError(this.path, this.columns, [...this.slotOfName.keys()], name);
    const values = new Array<CellValue>(this.rowCount);
    for (let row = 0; row < this.rowCount; row++) values[row] = cellText(cells, row);
    this.materialised.set(name, values);
    return values;
  }

  /** The selected columns, in slot order. */
  get selected(): string[] {
    return [...this.slotOfName.keys()];
  }

  describeRow(fileRow: number): string {
    const line = this.sink.lines[fileRow - this.startRow];
    const inChunk = fileRow >= this.startRow && fileRow < this.startRow + this.rowCount;
    return inChunk && line !== undefined ? `row ${fileRow + 1} (line ${line})` : `row ${fileRow + 1}`;
  }
}

/** A CSV chunk sent from a reading thread, with the columns it found to be plain decimals parsed there. */
export class ParsedCsvTableChunk extends CsvTableChunk implements PlainNumberColumns {
  constructor(
    path: string,
    columns: readonly string[],
    selected: readonly string[],
    startRow: number,
    sink: CsvCells,
    private readonly numbers: ReadonlyMap<string, Float64Array>,
  ) {
    super(path, columns, selected, startRow, sink);
  }

  plainNumbers(name: string): Float64Array | undefined {
    return this.numbers.get(name);
  }
}

/** The text of one cell, null when empty. */
export function cellText(cells: TextCells, row: number): string | null {
  const at = cells.first + row * cells.stride;
  const start = cells.spans[at] as number;
  if (start < 0) return cells.quoted[-1 - start] ?? null;
  const end = cells.spans[at + 1] as number;
  if (start === end) return null;
  return (cells.texts[cells.textOfRow[row] as number] as string).slice(start, end);
}
