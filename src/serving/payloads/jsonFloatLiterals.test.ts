import { describe, expect, it } from "vitest";
import {
  mayHoldWholeFloats,
  parseJsonKeepingFloatLiterals,
  type FloatLiterals,
} from "./jsonFloatLiterals.js";

function parsed(text: string): { value: Record<string, unknown>; floats: FloatLiterals } {
  const { value, floats } = parseJsonKeepingFloatLiterals(text);
  if (floats === undefined) throw new Error(`no FloatLiterals for ${text}`);
  return { value: value as Record<string, unknown>, floats };
}

/** Whether `literal` is a float to Python's json.loads that JSON.parse makes an integer. */
function wholeFloat(literal: string): boolean {
  return /[.eE]/.test(literal) && Number.isSafeInteger(Number(literal));
}

describe("parseJsonKeepingFloatLiterals", () => {
  it("tells which numbers were written as floats of whole numbers, as Python's json.loads reads them", () => {
    const { value, floats } = parsed(
      '{"a": [1.0, 2, 3e0, 4.5, -0.0], "b": {"c": 4.00, "d": 5, "e": "6.0"}, "f": 7E+1}',
    );
    const a = value.a as unknown[];
    expect(a).toEqual([1, 2, 3, 4.5, -0]);
    expect([0, 1, 2, 3, 4].map((i) => floats.has(a, i))).toEqual([true, false, true, false, true]);
    const b = value.b as object;
    expect(["c", "d", "e"].map((key) => floats.has(b, key))).toEqual([true, false, false]);
    expect(floats.has(value, "f")).toBe(true);
    expect(floats.holdsAnyIn([a])).toBe(true);
    expect(floats.holdsAnyIn([[1, 2]])).toBe(false);
  });

  it("finds literals that only round to whole numbers, or underflow to zero", () => {
    const { value, floats } = parsed(
      "[0.99999999999999999, 4503599627370495.9, 1e-400, 1.5, 12345678901234567.0]",
    );
    expect([0, 1, 2, 3, 4].map((i) => floats.has(value, i))).toEqual([true, true, true, false, false]);
  });

  it("keeps strings, escaped quotes and non-ASCII text out of the search", () => {
    const { value, floats } = parsed('{"s": ["1.0 \\" 2.0", "é 3.0", "Ģ"], "n": [4.0]}');
    expect(value.s).toEqual(['1.0 " 2.0', "é 3.0", "Ģ"]);
    expect(floats.has(value.n as object, 0)).toBe(true);
    expect(floats.holdsAnyIn(value.s)).toBe(false);
  });

  it("has nothing to tell about text without a `.` or an exponent", () => {
    expect(parseJsonKeepingFloatLiterals('{"inputs": [[1, 2]], "name": "e"}').floats).toBeUndefined();
    expect(parseJsonKeepingFloatLiterals('{"inputs": [[1e3]]}').floats).toBeDefined();
  });

  it("throws JSON.parse's error for malformed text, and reads Python's NaN and big integers as before", () => {
    expect(() => parseJsonKeepingFloatLiterals('{"a": [1.0,]}')).toThrow(SyntaxError);
    const { value, floats } = parsed('{"a": [NaN, 1.0, 12345678901234567890, -Infinity]}');
    expect(value.a).toEqual([Number.NaN, 1, 12345678901234567890n, Number.NEGATIVE_INFINITY]);
    expect([0, 1, 2, 3].map((i) => floats.has(value.a as object, i))).toEqual([false, true, false, false]);
  });

  it("gives the columns of frame rows and records that hold a float literal", () => {
    const { value, floats } = parsed(
      '{"rows": [[1, 2.0, 3], [4, 5, 6.0]], "flat": [1, 2.0], "records": [{"a": 1, "b": 2}, {"b": 3.0}]}',
    );
    const rows = floats.columnsOfRows(value.rows as unknown[]);
    expect([0, 1, 2].map(rows)).toEqual([false, true, true]);
    expect(floats.columnsOfRows(value.flat as unknown[])(0)).toBe(true);
    const records = floats.columnsOfRecords(
      value.records as unknown[],
      new Map([
        ["a", 0],
        ["b", 1],
      ]),
    );
    expect([0, 1].map(records)).toEqual([false, true]);
  });

  it("reads a float literal nested deeper than the call stack goes", () => {
    const depth = 200_000;
    const { value, floats } = parsed(`{"a": ${"[".repeat(depth)}1.0${"]".repeat(depth)}}`);
    let inner = value.a;
    for (let i = 1; i < depth; i++) inner = (inner as unknown[])[0];
    expect(floats.has(inner as object, 0)).toBe(true);
  });
});

describe("mayHoldWholeFloats", () => {
  it("never misses a float literal of a whole number (random literals near every rule's edge)", () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const digits = (count: number): string =>
      Array.from({ length: count }, () => String(random(10))).join("");
    let whole = 0;
    for (let i = 0; i < 40_000; i++) {
      const integer = random(4) === 0 ? "0" : String(1 + random(9)) + digits(random(18));
      const run = (random(2) === 0 ? "0" : "9").repeat(random(18));
      const fraction = random(5) === 0 ? "" : `.${run}${digits(random(4))}${random(3) === 0 ? "" : "0"}`;
      const exponent =
        random(2) === 0
          ? ""
          : `${random(2) === 0 ? "e" : "E"}${["", "+", "-"][random(3)]}${"0".repeat(random(2))}${random(3) === 0 ? random(400) : random(20)}`;
      const literal = `${random(2) === 0 ? "-" : ""}${integer}${fraction === "." ? "" : fraction}${exponent}`;
      if (!wholeFloat(literal)) continue;
      whole++;
      if (!mayHoldWholeFloats(`[${literal}]`)) expect.fail(`missed ${literal}`);
    }
    expect(whole).toBeGreaterThan(5_000);
  });

  it("lets the usual spellings of fractional floats, Python's and JavaScript's, skip the search", () => {
    const fractional = [
      "5.1, 3.5, 1.4, 0.2",
      "0.30000000000000004, -1.2345678901234567, 123456.789",
      "1.2345678901234567e-05, 2.5e-7, -7.0710678118654755e-10",
      "0.05, 10.5, 1700000000.123",
    ];
    for (const text of fractional) expect(mayHoldWholeFloats(`{"inputs": [${text}]}`)).toBe(false);
  });
});
