/**
 * Snappy decompression for Parquet pages, given to hyparquet as its SNAPPY decompressor. hyparquet's own copies
 * every literal and back-reference byte by byte; numeric pages are mostly long literals (float bits rarely
 * repeat), so here long literals are one `set` from the input and long non-overlapping back-references one
 * `copyWithin`, which is several times faster on such pages. Short runs stay byte loops (cheaper than a call).
 * Format: https://github.com/google/snappy/blob/main/format_description.txt
 */

/** Below this many bytes a run is copied in a loop rather than by a typed-array call. */
const BULK_COPY_BYTES = 16;

export function snappyDecompress(input: Uint8Array, outputLength: number): Uint8Array {
  const output = new Uint8Array(outputLength);
  const end = input.length;
  let pos = 0;
  // The preamble: the uncompressed length as a varint.
  let declared = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= end || shift > 28) throw new Error("snappy: truncated length preamble");
    const byte = input[pos++] as number;
    declared += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  if (declared !== outputLength) {
    throw new Error(`snappy: the data holds ${declared} bytes where the page header says ${outputLength}`);
  }
  let out = 0;
  while (pos < end) {
    const tag = input[pos++] as number;
    const kind = tag & 3;
    if (kind === 0) {
      let length = (tag >>> 2) + 1;
      if (length > 60) {
        const bytes = length - 60;
        if (pos + bytes > end) throw new Error("snappy: truncated literal length");
        length = 0;
        for (let i = 0; i < bytes; i++) length += (input[pos + i] as number) * 2 ** (8 * i);
        length += 1;
        pos += bytes;
      }
      if (pos + length > end || out + length > outputLength)
        throw new Error("snappy: literal runs past the data");
      if (length < BULK_COPY_BYTES) {
        for (let i = 0; i < length; i++) output[out + i] = input[pos + i] as number;
      } else {
        output.set(input.subarray(pos, pos + length), out);
      }
      pos += length;
      out += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= end) throw new Error("snappy: truncated copy");
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (input[pos++] as number);
    } else if (kind === 2) {
      if (pos + 2 > end) throw new Error("snappy: truncated copy");
      length = (tag >>> 2) + 1;
      offset = (input[pos] as number) | ((input[pos + 1] as number) << 8);
      pos += 2;
    } else {
      if (pos + 4 > end) throw new Error("snappy: truncated copy");
      length = (tag >>> 2) + 1;
      offset =
        ((input[pos] as number) |
          ((input[pos + 1] as number) << 8) |
          ((input[pos + 2] as number) << 16) |
          ((input[pos + 3] as number) << 24)) >>>
        0;
      pos += 4;
    }
    if (offset === 0 || offset > out || out + length > outputLength) {
      throw new Error("snappy: a back-reference points outside the data");
    }
    const from = out - offset;
    if (offset >= length && length >= BULK_COPY_BYTES) {
      output.copyWithin(out, from, from + length);
    } else {
      // Overlapping copies repeat the bytes just written, so they go forward one byte at a time.
      for (let i = 0; i < length; i++) output[out + i] = output[from + i] as number;
    }
    out += length;
  }
  if (out !== outputLength) throw new Error(`snappy: the data ends after ${out} of ${outputLength} bytes`);
  return output;
}
