/**
 * Parquet's RLE / bit-packed hybrid encoding (definition levels, dictionary indices), decoded straight into a
 * typed array. hyparquet's decoder fills a plain Array through a DataView, one boxed value at a time; a page of
 * a million levels that is a single "all present" run is one `fill` here.
 * Format: https://parquet.apache.org/docs/file-format/data-pages/encodings/#run-length-encoding--bit-packing-hybrid-rle--3
 */

/** Widths up to this keep the bit buffer below 2^31, so 32-bit integer operations stay exact. */
const FAST_BIT_WIDTH = 24;

/**
 * What a decoder does with each run: `repeat` one value `count` times from value number `at`, or take `count`
 * bit-packed values whose bits start at byte `pos` (the run is checked to hold them).
 */
export interface HybridRuns {
  repeat(value: number, at: number, count: number): void;
  packed(bytes: Uint8Array, pos: number, at: number, count: number): void;
}

/**
 * Walks the runs of `count` values of `bitWidth` bits in `bytes[start, end)`; returns the offset after the
 * last run read. Throws when the runs end before `count` values; padding in the last bit-packed group is
 * ignored, and a last group may be cut short after the bytes its used values need.
 */
export function walkRleBitPackedHybrid(
  bytes: Uint8Array,
  start: number,
  end: number,
  bitWidth: number,
  count: number,
  runs: HybridRuns,
): number {
  if (bitWidth < 0 || bitWidth > 32) throw new Error(`bit width ${bitWidth} is not between 0 and 32`);
  const valueBytes = (bitWidth + 7) >> 3;
  let pos = start;
  let seen = 0;
  while (seen < count) {
    // The run header is a ULEB128 varint: run length << 1, low bit set for a bit-packed run.
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= end) throw new Error(`encoded values end after ${seen} of ${count}`);
      if (shift > 28) throw new Error(`run header at byte ${pos} is too long`);
      const byte = bytes[pos++] as number;
      header += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    if (header % 2 === 0) {
      const runLength = Math.min(header / 2, count - seen);
      if (pos + valueBytes > end) throw new Error(`encoded values end after ${seen} of ${count}`);
      let value = 0;
      for (let i = 0; i < valueBytes; i++) value += (bytes[pos + i] as number) * 2 ** (8 * i);
      if (value >= 2 ** bitWidth) throw new Error(`run value ${value} does not fit in ${bitWidth} bits`);
      pos += valueBytes;
      runs.repeat(value, seen, runLength);
      seen += runLength;
    } else {
      const values = Math.min(((header - 1) / 2) * 8, count - seen);
      const runBytes = ((header - 1) / 2) * bitWidth;
      const usedBytes = Math.ceil((values * bitWidth) / 8);
      if (pos + usedBytes > end) throw new Error(`encoded values end after ${seen} of ${count}`);
      runs.packed(bytes, pos, seen, values);
      pos = Math.min(end, pos + runBytes);
      seen += values;
    }
  }
  return pos;
}

/**
 * Decodes `out.length` values of `bitWidth` bits from `bytes[start, end)` into `out`; returns the offset after
 * the last run read (see `walkRleBitPackedHybrid`).
 */
export function decodeRleBitPackedHybrid(
  bytes: Uint8Array,
  start: number,
  end: number,
  bitWidth: number,
  out: Uint8Array | Int32Array,
): number {
  return walkRleBitPackedHybrid(bytes, start, end, bitWidth, out.length, {
    repeat: (value, at, count) => out.fill(value, at, at + count),
    packed: (packed, pos, at, count) => {
      if (bitWidth <= FAST_BIT_WIDTH) unpackNarrow(packed, pos, bitWidth, out, at, count);
      else unpackWide(packed, pos, bitWidth, out, at, count);
    },
  });
}

/**
 * Whether all `count` definition levels of bit width 1 in `bytes[start, end)` are 1 ("present"), read from
 * the runs without decoding them: a repeated 1, or bit-packed bytes of all ones.
 */
export function allLevelsPresent(bytes: Uint8Array, start: number, end: number, count: number): boolean {
  let present = true;
  walkRleBitPackedHybrid(bytes, start, end, 1, count, {
    repeat: (value) => {
      if (value !== 1) present = false;
    },
    packed: (packed, pos, _at, values) => {
      const whole = values >> 3;
      for (let i = 0; i < whole; i++) if (packed[pos + i] !== 0xff) present = false;
      const rest = values & 7;
      const restMask = (1 << rest) - 1;
      if (rest > 0 && ((packed[pos + whole] as number) & restMask) !== restMask) present = false;
    },
  });
  return present;
}

