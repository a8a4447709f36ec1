/**
 * IEEE 754 half-precision (FP16) bits to numbers. ONNX Runtime hands float16 tensors over as raw Uint16 bits;
 * JSON responses need the values.
 */

export function decodeHalfFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const FLOAT32 = new Float32Array(1);
const FLOAT32_BITS = new Uint32Array(FLOAT32.buffer);

/**
 * The FP16 bits nearest to `value` (round half to even, via float32 as Triton and numpy's float32->float16
 * cast round), for FP32 JSON values sent to an FP16 input. Too large a magnitude becomes infinity.
 */
export function encodeHalfFloat(value: number): number {
  FLOAT32[0] = value;
  const bits = FLOAT32_BITS[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (fraction === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal in FP16 (or zero): shift the fraction with its implicit 1 into the 10 fraction bits.
    if (halfExponent < -10) return sign;
    return sign | roundShift(fraction | 0x800000, 14 - halfExponent);
  }
  // A carry out of the fraction correctly bumps the exponent (and turns the largest values into infinity).
  return sign | ((halfExponent << 10) + roundShift(fraction, 13));
}

/** `value >> shift`, rounded half to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}
