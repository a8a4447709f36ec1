/**
 * Rows read ahead of the chunks a reader hands out, held column by column as consecutive segments. A reader
 * decodes a large window at once (decoding a Parquet page costs the same whether one row of it is wanted or
 * all of them) and cuts chunks of any size from it; a chunk within one segment shares its memory.
 */

import type { CellValue } from "./tableChunk.js";
import {
  cellValues,
  isTypedColumnValues,
  type ColumnValues,
  type Int64Array,
  type NumericArray,
} from "./columnarTableChunk.js";

interface Segment {
  rows: number;
  columns: ReadonlyMap<string, ColumnValues>;
}

export class ColumnSegments {
  private readonly segments: Segment[] = [];
  /** Rows of the first segment already taken. */
  private taken = 0;
  private held = 0;

  /** Rows pushed and not yet taken. */
  get buffered(): number {
    return this.held;
  }

  push(rows: number, columns: ReadonlyMap<string, ColumnValues>): void {
    if (rows === 0) return;
    this.segments.push({ rows, columns });
    this.held += rows;
  }

  /** The next `rows` rows (at most `buffered`) of each named column. */
  take(rows: number, names: readonly string[]): Map<string, ColumnValues> {
    const pieces = new Map<string, ColumnValues[]>(names.map((name) => [name, []]));
    let left = Math.min(rows, this.held);
    while (left > 0) {
      const segment = this.segments[0] as Segment;
      const count = Math.min(left, segment.rows - this.taken);
      for (const name of names) {
        const values = segment.columns.get(name) as ColumnValues;
        pieces.get(name)?.push(sliceOf(values, this.taken, this.taken + count));
      }
      this.taken += count;
      this.held -= count;
      left -= count;
      if (this.taken === segment.rows) {
        this.segments.shift();
        this.taken = 0;
      }
    }
    const result = new Map<string, ColumnValues>();
    for (const [name, parts] of pieces) result.set(name, concatenated(parts));
    return result;
  }
}

function sliceOf(values: ColumnValues, from: number, to: number): ColumnValues {
  if (from === 0 && to === values.length) return values;
  return isTypedColumnValues(values) ? values.subarray(from, to) : values.slice(from, to);
}

/** One column from its pieces: a typed array when all pieces are typed arrays of one kind, else cells. */
export function concatenated(parts: readonly ColumnValues[]): ColumnValues {
  if (parts.length === 1) return parts[0] as ColumnValues;
  const first = parts[0];
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  if (isTypedColumnValues(first) && parts.every((part) => part.constructor === first.constructor)) {
    const Kind = first.constructor as new (length: number) => NumericArray | Int64Array;
    const joined = new Kind(total);
    let at = 0;
    for (const part of parts) {
      // Every part is of `first`'s kind; TypeScript cannot see that through the union.
      joined.set(part as never, at);
      at += part.length;
    }
    return joined;
  }
  const cells = new Array<CellValue>(total);
  let at = 0;
  for (const part of parts) {
    const values = isTypedColumnValues(part) ? cellValues(part) : part;
    for (let i = 0; i < values.length; i++) cells[at++] = values[i] as CellValue;
  }
  return cells;
}
