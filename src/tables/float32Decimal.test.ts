import { describe, expect, it } from "vitest";

import { decimalValue, float32Digits, type DecimalDigits } from "./float32Decimal.js";
import { mulberry32 } from "../seededRandom.js";
import { float32TextBySearch, numberText } from "./tableWriter.js";

/** A deterministic stream of 32-bit patterns. */
function bitPatterns(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => uniform() * 4294967296;
}

const EDGES = [
  0.1,
  0.2,
  0.3,
  1 / 3,
  2 / 3,
  0.5,
  1e-7,
  1e-6,
  1e-5,
  9.999999e-7,
  1.5e-10,
  123456.789,
  8388607.5,
  0.000123,
  3.4028234663852886e38,
  1.1754943508222875e-38,
  1.401298464324817e-45,
  2 ** -20,
  1 - 2 ** -24,
  1 + 2 ** -23,
  16777215.5,
  0.7,
  0.9999999,
  1.0000001,
  99999.99,
  12345.678,
].map(Math.fround);

describe("float32Digits", () => {
  it("finds the digits numberText's toPrecision search finds, for random float32 bit patterns", () => {
    const next = bitPatterns(7);
    const bits = new Uint32Array(1);
    const float = new Float32Array(bits.buffer);
    const digits: DecimalDigits = { digits: 0, exponent: 0 };
    let answered = 0;
    const total = 200_000;
    for (let i = 0; i < total; i++) {
      bits[0] = next();
      const value = float[0] as number;
      if (!Number.isFinite(value) || Number.isInteger(value)) continue;
      const magnitude = Math.abs(value);
      if (!float32Digits(magnitude, digits)) continue;
      answered++;
      const text = String(decimalValue(digits.digits, digits.exponent));
      if (text !== float32TextBySearch(magnitude))
        expect.fail(`${magnitude}: ${text} vs ${float32TextBySearch(magnitude)}`);
    }
    // Bit patterns spread over all exponents; about a third lie where powers of ten up to 10^22 reach.
    expect(answered).toBeGreaterThan(total / 5);
  });

  it("agrees with the search on values models give and on edge cases", () => {
    const next = bitPatterns(11);
    const values = [...EDGES];
    for (let i = 0; i < 100_000; i++) values.push(Math.fround((next() / 2 ** 32) * 10 ** ((i % 16) - 8)));
    const digits: DecimalDigits = { digits: 0, exponent: 0 };
    let answered = 0;
    let fractional = 0;
    for (const value of values) {
      if (Number.isInteger(value)) continue;
      fractional++;
      expect(numberText(value, true)).toBe(float32TextBySearch(value));
      expect(numberText(-value, true)).toBe(float32TextBySearch(-value));
      if (float32Digits(value, digits)) answered++;
    }
    // Down to 1e-4 every value is answered without strings; below, all but near-ties.
    expect(answered).toBeGreaterThan(fractional * 0.99);
  });

  it("gives the same digits whatever values came before", () => {
    // Powers of two (narrower below), their neighbours and short decimals, each after values of every length:
    // the answer is the value's alone, as `numberText`'s.
    const values = [0.1, 0.5, 1.5, 0.0123, 1.2345, 2.5, 0.3333333, 1e-4, 123456.79, 99999.99];
    for (let e = -13; e <= 29; e++) values.push(2 ** e, 2 ** e * (1 + 2 ** -23), 2 ** e * (1 - 2 ** -24));
    const lengths = [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.12345678, 0.33333334];
    const alone: DecimalDigits = { digits: 0, exponent: 0 };
    const after: DecimalDigits = { digits: 0, exponent: 0 };
    for (const value of values.map(Math.fround).filter((v) => !Number.isInteger(v))) {
      for (const before of lengths.map(Math.fround)) {
        float32Digits(Math.fround(0.5), alone);
        expect(float32Digits(value, alone)).toBe(true);
        float32Digits(before, after);
        expect(float32Digits(value, after)).toBe(true);
        expect(after).toEqual(alone);
        expect(String(decimalValue(after.digits, after.exponent))).toBe(float32TextBySearch(value));
      }
    }
  });

  it("gives the shortest digits, such as 1 x 10^-1 for 0.1f", () => {
    const digits: DecimalDigits = { digits: 0, exponent: 0 };
    expect(float32Digits(Math.fround(0.1), digits)).toBe(true);
    expect(decimalValue(digits.digits, digits.exponent)).toBe(0.1);
    expect(numberText(Math.fround(0.1), true)).toBe("0.1");
    expect(numberText(Math.fround(1e-7), true)).toBe("1e-7");
  });

  it("declines values whose scaling would need a power of ten beyond 10^22", () => {
    const digits: DecimalDigits = { digits: 0, exponent: 0 };
    expect(float32Digits(1.401298464324817e-45, digits)).toBe(false);
    expect(numberText(1.401298464324817e-45, true)).toBe("1e-45");
  });
});

describe("decimalValue", () => {
  it("reads digits and a power of ten as Number reads their text, NaN beyond exact powers", () => {
    expect(decimalValue(15, -1)).toBe(1.5);
    expect(decimalValue(123456789, -17)).toBe(Number("123456789e-17"));
    expect(decimalValue(7, 22)).toBe(7e22);
    expect(decimalValue(7, 23)).toBeNaN();
    expect(decimalValue(7, -23)).toBeNaN();
  });
});
