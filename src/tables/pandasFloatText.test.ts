import { describe, expect, it } from "vitest";

import { ByteBuilder } from "./byteBuilder.js";
import { csvFloatRowsToFormat, PandasFloatText, wholeFloatRows } from "./pandasFloatText.js";
import { float32TextBySearch } from "./tableWriter.js";

function written(write: (floats: PandasFloatText) => void): string {
  const bytes = new ByteBuilder(16);
  write(new PandasFloatText(bytes));
  return Buffer.from(bytes.take()).toString("latin1");
}

const csv = (value: number, float32: boolean): string => written((floats) => floats.csv(value, float32));
const json = (value: number, float32: boolean): string => written((floats) => floats.json(value, float32));

/** Value, then what pandas 3.1.1 / numpy 2.4 `to_csv` writes for it in a float64 and in a float32 column. */
const PANDAS_CSV: [number, string, string][] = [
  [1, "1.0", "1.0"],
  [2.5, "2.5", "2.5"],
  [-0, "-0.0", "-0.0"],
  [1e-5, "1e-05", "1e-05"],
  [1e16, "1e+16", "1e+16"],
  [0.1, "0.1", "0.1"],
  [123456789, "123456789.0", "1.2345679e+08"],
  [1e-4, "0.0001", "1e-04"],
  [1.5e-7, "1.5e-07", "1.5e-07"],
  [12345678901234568, "1.2345678901234568e+16", "1.2345678e+16"],
  [0.30000001192092896, "0.30000001192092896", "0.3"],
  [1e21, "1e+21", "1e+21"],
  [9999999999999998, "9999999999999998.0", "1e+16"],
  [0.0001234, "0.0001234", "0.0001234"],
  [999999.9375, "999999.9375", "999999.94"],
  [1e6, "1000000.0", "1e+06"],
  [-1234567, "-1234567.0", "-1.234567e+06"],
  [3e38, "3e+38", "3e+38"],
];

describe("PandasFloatText", () => {
  it("writes float64 and float32 values as pandas' to_csv writes them (numpy's repr)", () => {
    for (const [value, float64, float32] of PANDAS_CSV) {
      expect(csv(value, false), `${value}`).toBe(float64);
      expect(csv(Math.fround(value), true), `${value}f`).toBe(float32);
    }
  });

  it("writes the shortest digits that read back, as the search defines them, on random float32 and float64 values of every size", () => {
    const floats = new Float32Array(1);
    const words = new Uint32Array(floats.buffer);
    for (let i = 0; i < 20_000; i++) {
      words[0] = Math.floor(Math.random() * 0x7f000000);
      const single = floats[0] as number;
      const double = (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 60 - 30);
      expect(Number(csv(single, true)), `${single}`).toBe(Number(float32TextBySearch(single)));
      expect(Number(csv(double, false)), `${double}`).toBe(double);
    }
  });

  it("keeps the point of whole floats in JSON, with every digit and the sign of zero", () => {
    expect([1, -3, 1e16, 1e20, 1e21, 2.5, 1e-7].map((value) => json(value, false))).toEqual([
      "1.0",
      "-3.0",
      "10000000000000000.0",
      "100000000000000000000.0",
      "1e+21",
      "2.5",
      "1e-7",
    ]);
    expect(json(-0, false)).toBe("-0.0");
    expect(json(Math.fround(0.3), true)).toBe("0.3");
    expect(json(Math.fround(1e7), true)).toBe("10000000.0");
  });

  it("finds the rows whose String text is not what pandas writes", () => {
    const values = [0.5, 2, 1e-5, 1234567.5, -0, 0.25, 1e17];
    // Each list ends in the row count, a row that is not there.
    expect([...csvFloatRowsToFormat(Float64Array.from(values), false)]).toEqual([1, 2, 4, 6, 7]);
    expect([...csvFloatRowsToFormat(Float32Array.from(values), true)]).toEqual([1, 2, 3, 4, 6, 7]);
    expect([...wholeFloatRows(Float64Array.from(values))]).toEqual([1, 4, 6, 7]);
    const many = Float64Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? i : i + 0.5));
    expect([...wholeFloatRows(many)]).toEqual([...Array.from({ length: 34 }, (_, k) => 3 * k), 100]);
  });
});
