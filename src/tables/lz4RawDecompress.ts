/**
 * LZ4 block decompression for Parquet's LZ4_RAW pages (what pyarrow writes for `compression="lz4"`): a block
 * is a run of sequences, each a token (literal length, match length), the literals, and a back-reference of a
 * 2-byte offset and a length of at least 4; the last sequence has literals only. Long literals are one `set`
 * and non-overlapping matches one `copyWithin`, as in snappyDecompress.ts. The older Hadoop-framed LZ4 codec is
 * not read. Format: https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md
 */

/** Below this many bytes a run is copied in a loop rather than by a typed-array call. */
const BULK_COPY_BYTES = 16;
const MIN_MATCH = 4;

export function lz4RawDecompress(input: Uint8Array, outputLength: number): Uint8Array {
  const output = new Uint8Array(outputLength);
  const end = input.length;
  let pos = 0;
  let out = 0;
  /** A length nibble of 15 continues in the following bytes, each added, until one is not 255. */
  const length = (nibble: number): number => {
    let total = nibble;
    if (nibble === 15) {
      let byte: number;
      do {
        if (pos >= end) throw new Error("lz4: truncated length");
        byte = input[pos++] as number;
        total += byte;
      } while (byte === 255);
    }
    return total;
  };
  while (pos < end) {
    const token = input[pos++] as number;
    const literals = length(token >> 4);
    if (pos + literals > end || out + literals > outputLength) {
      throw new Error(`lz4: ${literals} literal bytes at byte ${pos} run past the data`);
    }
    if (literals >= BULK_COPY_BYTES) output.set(input.subarray(pos, pos + literals), out);
    else for (let i = 0; i < literals; i++) output[out + i] = input[pos + i] as number;
    pos += literals;
    out += literals;
    if (pos === end) break;
    if (pos + 2 > end) throw new Error("lz4: truncated match offset");
    const offset = (input[pos] as number) | ((input[pos + 1] as number) << 8);
    pos += 2;
    if (offset === 0 || offset > out) throw new Error(`lz4: match offset ${offset} at output byte ${out}`);
    const match = length(token & 15) + MIN_MATCH;
    if (out + match > outputLength) throw new Error(`lz4: a match at output byte ${out} runs past the page`);
    const from = out - offset;
    if (offset >= match && match >= BULK_COPY_BYTES) output.copyWithin(out, from, from + match);
    else for (let i = 0; i < match; i++) output[out + i] = output[from + i] as number;
    out += match;
  }
  if (out !== outputLength) {
    throw new Error(`lz4: the data holds ${out} bytes where the page header says ${outputLength}`);
  }
  return output;
}
