import { describe, expect, it } from "vitest";

import { parseDecimalSpan, readDecimalSpan } from "./decimalText.js";

function parse(text: string): number | undefined {
  return parseDecimalSpan(`[${text}]`, 1, text.length + 1);
}

describe("parseDecimalSpan", () => {
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
    for (const text of samples) {
      const value = parse(text);
      if (value !== undefined) expect(Object.is(value, Number(text))).toBe(true);
    }
    expect(parse("0.1")).toBe(0.1);
    expect(parse("-17.25")).toBe(-17.25);
  });

  it("agrees with Number on random short decimals", () => {
    let seed = 7;
    for (let i = 0; i < 5_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const text = (seed / 2147483648 - 0.5).toFixed(1 + (i % 14)) + (i % 5 === 0 ? `e${(i % 30) - 15}` : "");
      const value = parse(text);
      if (value !== undefined) expect(value).toBe(Number(text));
    }
  });

  it("declines what it cannot read exactly or at all", () => {
    for (const text of [
      "1234567890123456",
      "1e23",
      "",
      "-",
      ".",
      "1e",
      "NA",
      " 1",
      "1 ",
      "0x10",
      "1,5",
      "inf",
    ]) {
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
    ];
    for (const text of samples) expect(read(text)).toBe(Number(text));
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
