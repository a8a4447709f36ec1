/** The text pandas' casts read as numbers: each expectation is what Python 3.11's float() and int() answer. */
import { describe, expect, it } from "vitest";

import { pythonFloat, pythonInt } from "./pythonNumberText.js";

describe("pythonFloat", () => {
  it("reads the spellings float() reads, underscores, whitespace and inf/nan included", () => {
    expect(pythonFloat("1.5")).toBe(1.5);
    expect(pythonFloat(" 3e2 ")).toBe(300);
    expect(pythonFloat("\t2\n")).toBe(2);
    expect(pythonFloat("+1.5")).toBe(1.5);
    expect(pythonFloat("1.")).toBe(1);
    expect(pythonFloat(".5")).toBe(0.5);
    expect(pythonFloat("1_000.5")).toBe(1000.5);
    expect(pythonFloat("1E5")).toBe(100000);
    expect(pythonFloat("1e400")).toBe(Infinity);
    expect(pythonFloat("-0")).toBe(-0);
    expect(pythonFloat("INF")).toBe(Infinity);
    expect(pythonFloat("-infinity")).toBe(-Infinity);
    expect(pythonFloat("Infinity")).toBe(Infinity);
    expect(pythonFloat("-nan")).toBeNaN();
    expect(pythonFloat("NaN ")).toBeNaN();
  });

  it("refuses what float() refuses, where JavaScript's Number would give a number", () => {
    for (const text of [
      "",
      "  ",
      "0x10",
      "0b1",
      "1d5",
      "1__0",
      "_1",
      "1_",
      "1e",
      ".",
      "true",
      "1.5.2",
      "in f",
    ]) {
      expect(pythonFloat(text), text).toBeUndefined();
    }
  });
});

describe("pythonInt", () => {
  it("reads integer text exactly, beyond 2^53 and with underscores", () => {
    expect(pythonInt(" +3 ")).toBe(3n);
    expect(pythonInt("-0")).toBe(0n);
    expect(pythonInt("1_000")).toBe(1000n);
    expect(pythonInt("9007199254740993")).toBe(9007199254740993n);
  });

  it("refuses floats' text, as int('1.0') raises", () => {
    for (const text of ["1.0", "1e2", "inf", "nan", "", "0x10", "1_"])
      expect(pythonInt(text), text).toBeUndefined();
  });
});
