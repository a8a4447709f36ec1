import { describe, expect, it } from "vitest";
import { pyEquals, PyFloat, pyFloatRepr, pyJsonDumps, pyRepr } from "./pythonValues.js";

describe("Python value rendering", () => {
  it("prints floats as Python's repr does", () => {
    const cases: [number, string][] = [
      [0.1, "0.1"],
      [1, "1.0"],
      [1e-5, "1e-05"],
      [0.0001, "0.0001"],
      [1.5e-7, "1.5e-07"],
      [1e16, "1e+16"],
      [123456789012345.6, "123456789012345.6"],
      [-0.5, "-0.5"],
      [0.04999999999999993, "0.04999999999999993"],
      [Infinity, "inf"],
    ];
    for (const [value, text] of cases) expect(pyFloatRepr(value)).toBe(text);
  });

  it("prints containers as Python's str does", () => {
    expect(pyRepr([64, 32])).toBe("[64, 32]");
    expect(pyRepr(["a", "it's", true, null, new PyFloat(2)])).toBe(`['a', "it's", True, None, 2.0]`);
    expect(pyRepr({ a: 1 })).toBe("{'a': 1}");
  });

  it("writes JSON with Python's separators, float format and ASCII escapes", () => {
    expect(pyJsonDumps({ a: new PyFloat(1), b: 1e-5, c: "é", d: [null, false] })).toBe(
      '{"a": 1.0, "b": 1e-05, "c": "\\u00e9", "d": [null, false]}',
    );
  });

  it("compares like Python: 1 == 1.0 == True, containers element-wise", () => {
    expect(pyEquals(1, new PyFloat(1))).toBe(true);
    expect(pyEquals(true, 1)).toBe(true);
    expect(pyEquals({ a: [1, "x"] }, { a: [new PyFloat(1), "x"] })).toBe(true);
    expect(pyEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(pyEquals("1", 1)).toBe(false);
  });
});
