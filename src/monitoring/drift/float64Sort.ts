/**
 * Sorting the finite numbers of a drift column (driftSample.ts drops NaN and ±Infinity first, as Evidently drops
 * them before any test) ascending, in place, by an LSD radix sort on the
 * high 32 bits of their IEEE-754 patterns (sign, exponent, 20 mantissa bits; two 16-bit passes that move whole
 * doubles), then one pass orders the short runs that share a high word. That is about a third of the time of
 * Float64Array.prototype.sort on a million values. Tests that need the order (KS, per-value bins) use it; the
 * default large-sample test does without (bucketedWasserstein.ts).
 */

const RADIX_BITS = 16;
const RADIX_SIZE = 1 << RADIX_BITS;
const RADIX_MASK = RADIX_SIZE - 1;
/** Below this, the engine's comparison sort is as fast and needs no scratch buffers. */
const SMALL_ARRAY = 2048;
/** Runs sharing a high word longer than this are sorted by the engine rather than by insertion. */
const INSERTION_RUN = 32;

/** Sorts finite values ascending, in place. */
export function sortFloat64InPlace(values: Float64Array): void {
  if (values.length < SMALL_ARRAY) {
    values.sort();
    return;
  }
  const words = highWords(values);
  const counts = new Uint32Array(2 * RADIX_SIZE);
  for (let i = 0; i < values.length; i++) countKey(counts, sortableKey(words[2 * i + 1]!));
  sortCounted(values, counts);
}

/** The array's 32-bit words: [low, high] per double, Node running on little-endian hosts only. */
function highWords(values: Float64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** The high word as an unsigned key in the order of the doubles: negatives flipped whole, positives' sign set. */
function sortableKey(high: number): number {
  return (high ^ ((high >> 31) | 0x80000000)) >>> 0;
}

function countKey(counts: Uint32Array, key: number): void {
  counts[key & RADIX_MASK]!++;
  counts[RADIX_SIZE + (key >>> RADIX_BITS)]!++;
}

function sortCounted(values: Float64Array, counts: Uint32Array): void {
  let source: Float64Array = values;
  let target: Float64Array = new Float64Array(values.length);
  for (let pass = 0; pass < 2; pass++) {
    const offsets = counts.subarray(pass * RADIX_SIZE, (pass + 1) * RADIX_SIZE);
    if (!toOffsets(offsets, values.length)) continue;
    scatter(source, target, offsets, pass * RADIX_BITS);
    [source, target] = [target, source];
  }
  if (source !== values) values.set(source);
  sortRunsOfEqualHighWord(values);
}

/**
 * Turns digit counts into start offsets. Returns false when every key has the same digit (common for the top
 * bits of a narrow range): the pass would move nothing.
 */
function toOffsets(counts: Uint32Array, length: number): boolean {
  let total = 0;
  for (let digit = 0; digit < RADIX_SIZE; digit++) {
    const count = counts[digit]!;
    if (count === length) return false;
    counts[digit] = total;
    total += count;
  }
  return true;
}

/** One stable counting-sort pass; whole doubles move (finite values only, so no NaN payload is at stake). */
function scatter(source: Float64Array, target: Float64Array, offsets: Uint32Array, shift: number): void {
  const words = highWords(source);
  for (let i = 0; i < source.length; i++) {
    const digit = (sortableKey(words[2 * i + 1]!) >>> shift) & RADIX_MASK;
    const at = offsets[digit]!;
    offsets[digit] = at + 1;
    target[at] = source[i]!;
  }
}

/** Values sharing a high word are adjacent now; order each such run by value. */
function sortRunsOfEqualHighWord(values: Float64Array): void {
  const words = highWords(values);
  const length = values.length;
  let start = 0;
  while (start < length) {
    const high = words[2 * start + 1];
    let end = start + 1;
    while (end < length && words[2 * end + 1] === high) end++;
    if (end - start > 1) sortRange(values, start, end);
    start = end;
  }
}

/** Sorts values[start, end) in place: by insertion when short, else by the engine. */
export function sortRange(values: Float64Array, start: number, end: number): void {
  if (end - start > INSERTION_RUN) {
    values.subarray(start, end).sort();
    return;
  }
  for (let i = start + 1; i < end; i++) {
    const value = values[i]!;
    let j = i - 1;
    while (j >= start && values[j]! > value) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = value;
  }
}
