import { describe, expect, it } from "vitest";
import { parquetNumpyColumn, parquetNumpyDtype } from "./parquetNumpyColumn.js";

describe("parquetNumpyDtype", () => {
  it("types FLOAT, DOUBLE and integers by their annotation as pyarrow reads them", () => {
    expect(parquetNumpyDtype({ type: "FLOAT" })).toBe("float32");
    expect(parquetNumpyDtype({ type: "DOUBLE" })).toBe("float64");
    expect(parquetNumpyDtype({ type: "INT32" })).toBe("int32");
    expect(parquetNumpyDtype({ type: "INT64" })).toBe("int64");
    expect(parquetNumpyDtype({ type: "INT32", converted_type: "UINT_16" })).toBe("uint16");
    expect(
      parquetNumpyDtype({
        type: "INT32",
        converted_type: "INT_8",
        logical_type: { type: "INTEGER", bitWidth: 8, isSigned: true },
      }),
    ).toBe("int8");
    expect(
      parquetNumpyDtype({ type: "INT64", logical_type: { type: "INTEGER", bitWidth: 64, isSigned: false } }),
    ).toBe("uint64");
  });

  it("leaves dates, times, decimals, pyarrow's null type, text and nested columns to their cells", () => {
    expect(parquetNumpyDtype({ type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } })).toBe(
      undefined,
    );
    expect(parquetNumpyDtype({ type: "INT64", converted_type: "TIMESTAMP_MICROS" })).toBe(undefined);
    expect(parquetNumpyDtype({ type: "INT32", converted_type: "DECIMAL" })).toBe(undefined);
    expect(parquetNumpyDtype({ type: "INT32", logical_type: { type: "NULL" } })).toBe(undefined);
    expect(parquetNumpyDtype({ type: "BYTE_ARRAY", converted_type: "UTF8" })).toBe(undefined);
    expect(parquetNumpyDtype({ type: "BOOLEAN" })).toBe(undefined);
    expect(parquetNumpyDtype({ type: "INT32", repetition_type: "REPEATED" })).toBe(undefined);
    expect(parquetNumpyDtype({ type: "INT32", num_children: 2 })).toBe(undefined);
  });
});

describe("parquetNumpyColumn", () => {
  it("keeps an integer column's width and every digit of a 64-bit one", () => {
    const int8 = parquetNumpyColumn({ type: "INT32", converted_type: "INT_8" }, [1, -128, 127]);
    expect(int8).toEqual({ dtype: "int8", values: Int8Array.from([1, -128, 127]) });
    const uint64 = parquetNumpyColumn({ type: "INT64", converted_type: "UINT_64" }, [2n ** 64n - 1n, 0n]);
    expect(uint64).toEqual({ dtype: "uint64", values: BigUint64Array.from([2n ** 64n - 1n, 0n]) });
    // A signed BigInt64Array holding UINT_64 bits reads as the unsigned values.
    const bits = parquetNumpyColumn({ type: "INT64", converted_type: "UINT_64" }, BigInt64Array.from([-1n]));
    expect(bits?.values).toEqual(BigUint64Array.from([2n ** 64n - 1n]));
  });

  it("makes an integer column with a null float64 NaN, as pandas does, and keeps a float column's width", () => {
    expect(parquetNumpyColumn({ type: "INT32", converted_type: "UINT_8" }, [1, null, 3])).toEqual({
      dtype: "float64",
      values: Float64Array.from([1, NaN, 3]),
    });
    expect(parquetNumpyColumn({ type: "INT64" }, [undefined, undefined])).toEqual({
      dtype: "float64",
      values: Float64Array.from([NaN, NaN]),
    });
    expect(parquetNumpyColumn({ type: "FLOAT" }, [0.1, null])).toEqual({
      dtype: "float32",
      values: Float32Array.from([0.1, NaN]),
    });
  });

  it("regression: keeps FLOAT16 as float16 values, NaN for a null", () => {
    const half = { type: "FIXED_LEN_BYTE_ARRAY", logical_type: { type: "FLOAT16" } };
    expect(parquetNumpyDtype(half)).toBe("float16");
    expect(parquetNumpyDtype({ type: "FIXED_LEN_BYTE_ARRAY", logical_type: { type: "UUID" } })).toBe(
      undefined,
    );
    expect(parquetNumpyColumn(half, [1.5, null])).toEqual({
      dtype: "float16",
      values: Float64Array.from([1.5, NaN]),
    });
  });

  it("regression: makes an integer column float64 where its file holds a null, though this part has none", () => {
    const element = { type: "INT32", converted_type: "INT_16", nullsInFile: true };
    expect(parquetNumpyColumn(element, Int32Array.from([1, 2]))).toEqual({
      dtype: "float64",
      values: Float64Array.from([1, 2]),
    });
    // A float column keeps its width either way.
    expect(parquetNumpyColumn({ type: "FLOAT", nullsInFile: true }, [0.5])?.dtype).toBe("float32");
  });
});
