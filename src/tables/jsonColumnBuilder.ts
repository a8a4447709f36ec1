/**
 * One column of a JSON Lines chunk as its rows are read. Numbers go into a Float64Array until a value of another
 * kind comes, and a column of numbers that are not all safe integers is handed out as that array, which moves to
 * the caller's thread without a copy and is what pandas reads (float64). Any other column is handed out as
 * cells: integers among them may make an int64 column downstream (pandasJsonColumn), nulls stay nulls, and a
 * big integer (a BigInt, from jsonBigIntegers.ts) makes the column int64 when all of it fits.
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

export class JsonColumnBuilder {
  private numbers = new Float64Array(1024);
  private cells: ReadCell[] | undefined;
  private length = 0;
  private fractional = false;
  private big = false;
  /** Whether every value so far came with its text, which is then in textBytes up to textEnds[length - 1]. */
  private texted: boolean;
  private textBytes = new Uint8Array(8192);
  private textEnds = new Int32Array(1024);
  private textLength = 0;
  private readonly scratch = new ByteBuilder(64);

  /** `keepText`: keep the numbers' text (NumberText); without it `numberText()` gives none. */
  constructor(private readonly keepText = true) {
    this.texted = keepText;
  }

  /** A number read without its text (by JSON.parse). */
  number(value: number): void {
    if (this.texted) this.addText(value, "", 0, -1);
    this.push(value);
  }

  /** A number whose text is `text[start, end)`, an end of -1 when that text is not `String`'s. */
  numberWithText(value: number, text: string, start: number, end: number): void {
    if (this.texted) this.addText(value, text, start, end);
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

  /** The text of the column's numbers so far, when `take` will give them as a Float64Array and all have it. */
  numberText(): NumberText | undefined {
    if (!this.texted || this.cells !== undefined || !this.fractional || this.length === 0) return undefined;
    return {
      bytes: this.textBytes.slice(0, this.textLength),
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
    this.texted = this.keepText;
    this.textLength = 0;
    return values;
  }

  /**
   * The text of the number at row `length`: copied from `text[start, end)`, or, where that is not `String`'s
   * (-1.0, 1e3, a number JSON.parse read), written from the value as the writers would write it. A value no
   * text writer writes as a number (an infinity, from JSON.parse) leaves the column without text.
   */
  private addText(value: number, text: string, start: number, end: number): void {
    let source: Uint8Array | undefined;
    let count = end - start;
    if (end < 0) {
      if (value - value !== 0) {
        this.texted = false;
        return;
      }
      this.scratch.length = 0;
      this.scratch.finiteNumber(value, false);
      count = this.scratch.length;
      source = this.scratch.reserve(0);
    }
    if (this.textLength + count > this.textBytes.length) {
      const grown = new Uint8Array(Math.max(this.textBytes.length * 2, this.textLength + count));
      grown.set(this.textBytes.subarray(0, this.textLength));
      this.textBytes = grown;
    }
    if (this.length === this.textEnds.length) {
      const grown = new Int32Array(this.textEnds.length * 2);
      grown.set(this.textEnds);
      this.textEnds = grown;
    }
    const bytes = this.textBytes;
    let at = this.textLength;
    if (source !== undefined) {
      for (let i = 0; i < count; i++) bytes[at++] = source[i] as number;
    } else {
      // A number's text is ASCII: its UTF-16 code units are its bytes.
      for (let i = start; i < end; i++) bytes[at++] = text.charCodeAt(i);
    }
    this.textLength = at;
    this.textEnds[this.length] = at;
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

/**
 * A chunk's column that holds a big integer: int64 when all its cells are integers within int64 (as pandas
 * reads it); otherwise numbers, as pandas' float64 for a column with gaps or fractions holds them too.
 */
function bigIntegerColumn(cells: readonly ReadCell[]): ColumnValues {
  const fits = cells.every((cell) =>
    typeof cell === "bigint" ? cell >= INT64_MIN && cell <= INT64_MAX : Number.isSafeInteger(cell),
  );
  if (fits) return BigInt64Array.from(cells, (cell) => BigInt(cell as number | bigint));
  return cells.map((cell) => (typeof cell === "bigint" ? Number(cell) : cell));
}
