import { describe, expect, it } from "vitest";

import { readDecimalSpan } from "./decimalText.js";

function parse(text: string): number | undefined {
  return readDecimalSpan(`[${text}]`, 1, text.length + 1);
}

describe("readDecimalSpan on short decimals", () => {
  it("agrees with Number on plain decimals", () => {
    const samples = [
      "0",
      "-0",
      "42",
      "-17.25",
      "0.1",
      "0.30000000000000004",
      "1e5",
      "2.5E-3",
      "+7",
      "123456789012345",
      ".5",
      "5.",
    ];
    for (const text of samples) expect(Object.is(parse(text), Number(text))).toBe(true);
    expect(parse("0.1")).toBe(0.1);
    expect(parse("-17.25")).toBe(-17.25);
  });

  it("agrees with Number on random short decimals", () => {
    let seed = 7;
    for (let i = 0; i < 5_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const text = (seed / 2147483648 - 0.5).toFixed(1 + (i % 14)) + (i % 5 === 0 ? `e${(i % 30) - 15}` : "");
      expect(parse(text)).toBe(Number(text));
    }
  });

  it("declines what is not a number, and reads past 15 digits or 10^22", () => {
    expect(parse("1234567890123456")).toBe(1234567890123456);
    expect(parse("1e23")).toBe(1e23);
    for (const text of ["", "-", ".", "1e", "NA", " 1", "1 ", "0x10", "1,5", "inf"]) {
      expect(parse(text)).toBeUndefined();
    }
  });
});

describe("readDecimalSpan", () => {
  const read = (text: string): number | undefined => readDecimalSpan(`[${text}]`, 1, text.length + 1);

  it("reads every plain decimal as Number does, long ones and large exponents included", () => {
    const samples = [
      "42",
      "0.30000000000000004",
      "-1.2532999515533447",
      "1234567890123456789012",
      "5e-324",
      "-.5e300",
      "+1.",
      "1e-400",
      "9007199254740993",
      "9007199254740995",
      "-90071992547409.93e2",
      "0.1000000000000000055511151231257827",
      "12345678901234567890e-5",
    ];
    for (const text of samples) expect(read(text)).toBe(Number(text));
  });

  it("reads 16 to 19 digits exactly, as pandas writes doubles, at every magnitude", () => {
    let seed = 11;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 20_000; i++) {
      const value = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      for (const text of [
        String(value),
        value.toPrecision(16),
        value.toPrecision(18),
        value.toPrecision(19),
      ]) {
        expect(Object.is(read(text), Number(text))).toBe(true);
      }
      let digits = String(1 + Math.floor(random() * 9));
      while (digits.length < 16 + (i % 4)) digits += String(Math.floor(random() * 10));
      const point = i % (digits.length + 1);
      const text = `${digits.slice(0, point)}.${digits.slice(point)}e${(i % 47) - 23}`;
      expect(read(text)).toBe(Number(text));
    }
  });

  it("rounds decimals next to halfway between two doubles as Number does", () => {
    // The exact halfway point between a double and the next one up, cut to 17-19 digits and moved by one in
    // the last: the cases where a sloppy rounding goes wrong.
    const bits = new Float64Array(1);
    const words = new BigUint64Array(bits.buffer);
    let seed = 5;
    for (let i = 0; i < 2_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      bits[0] = (1 + seed / 2147483648) * 10 ** ((i % 31) - 15);
      const lower = bits[0] as number;
      words[0] = (words[0] as bigint) + 1n;
      const upper = bits[0] as number;
      const [lowerDigits, lowerScale] = exactDecimal(lower);
      const [upperDigits, upperScale] = exactDecimal(upper);
      const scale = Math.max(lowerScale, upperScale) + 1;
      const halfway = (
        (lowerDigits * 10n ** BigInt(scale - lowerScale) + upperDigits * 10n ** BigInt(scale - upperScale)) /
        2n
      ).toString();
      for (const kept of [17, 18, 19]) {
        for (const step of [-1n, 0n, 1n]) {
          const text = `${BigInt(halfway.slice(0, kept)) + step}e${halfway.length - kept - scale}`;
          expect(read(text)).toBe(Number(text));
          expect(Object.is(read(`-${text}`), Number(`-${text}`))).toBe(true);
        }
      }
    }
  });

  it("declines what is not a plain decimal, and a decimal too large for a double", () => {
    for (const text of [
      "",
      " 1",
      "1 ",
      "+",
      "-.",
      ".e5",
      "1e",
      "1e+",
      "0x1F",
      "0b1",
      "Infinity",
      "NaN",
      "1_000",
      "1e400",
      "--1",
    ]) {
      expect(read(text)).toBeUndefined();
    }
  });
});

/** A positive double's exact decimal value as digits * 10^-scale (every double is a finite decimal). */
function exactDecimal(value: number): [bigint, number] {
  const [mantissa = "", exponent = "0"] = value.toPrecision(100).split("e");
  const [whole = "", fraction = ""] = mantissa.split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return [BigInt(whole + trimmed), trimmed.length - Number(exponent)];
}
