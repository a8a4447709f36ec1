/**
 * A column of doubles or float32 values as the text the CSV and JSON Lines writers write for it (NumberText),
 * made on the table's reading thread. Parquet holds no text, so writing its numbers to a text file formatted
 * every one of them on the scoring thread (~125 ns a float32 value, most of a Parquet -> CSV run) while the
 * reading thread waited; the reading thread formats them instead whenever it would otherwise wait.
 */

import { ByteBuilder } from "./byteBuilder.js";
import type { NumberText } from "./columnarTableChunk.js";

/** The text of each value, or undefined when one is NaN or infinite (which the writers write in their own ways). */
export function formattedNumberText(values: Float32Array | Float64Array): NumberText | undefined {
  const float32 = values instanceof Float32Array;
  const bytes = new ByteBuilder(values.length * 12);
  const starts = new Int32Array(values.length);
  const ends = new Int32Array(values.length);
  for (let row = 0; row < values.length; row++) {
    const value = values[row] as number;
    if (value - value !== 0) return undefined;
    starts[row] = bytes.length;
    bytes.finiteNumber(value, float32);
    ends[row] = bytes.length;
  }
  // A copy that is its whole buffer, so that it moves to the caller's thread as it is.
  return { bytes: bytes.take().slice(), starts, ends };
}
