import { describe, expect, it } from "vitest";
import { parseJsonWithBigIntegers } from "../../tables/jsonBigIntegers.js";
import { parseJsonKeepingFloatLiterals } from "./jsonFloatLiterals.js";
import { thrownError } from "../../../test/support/thrownError.js";
import { inferTensorFromJson, requireTensorFromJson, type BigIntegerRule } from "./jsonTensor.js";

/** The datatype and values inferred from JSON text, read as the serving routes read bodies. */
function inferred(json: string, integers: BigIntegerRule = "numpy"): { datatype: string; values: unknown[] } {
  const tensor = requireTensorFromJson("x", parseJsonWithBigIntegers(json), "inputs", integers);
  return { datatype: tensor.datatype, values: Array.from(tensor.data as ArrayLike<unknown>) };
}

describe("inferTensorFromJson", () => {
  it("types values as np.array does: booleans, integers, floats and strings", () => {
    expect(inferred("[true, false]").datatype).toBe("BOOL");
    expect(inferred("[[1, 2], [3, -4]]").datatype).toBe("INT64");
    expect(inferred("[1, 2.5, null]").datatype).toBe("FP64");
    expect(inferred('["a", "b"]').datatype).toBe("BYTES");
    expect(inferTensorFromJson("x", ["a", 1], "inputs")).toBeUndefined();
  });

  // Regression: ["a", null] was refused as mixing strings with numbers; np.array makes it object (str, None).
  it("types strings with nulls as BYTES whose nulls are missing elements", () => {
    expect(inferTensorFromJson("x", ["a", null], "inputs")).toEqual({
      name: "x",
      datatype: "BYTES",
      shape: [2],
      data: ["a", ""],
      nulls: [1],
    });
    expect(
      inferTensorFromJson(
        "x",
        [
          [null, "b"],
          ["c", null],
        ],
        "inputs",
      ),
    ).toMatchObject({
      shape: [2, 2],
      nulls: [0, 3],
    });
    expect(inferTensorFromJson("x", ["a", "b"], "inputs")).not.toHaveProperty("nulls");
  });

  // Regression: pandas holds [1, True] as objects and MLflow's cast to a string column writes 'True', where the
  // INT64 tensor alone said 1 (mlflow 3.17.2: {"inputs": {"a": [true, 1]}} for ColSpec(string) gives 'True', '1').
  it("keeps booleans among numbers as sent beside numpy's INT64 or FP64 of them", () => {
    expect(inferred("[true, 1]")).toEqual({ datatype: "INT64", values: [1n, 1n] });
    expect(inferTensorFromJson("x", [true, 1], "inputs")?.jsonData).toEqual([true, 1]);
    expect(inferTensorFromJson("x", [false, 2.5], "inputs", "pandas")?.jsonData).toEqual([false, 2.5]);
    expect(inferTensorFromJson("x", [true, false], "inputs")).not.toHaveProperty("jsonData");
  });

  // Regression: numpy holds these as objects (1/None, None, 'x'/1), which a model without a signature was not given.
  it("keeps nulls with numbers, or alone, FP64 NaN with the values as sent, and text mixed with numbers as sent", () => {
    expect(inferred("[1, null]")).toEqual({ datatype: "FP64", values: [1, NaN] });
    expect(inferTensorFromJson("x", [1, null], "inputs")?.jsonData).toEqual([1, null]);
    expect(inferTensorFromJson("x", [null, null], "inputs")?.jsonData).toEqual([null, null]);
    expect(inferTensorFromJson("x", [true, null], "inputs", "pandas")?.jsonData).toEqual([true, null]);
    // pandas makes numbers with nulls float64 NaN, which `data` already is.
    expect(inferTensorFromJson("x", [1, null], "inputs", "pandas")).not.toHaveProperty("jsonData");
    expect(inferTensorFromJson("x", [1, 2], "inputs")).not.toHaveProperty("jsonData");
    expect(inferTensorFromJson("x", ["a", 1, null], "inputs")).toBeUndefined();
    expect(requireTensorFromJson("x", ["a", null, true], "inputs")).toEqual({
      name: "x",
      datatype: "BYTES",
      shape: [3],
      data: ["a", "", "True"],
      nulls: [1],
      jsonData: ["a", null, true],
    });
  });

  // Regression: integers above INT64's maximum were refused ("expected an integer that fits INT64").
  it("types integers from 2^63 up to 2^64 - 1 as UINT64, as numpy makes them uint64", () => {
    // Observed (numpy 2.4, and MLflow 3.17's server handing a model np.array(inputs)): dtype uint64.
    expect(inferred("[[18446744073709551615]]")).toEqual({
      datatype: "UINT64",
      values: [18446744073709551615n],
    });
    expect(inferred("[9223372036854775808, true]")).toEqual({
      datatype: "UINT64",
      values: [9223372036854775808n, 1n],
    });
  });

  it("promotes integers from 2^63 up mixed with other integers or floats to FP64, as numpy does", () => {
    // np.array([2**63, 1]), ([2**63, -1]) and ([2**63, 1.5]) are all float64 in numpy 2.
    expect(inferred("[9223372036854775808, 1]")).toEqual({ datatype: "FP64", values: [2 ** 63, 1] });
    expect(inferred("[[9223372036854775808], [-1]]")).toEqual({ datatype: "FP64", values: [2 ** 63, -1] });
    expect(inferred("[9223372036854775808, 1.5]")).toEqual({ datatype: "FP64", values: [2 ** 63, 1.5] });
  });

  it("follows pandas for a DataFrame column: UINT64 with other non-negative integers, refused with negative ones", () => {
    expect(inferred("[9223372036854775808, 1]", "pandas")).toEqual({
      datatype: "UINT64",
      values: [9223372036854775808n, 1n],
    });
    expect(inferred("[9223372036854775808, null]", "pandas").datatype).toBe("FP64");
    const negative = thrownError(() => inferred("[9223372036854775808, -1]", "pandas"));
    expect(negative.message).toContain("pandas would hold it as Python objects");
  });

  it("refuses integers beyond the 64-bit range, which numpy would hold as Python objects", () => {
    const above = thrownError(() => inferred("[18446744073709551616]"));
    expect(above.message).toBe(
      "Invalid input. inputs cannot be typed as a tensor: 18446744073709551616 lies beyond the 64-bit integers, so numpy would " +
        "hold it as Python objects (dtype object); send integers within INT64, or within UINT64 from 0 up, or floats",
    );
    expect(thrownError(() => inferred("[-9223372036854775809, 1.5]")).message).toContain("dtype object");
  });

  // Regression: `[[1.0, 2.0]]` was INT64, where numpy (MLflow's server) makes float64 of Python's floats.
  it("types whole numbers the body wrote as floats FP64, as numpy and pandas type Python's floats", () => {
    const literal = (json: string, integers: BigIntegerRule = "numpy"): string => {
      const { value, floats } = parseJsonKeepingFloatLiterals(`{"x": ${json}}`);
      const x = (value as { x: unknown }).x;
      const written = (): boolean => floats?.holdsAnyIn(x) === true;
      return requireTensorFromJson("x", x, "inputs", integers, written).datatype;
    };
    expect(literal("[[1.0, 2.0]]")).toBe("FP64");
    expect(literal("[[1, 2], [3, 4e0]]")).toBe("FP64");
    expect(literal("[true, 1.0]")).toBe("FP64");
    expect(literal("[[1, 2]]")).toBe("INT64");
    // pandas: [2**63, 1.0] is float64, [2**63, -1, 1.0] still an object column.
    expect(literal("[9223372036854775808, 1.0]", "pandas")).toBe("FP64");
    expect(thrownError(() => literal("[9223372036854775808, -1, 1.0]", "pandas")).message).toContain(
      "dtype object",
    );
  });

  it("asks whether numbers were written as floats only when they would otherwise be integers", () => {
    let asked = 0;
    const written = (): boolean => {
      asked++;
      return true;
    };
    expect(requireTensorFromJson("x", [1.5, 2], "inputs", "numpy", written).datatype).toBe("FP64");
    expect(requireTensorFromJson("x", ["a"], "inputs", "numpy", written).datatype).toBe("BYTES");
    expect(asked).toBe(0);
    expect(requireTensorFromJson("x", [1, 2], "inputs", "numpy", written).datatype).toBe("FP64");
    expect(asked).toBe(1);
  });
});

// Regression: JSON.parse makes 1.0 the integer 1, so values kept as sent reached Python as int 1, where numpy
// and pandas keep each element's own type (['x', 1.0] is numpy's '1.0'; [1.0, None] holds float 1.0).
describe("whole floats among values kept as sent", () => {
  const held = (json: string): unknown => {
    const { value, floats } = parseJsonKeepingFloatLiterals(json);
    const wholeFloat = (list: readonly unknown[], index: number): boolean =>
      floats?.has(list, index) === true;
    return requireTensorFromJson("x", value, "inputs", "numpy", undefined, wholeFloat);
  };

  it("marks each whole number written as a float a Python float, and only those", () => {
    expect(held("[1.0, 2, null, 2.5]")).toMatchObject({ jsonData: [{ float: 1 }, 2, null, 2.5] });
    expect(held('[["x", 1.0], ["y", 2]]')).toMatchObject({
      datatype: "BYTES",
      data: ["x", "1.0", "y", "2"],
      jsonData: ["x", { float: 1 }, "y", 2],
    });
  });

  it("leaves values without objects typed, whole floats or not", () => {
    expect(held("[1.0, 2]")).not.toHaveProperty("jsonData");
  });
});
