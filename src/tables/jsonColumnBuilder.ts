/**
 * One column of a JSON Lines chunk as its rows are read. Numbers go into a Float64Array until a value of another
 * kind comes, and a column of numbers that are not all safe integers is handed out as that array, which moves to
 * the caller's thread without a copy and is what pandas reads (float64). Any other column is handed out as
 * cells: integers among them may make an int64 column downstream (pandasJsonColumn), nulls stay nulls, and a
 * big integer (a BigInt, from jsonBigIntegers.ts) makes the column int64 when all of it fits, uint64 when all of
 * it is whole and none negative.
 *
 * Each number's text as the text writers write it is kept too (NumberText), so that they copy it instead of
 * formatting every number again, which was most of the time spent writing a JSON Lines or CSV file of numbers.
 * The text is mostly the file's own, copied (flatJsonLine.ts finds where that is `String`'s); the few others
 * (-1.0, 1e3) are formatted here, on the reading thread.
 */

import { ByteBuilder } from "./byteBuilder.js";
import type { ColumnValues, NumberText } from "./columnarTableChunk.js";
import type { CellValue } from "./tableChunk.js";

/** A cell as read: a big integer stays a BigInt until its chunk decides its column's type. */
export type ReadCell = CellValue | bigint;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The bytes a chunk's number text lies in, shared by its columns: the lines the reader read, copied a block at
 * a time (copying each number's few bytes on their own cost the reading thread ~0.5 s for 20M numbers), and the
 * text of the numbers whose own is not `String`'s.
 */
export class NumberTextBytes {
  private buffer: Uint8Array;
  length = 0;
  private readonly scratch = new ByteBuilder(64);

  constructor(private capacity = 1 << 16) {
    this.buffer = new Uint8Array(capacity);
  }

  /** Copies `source[start, end)` in; returns where it starts here. */
  append(source: Uint8Array, start: number, end: number): number {
    const at = this.length;
    this.room(end - start).set(source.subarray(start, end), at);
    this.length = at + end - start;
    return at;
  }

  /** Writes a finite `value` as the text writers write it (ByteBuilder.finiteNumber); returns where it starts. */
  appendNumber(value: number): number {
    this.scratch.length = 0;
    this.scratch.finiteNumber(value, false);
    const count = this.scratch.length;
    return this.append(this.scratch.reserve(0), 0, count);
  }

  /**
   * The bytes so far, as a whole buffer, so that it moves to another thread without a copy (room at its end
   * included); starts afresh, sized for a chunk like this one.
   */
  take(): Uint8Array {
    const bytes = this.buffer;
    this.capacity = Math.max(this.capacity, this.length + (this.length >> 3));
    this.buffer = new Uint8Array(this.capacity);
    this.length = 0;
    return bytes;
  }

  private room(count: number): Uint8Array {
    if (this.length + count > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + count));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    return this.buffer;
  }
}

export class JsonColumnBuilder {
  private numbers = new Float64Array(1024);
  private cells: ReadCell[] | undefined;
  private length = 0;
  private fractional = false;
  private big = false;
  /** Whether every value so far came with its text, which is then `texts`'s bytes [textStarts[r], textEnds[r]). */
  private texted: boolean;
  private textStarts = new Int32Array(1024);
  private textEnds = new Int32Array(1024);

  /** `texts`: where the chunk's number text is kept (NumberText); without it `numberText()` gives none. */
  constructor(private readonly texts?: NumberTextBytes) {
    this.texted = texts !== undefined;
  }

  /** A number read without its text (by JSON.parse). */
  number(value: number): void {
    if (this.texted) this.addText(value, 0, -1);
    this.push(value);
  }

  /**
   * A number whose text is `texts`'s bytes [start, end), an end of -1 when that text is not `String`'s; start
   * and end are not read without `texts`.
   */
  numberWithText(value: number, start: number, end: number): void {
    if (this.texted) this.addText(value, start, end);
    this.push(value);
  }

