/**
 * numpy 2.4's `repr(ndarray)`, as MLflow's messages quote the arrays it parsed; each expected text is what
 * `repr(np.array(...))` printed in the project's venv (numpy 2.4.6).
 */
import { describe, expect, it } from "vitest";
import { numpyArrayRepr, type NumpyArray } from "./numpyRepr.js";

const vector = (dtype: NumpyArray["dtype"], values: unknown[]): NumpyArray => ({
  dtype,
  shape: [values.length],
  values,
});

describe("numpyArrayRepr", () => {
  it("pads integers and booleans to a common width and wraps at 75 characters", () => {
    expect(numpyArrayRepr(vector("int64", [1, 10]))).toBe("array([ 1, 10])");
    expect(numpyArrayRepr(vector("bool", [true, false]))).toBe("array([ True, False])");
    expect(
      numpyArrayRepr(
        vector(
          "int64",
          Array.from({ length: 30 }, (_, i) => i),
        ),
      ),
    ).toBe(
      "array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n" +
        "       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])",
    );
  });

  it("prints floats with unique digits up to 8 decimals, aligned on the point, or in scientific notation", () => {
    expect(numpyArrayRepr(vector("float64", [1.5, 2]))).toBe("array([1.5, 2. ])");
    expect(numpyArrayRepr(vector("float64", [1.123456789, 2]))).toBe("array([1.12345679, 2.        ])");
    expect(numpyArrayRepr(vector("float64", [1e-5, 1.5]))).toBe("array([1.0e-05, 1.5e+00])");
    expect(numpyArrayRepr(vector("float64", [1e9, 1]))).toBe("array([1.e+09, 1.e+00])");
    expect(numpyArrayRepr(vector("float64", [1, null]))).toBe("array([ 1., nan])");
    expect(numpyArrayRepr({ dtype: "float64", shape: [], values: [1] })).toBe("array(1.)");
  });

  it("puts each row of a matrix on its own line and names a dtype numpy cannot imply", () => {
    expect(numpyArrayRepr({ dtype: "float32", shape: [2, 2], values: [1.5, 2, 3, 4] })).toBe(
      "array([[1.5, 2. ],\n       [3. , 4. ]], dtype=float32)",
    );
    expect(numpyArrayRepr({ dtype: "int32", shape: [2, 2], values: [1, 2, 3, 4] })).toBe(
      "array([[1, 2],\n       [3, 4]], dtype=int32)",
    );
    expect(numpyArrayRepr(vector("float64", []))).toBe("array([], dtype=float64)");
  });

  it("quotes text, sizing its dtype by the longest element, and prints objects as Python does", () => {
    expect(numpyArrayRepr(vector("str", ["a".repeat(40), "b".repeat(40)]))).toBe(
      `array(['${"a".repeat(40)}',\n       '${"b".repeat(40)}'], dtype='<U40')`,
    );
    expect(numpyArrayRepr(vector("object", [1, null]))).toBe("array([1, None], dtype=object)");
    expect(numpyArrayRepr(vector("object", [{ float: 1 }, null, "x", true]))).toBe(
      "array([1.0, None, 'x', True], dtype=object)",
    );
    expect(numpyArrayRepr(vector("object", [{ array: 1 }, { array: null }]))).toBe(
      "array([array(1), array(None, dtype=object)], dtype=object)",
    );
  });

  it("summarises an array of over 1000 elements and adds its shape", () => {
    expect(
      numpyArrayRepr(
        vector(
          "int64",
          Array.from({ length: 2000 }, (_, i) => i),
        ),
      ),
    ).toBe("array([   0,    1,    2, ..., 1997, 1998, 1999], shape=(2000,))");
  });
});
