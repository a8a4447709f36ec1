import { describe, expect, it } from "vitest";

import { ByteBuilder } from "./byteBuilder.js";
import { doubleDigits } from "./doubleDecimal.js";
import type { DecimalDigits } from "./float32Decimal.js";

/** What a writer prints for `value` from doubleDigits, or undefined when it declines. */
function written(value: number): string | undefined {
  const out: DecimalDigits = { digits: 0, exponent: 0 };
  if (!doubleDigits(Math.abs(value), out)) return undefined;
  const bytes = new ByteBuilder();
  bytes.decimal(value < 0, out);
  return Buffer.from(bytes.take()).toString("latin1");
}

describe("doubleDigits", () => {
  it("writes what String writes, for decimals of up to 15 digits at every magnitude", () => {
    let seed = 9;
    for (let i = 0; i < 50_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const raw = (seed / 2147483648 - 0.5) * 10 ** ((i % 29) - 8);
      // Cut to 15 digits or fewer, between 1e-7 and 1e20 (within the exact scalings): always found.
      const short = Number(raw.toPrecision(1 + (i % 15)));
      if (Math.abs(short) >= 1e-7 && Math.abs(short) < 1e20 && !Number.isInteger(short)) {
        expect(written(short)).toBe(String(short));
      }
      for (const value of [Number(raw.toFixed(4)), raw]) {
        const text = written(value);
        if (text !== undefined) expect(text).toBe(String(value));
      }
    }
  });

  it("finds the digits of values data files hold, and the edges of plain notation", () => {
    for (const value of [0.1, -0.642, 2.5, 1e-7, 1.5e-7, 0.000001, 12345678901234.5, 1e20, 1e21, 99999.5]) {
      expect(written(value)).toBe(String(value));
    }
  });

  it("declines doubles with no 15-digit form and scalings beyond exact powers of ten", () => {
    for (const value of [
      0.30000000000000004,
      0.1 + 0.7,
      Math.PI,
      2 ** 60,
      1e-9,
      1.7976931348623157e308,
      5e-324,
    ]) {
      expect(written(value)).toBeUndefined();
    }
  });
});