/**
 * Checks, without decoding a value, that `bytes[start, end)` holds runs of exactly `count` values of
 * `bitWidth` bits, read as a decoder that trusts the runs reads them (hyparquet's writes each run's count into
 * a plain Array, so one damaged run header can grow it towards 2^31 entries): every run's bytes lie inside the
 * section, and no run gives more values than are left, but for a bit-packed run's padding to a group of 8.
 * Throws a message that names the run at fault by its byte counted from `start` ("their byte").
 */
export function checkRleBitPackedHybridRuns(
  bytes: Uint8Array,
  start: number,
  end: number,
  bitWidth: number,
  count: number,
): void {
  const valueBytes = (bitWidth + 7) >> 3;
  let pos = start;
  let seen = 0;
  while (seen < count) {
    const runStart = pos;
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= end) throw new Error(`the runs end after ${seen} of ${count} values`);
      if (shift > 28) throw new Error(`the run header at their byte ${runStart - start} is too long`);
      const byte = bytes[pos++] as number;
      header += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    const left = count - seen;
    if (header % 2 === 0) {
      const runLength = header / 2;
      if (runLength > left) {
        throw new Error(
          `the run at their byte ${runStart - start} repeats a value ${runLength} times where ${left} are left`,
        );
      }
      if (pos + valueBytes > end)
        throw new Error(`the run at their byte ${runStart - start} runs past their end`);
      pos += valueBytes;
      seen += runLength;
    } else {
      const groups = (header - 1) / 2;
      // Only the last group may pad: more groups than the values left need is a damaged header.
      if (groups > Math.ceil(left / 8)) {
        throw new Error(
          `the run at their byte ${runStart - start} packs ${groups * 8} values where ${left} are left`,
        );
      }
      const values = Math.min(groups * 8, left);
      if (pos + Math.ceil((values * bitWidth) / 8) > end) {
        throw new Error(`the run at their byte ${runStart - start} runs past their end`);
      }
      pos = Math.min(end, pos + groups * bitWidth);
      seen += values;
    }
  }
}

/**
 * How many of the `count` values of `bitWidth` bits (1 to 32) in `bytes[start, end)` equal `value`; the runs
 * must have passed `checkRleBitPackedHybridRuns`. A page's definition levels are counted so, to know how many
 * values it stores after them.
 */
export function countRleBitPackedHybridValue(
  bytes: Uint8Array,
  start: number,
  end: number,
  bitWidth: number,
  count: number,
  value: number,
): number {
  let equal = 0;
  walkRleBitPackedHybrid(bytes, start, end, bitWidth, count, {
    repeat: (repeated, _at, values) => {
      if (repeated === value) equal += values;
    },
    packed: (packed, pos, _at, values) => {
      if (bitWidth === 1) {
        const ones = packedOnes(packed, pos, values);
        equal += value === 1 ? ones : value === 0 ? values - ones : 0;
      } else if (bitWidth > FAST_BIT_WIDTH) {
        for (const unpacked of unpackedWide(packed, pos, bitWidth, values)) if (unpacked === value) equal++;
      } else {
        equal += packedEqual(packed, pos, bitWidth, values, value);
      }
    },
  });
  return equal;
}

/**
 * The largest of the `count` values of `bitWidth` bits (1 to 32) in `bytes[start, end)`, or -1 when `count` is
 * 0; the runs must have passed `checkRleBitPackedHybridRuns`. Dictionary indices are bounded so by the
 * dictionary's size without decoding them into an array.
 */
export function largestRleBitPackedHybridValue(
  bytes: Uint8Array,
  start: number,
  end: number,
  bitWidth: number,
  count: number,
): number {
  let largest = -1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  walkRleBitPackedHybrid(bytes, start, end, bitWidth, count, {
    repeat: (value) => {
      if (value > largest) largest = value;
    },
    packed: (packed, pos, _at, values) => {
      if (bitWidth > FAST_BIT_WIDTH) {
        for (const unpacked of unpackedWide(packed, pos, bitWidth, values))
          largest = Math.max(largest, unpacked);
        return;
      }
      largest = Math.max(largest, packedLargest(view, packed, pos, bitWidth, values));
    },
  });
  return largest;
}