  cell(value: ReadCell): void {
    if (typeof value === "number") {
      this.number(value);
      return;
    }
    this.texted = false;
    this.cells ??= Array.from(this.numbers.subarray(0, this.length));
    this.cells.push(value);
    if (typeof value === "bigint") this.big = true;
    this.length++;
  }

  /**
   * The text of the column's numbers so far, in `bytes` (what `texts` held, taken), when `take` will give them
   * as a Float64Array and all have it.
   */
  numberText(bytes: Uint8Array): NumberText | undefined {
    if (!this.texted || this.cells !== undefined || !this.fractional || this.length === 0) return undefined;
    return {
      bytes,
      starts: this.textStarts.slice(0, this.length),
      ends: this.textEnds.slice(0, this.length),
    };
  }

  /** The column's values so far, which start it afresh. */
  take(): ColumnValues {
    let values: ColumnValues;
    if (this.cells !== undefined) {
      values = this.big ? bigIntegerColumn(this.cells) : (this.cells as CellValue[]);
    } else if (this.fractional) {
      // A full array moves to the caller as it is; a part of one is copied, and the array kept for the next chunk.
      if (this.numbers.length === this.length) {
        values = this.numbers;
        this.numbers = new Float64Array(this.length);
      } else {
        values = this.numbers.slice(0, this.length);
      }
    } else {
      values = Array.from(this.numbers.subarray(0, this.length));
    }
    this.cells = undefined;
    this.length = 0;
    this.fractional = false;
    this.big = false;
    this.texted = this.texts !== undefined;
    return values;
  }

  /**
   * The text of the number at row `length`: `texts`'s [start, end), or, where that is not `String`'s (-1.0, 1e3,
   * a number JSON.parse read), written there from the value as the writers would write it. A value no text
   * writer writes as a number (an infinity, from JSON.parse) leaves the column without text.
   */
  private addText(value: number, start: number, end: number): void {
    const texts = this.texts as NumberTextBytes;
    if (end < 0) {
      if (value - value !== 0) {
        this.texted = false;
        return;
      }
      start = texts.appendNumber(value);
      end = texts.length;
    }
    if (this.length === this.textEnds.length) {
      this.textStarts = grownInt32(this.textStarts);
      this.textEnds = grownInt32(this.textEnds);
    }
    this.textStarts[this.length] = start;
    this.textEnds[this.length] = end;
  }

  private push(value: number): void {
    if (this.cells !== undefined) {
      this.cells.push(value);
    } else {
      if (this.length === this.numbers.length) {
        const grown = new Float64Array(this.numbers.length * 2);
        grown.set(this.numbers);
        this.numbers = grown;
      }
      this.numbers[this.length] = value;
    }
    if (!Number.isSafeInteger(value)) this.fractional = true;
    this.length++;
  }
}

function grownInt32(values: Int32Array): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(values.length * 2);
  grown.set(values);
  return grown;
}

/**
 * A chunk's column that holds a big integer: int64 when all its cells are integers within int64 (as pandas
 * reads it), uint64 when they are integers within uint64, none negative (read_json's uint64, whose values beyond
 * 2^63 a double would round); otherwise numbers, as pandas' float64 for a column with gaps or fractions holds
 * them too.
 */
function bigIntegerColumn(cells: readonly ReadCell[]): ColumnValues {
  const fits = cells.every((cell) =>
    typeof cell === "bigint" ? cell >= INT64_MIN && cell <= INT64_MAX : Number.isSafeInteger(cell),
  );
  if (fits) return BigInt64Array.from(cells, (cell) => BigInt(cell as number | bigint));
  const unsigned = cells.every((cell) =>
    typeof cell === "bigint"
      ? cell >= 0n && cell <= UINT64_MAX
      : Number.isSafeInteger(cell) && (cell as number) >= 0,
  );
  if (unsigned) return BigUint64Array.from(cells, (cell) => BigInt(cell as number | bigint));
  return cells.map((cell) => (typeof cell === "bigint" ? Number(cell) : cell));
}
