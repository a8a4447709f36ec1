import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { elementCount, tensorFromJson, tensorToJson, type Tensor } from "./tensor.js";

function errorOf(fn: () => unknown): FlowOpsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FlowOpsError) return error;
    throw error;
  }
  throw new Error("expected a FlowOpsError");
}

describe("tensorFromJson", () => {
  it("reads flat FP32 data into a Float32Array", () => {
    const t = tensorFromJson("x", "FP32", [2, 2], [1, 2.5, 3, 4], "inputs[0] 'x'");
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2.5, 3, 4]);
    expect(t.shape).toEqual([2, 2]);
  });

  it("flattens nested data in row-major order", () => {
    const t = tensorFromJson(
      "x",
      "INT32",
      [2, 3],
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      "x",
    );
    expect(Array.from(t.data as Int32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("keeps 64-bit integers in BigInt arrays and BOOL in a Uint8Array", () => {
    expect(tensorFromJson("a", "INT64", [2], [-3, 9007199254740991], "a").data).toEqual(
      new BigInt64Array([-3n, 9007199254740991n]),
    );
    expect(tensorFromJson("b", "BOOL", [3], [true, false, 1], "b").data).toEqual(new Uint8Array([1, 0, 1]));
    expect(tensorFromJson("s", "BYTES", [2], ["a", "é"], "s").data).toEqual(["a", "é"]);
  });

  it("rejects data whose element count does not match the shape, naming the input", () => {
    const error = errorOf(() => tensorFromJson("x", "FP32", [2, 3], [1, 2, 3, 4, 5], "inputs[0] 'x'"));
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe("inputs[0] 'x': shape [2,3] holds 6 elements but data has 5");
  });

  it("rejects an unknown datatype and lists the known ones", () => {
    expect(errorOf(() => tensorFromJson("x", "FLOAT", [1], [1], "inputs[0] 'x'")).message).toMatch(
      /inputs\[0\] 'x': datatype "FLOAT" is not one of BOOL, UINT8, .*BYTES/,
    );
  });

  it("rejects FP16 in JSON", () => {
    expect(errorOf(() => tensorFromJson("x", "FP16", [1], [1], "x")).message).toMatch(
      /FP16 cannot be carried in JSON/,
    );
  });

  it("rejects values of the wrong kind and integers out of range, naming the element", () => {
    expect(errorOf(() => tensorFromJson("x", "FP32", [2], [1, "a"], "x")).message).toBe(
      'x data[1] is "a", expected a number',
    );
    expect(errorOf(() => tensorFromJson("x", "UINT8", [1], [256], "x")).message).toBe(
      "x data[0] is 256, expected an integer that fits UINT8",
    );
    expect(errorOf(() => tensorFromJson("x", "INT32", [1], [1.5], "x")).message).toMatch(
      /expected an integer/,
    );
  });

  it("keeps INT64 and UINT64 values beyond 2^53 exact, the limits included", () => {
    const int64 = tensorFromJson(
      "x",
      "INT64",
      [4],
      [1234567890123456789n, 9007199254740993n, 9223372036854775807n, -9223372036854775808n],
      "x",
    );
    expect([...(int64.data as BigInt64Array)]).toEqual([
      1234567890123456789n,
      9007199254740993n,
      9223372036854775807n,
      -9223372036854775808n,
    ]);
    const uint64 = tensorFromJson("x", "UINT64", [2], [18446744073709551615n, 7], "x");
    expect([...(uint64.data as BigUint64Array)]).toEqual([18446744073709551615n, 7n]);
  });

  it("rejects big integers outside INT64, UINT64 or a narrower integer type, writing their digits", () => {
    expect(errorOf(() => tensorFromJson("x", "INT64", [1], [9223372036854775808n], "x")).message).toBe(
      "x data[0] is 9223372036854775808, expected an integer that fits INT64",
    );
    expect(errorOf(() => tensorFromJson("x", "UINT64", [1], [-1], "x")).message).toBe(
      "x data[0] is -1, expected an integer that fits UINT64",
    );
    expect(errorOf(() => tensorFromJson("x", "INT32", [1], [9007199254740993n], "x")).message).toBe(
      "x data[0] is 9007199254740993, expected an integer that fits INT32",
    );
  });

  it("gives a big integer sent for a float tensor the nearest float", () => {
    const t = tensorFromJson("x", "FP64", [1], [9007199254740993n], "x");
    expect([...(t.data as Float64Array)]).toEqual([9007199254740992]);
  });

  it("rejects a negative or fractional shape", () => {
    expect(errorOf(() => tensorFromJson("x", "FP32", [-1, 2], [1, 2], "x")).message).toMatch(
      /shape must be an array of non-negative integers/,
    );
  });
});

describe("tensorToJson", () => {
  it("writes BOOL as booleans and BigInt as numbers", () => {
    expect(
      tensorToJson({ name: "b", datatype: "BOOL", shape: [2], data: new Uint8Array([1, 0]) }).data,
    ).toEqual([true, false]);
    expect(
      tensorToJson({ name: "i", datatype: "INT64", shape: [1], data: new BigInt64Array([42n]) }).data,
    ).toEqual([42]);
  });

  it("writes 64-bit integers beyond 2^53 as BigInts, never rounded to a double", () => {
    const values = [1234567890123456789n, 9007199254740993n, 9223372036854775807n, -9223372036854775808n];
    expect(
      tensorToJson({ name: "i", datatype: "INT64", shape: [5], data: BigInt64Array.from([...values, -5n]) })
        .data,
    ).toEqual([...values, -5]);
    expect(
      tensorToJson({ name: "u", datatype: "UINT64", shape: [1], data: BigUint64Array.from([2n ** 64n - 1n]) })
        .data,
    ).toEqual([18446744073709551615n]);
  });

  it("decodes FP16 bits to numbers", () => {
    const t: Tensor = {
      name: "h",
      datatype: "FP16",
      shape: [3],
      data: new Uint16Array([0x3c00, 0xc000, 0x3555]),
    };
    const values = tensorToJson(t).data as number[];
    expect(values[0]).toBe(1);
    expect(values[1]).toBe(-2);
    expect(values[2]).toBeCloseTo(1 / 3, 3);
  });
});

describe("elementCount", () => {
  it("counts the elements of a shape, a scalar being one", () => {
    expect(elementCount([3, 4])).toBe(12);
    expect(elementCount([])).toBe(1);
    expect(elementCount([0, 5])).toBe(0);
  });
});