/*
 * The loops over bit-packed values are functions of their own with local state: written into the walk's
 * callbacks they updated a captured variable per value, five times slower.
 */

/** How many of `values` bit-packed values of `bitWidth` bits (up to 24) from byte `pos` equal `value`. */
function packedEqual(
  bytes: Uint8Array,
  pos: number,
  bitWidth: number,
  values: number,
  value: number,
): number {
  const mask = (1 << bitWidth) - 1;
  let equal = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < values; i++) {
    while (bits < bitWidth) {
      buffer |= (bytes[pos++] as number) << bits;
      bits += 8;
    }
    if ((buffer & mask) === value) equal++;
    buffer >>>= bitWidth;
    bits -= bitWidth;
  }
  return equal;
}

/**
 * The largest of `values` bit-packed values of `bitWidth` bits (up to 24) from byte `pos` of `view`'s bytes,
 * each read as one little-endian 32-bit word at its first byte, shifted and masked (as
 * parquetDictionaryIndices.ts reads indices): about 2 ns a value, where a bit buffer took 8 or more.
 */
function packedLargest(
  view: DataView,
  bytes: Uint8Array,
  pos: number,
  bitWidth: number,
  values: number,
): number {
  const mask = (1 << bitWidth) - 1;
  // A word read needs four bytes from its value's first byte; the last few values are gathered a byte at a time.
  const words = Math.max(0, Math.min(values, Math.floor(((bytes.length - pos - 4) * 8) / bitWidth) + 1));
  let largest = 0;
  let bit = 0;
  for (let i = 0; i < words; i++, bit += bitWidth) {
    const value = (view.getUint32(pos + (bit >>> 3), true) >>> (bit & 7)) & mask;
    if (value > largest) largest = value;
  }
  for (let i = words; i < values; i++, bit += bitWidth) {
    const first = pos + (bit >>> 3);
    let word = 0;
    for (let k = 0; k < 4 && first + k < bytes.length; k++) word |= (bytes[first + k] as number) << (8 * k);
    const value = (word >>> (bit & 7)) & mask;
    if (value > largest) largest = value;
  }
  return largest;
}

/** The ones among `values` bit-packed 1-bit values from byte `pos`. */
function packedOnes(bytes: Uint8Array, pos: number, values: number): number {
  let ones = 0;
  const whole = values >> 3;
  for (let i = 0; i < whole; i++) {
    // Popcount of a byte by the usual halving sums.
    let byte = bytes[pos + i] as number;
    byte -= (byte >> 1) & 0x55;
    byte = (byte & 0x33) + ((byte >> 2) & 0x33);
    ones += (byte + (byte >> 4)) & 0x0f;
  }
  const last = (bytes[pos + whole] ?? 0) & ((1 << (values & 7)) - 1);
  for (let bit = last; bit !== 0; bit &= bit - 1) ones++;
  return ones;
}

/** `values` bit-packed values wider than 24 bits from byte `pos`, as unsigned numbers. */
function unpackedWide(bytes: Uint8Array, pos: number, bitWidth: number, values: number): Float64Array {
  const out = new Int32Array(values);
  unpackWide(bytes, pos, bitWidth, out, 0, values);
  return Float64Array.from(out, (value) => value >>> 0);
}

function unpackNarrow(
  bytes: Uint8Array,
  pos: number,
  bitWidth: number,
  out: Uint8Array | Int32Array,
  at: number,
  values: number,
): void {
  const mask = (1 << bitWidth) - 1;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < values; i++) {
    while (bits < bitWidth) {
      buffer |= (bytes[pos++] as number) << bits;
      bits += 8;
    }
    out[at + i] = buffer & mask;
    buffer >>>= bitWidth;
    bits -= bitWidth;
  }
}

/** Widths above 24 bits, bit by bit in floating point: only dictionaries of over 16M entries need them. */
function unpackWide(
  bytes: Uint8Array,
  pos: number,
  bitWidth: number,
  out: Uint8Array | Int32Array,
  at: number,
  values: number,
): void {
  let bit = pos * 8;
  for (let i = 0; i < values; i++) {
    let value = 0;
    for (let got = 0; got < bitWidth;) {
      const shift = bit & 7;
      const take = Math.min(8 - shift, bitWidth - got);
      value += (((bytes[Math.floor(bit / 8)] as number) >> shift) & ((1 << take) - 1)) * 2 ** got;
      got += take;
      bit += take;
    }
    out[at + i] = value;
  }
}
