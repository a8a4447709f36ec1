import { describe, expect, it } from "vitest";
import { v2Request, v2Response } from "./v2Payload.js";
import { thrownError } from "../../../test/support/thrownError.js";

describe("v2Request", () => {
  it("parses the spec's request with id, parameters, nested data and requested outputs", () => {
    const request = v2Request({
      id: "42",
      parameters: { priority: 1 },
      inputs: [
        {
          name: "input0",
          shape: [2, 2],
          datatype: "UINT32",
          data: [
            [1, 2],
            [4, 5],
          ],
        },
        { name: "input1", shape: [3], datatype: "BOOL", data: [true, false, true] },
      ],
      outputs: [{ name: "output0" }],
    });
    expect(request.id).toBe("42");
    expect(request.params).toEqual({ priority: 1 });
    expect(request.outputs).toEqual(["output0"]);
    expect(request.input).toEqual({
      kind: "tensors",
      tensors: [
        { name: "input0", datatype: "UINT32", shape: [2, 2], data: new Uint32Array([1, 2, 4, 5]) },
        { name: "input1", datatype: "BOOL", shape: [3], data: new Uint8Array([1, 0, 1]) },
      ],
    });
  });

  it("accepts flat data for a 2-D shape and leaves id, params and outputs out when absent", () => {
    const request = v2Request({
      inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [5.1, 3.5, 1.4, 0.2] }],
    });
    expect(request).toEqual({
      input: {
        kind: "tensors",
        tensors: [
          { name: "x", datatype: "FP32", shape: [1, 4], data: new Float32Array([5.1, 3.5, 1.4, 0.2]) },
        ],
      },
    });
  });

  it("refuses data nested too deep with a 400, not a stack overflow", () => {
    let data: unknown = 1;
    for (let i = 0; i < 200_000; i++) data = [data];
    const error = thrownError(() =>
      v2Request({ inputs: [{ name: "x", datatype: "FP64", shape: [1], data }] }),
    );
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    expect(error.message).toMatch(/nested more than \d+ lists or objects deep/);
  });

  it("names the input whose data does not fit its shape", () => {
    const error = thrownError(() =>
      v2Request({ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [1, 2, 3] }] }),
    );
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe("inputs[0] 'x': shape [1,4] holds 4 elements but data has 3");
  });

  // Regression: [[1,2,3],[4]] passed for shape [2,2] because it holds four elements.
  it("refuses ragged nested data whose element count matches the shape, naming the input", () => {
    const ragged = (data: unknown): string =>
      thrownError(() => v2Request({ inputs: [{ name: "x", shape: [2, 2], datatype: "FP32", data }] }))
        .message;
    expect(ragged([[1, 2, 3], [4]])).toBe(
      "inputs[0] 'x': nested data must be rectangular (flat, or nested like shape [2,2]); " +
        "its first elements nest as [2,3] but data[1] has 1 elements where 3 were expected",
    );
    expect(ragged([[1, 2], 3, 4])).toMatch(
      /nest as \[3,2\] but data\[1\] is a value where a list was expected/,
    );
    expect(
      ragged([
        [1, 2],
        [3, [4]],
      ]),
    ).toMatch(/data\[1\]\[1\] is a list where a value was expected/);
    expect(ragged([[[1, 2]], [3]])).toMatch(/data\[1\]\[0\] is a value where a list was expected/);
  });

  it("accepts nested data in the shape's nesting, or any rectangular nesting of its elements, as KServe does", () => {
    const parsed = (data: unknown): unknown =>
      v2Request({ inputs: [{ name: "x", shape: [2, 2], datatype: "INT32", data }] }).input;
    const expected = {
      kind: "tensors",
      tensors: [{ name: "x", datatype: "INT32", shape: [2, 2], data: new Int32Array([1, 2, 3, 4]) }],
    };
    expect(
      parsed([
        [1, 2],
        [3, 4],
      ]),
    ).toEqual(expected);
    // KServe reads data with np.array(data).reshape(shape): any rectangular nesting of four elements fits.
    expect(parsed([[1, 2, 3, 4]])).toEqual(expected);
    expect(parsed([1, 2, 3, 4])).toEqual(expected);
  });

  it("rejects a body without inputs, an input without datatype and a repeated input", () => {
    expect(thrownError(() => v2Request({})).message).toMatch(/'inputs' must be a non-empty list/);
    expect(thrownError(() => v2Request([])).message).toMatch(/request body must be a JSON object/);
    expect(thrownError(() => v2Request({ inputs: [{ name: "x", shape: [1], data: [1] }] })).message).toBe(
      "inputs[0] 'x': 'datatype' is required",
    );
    const twice = { name: "x", shape: [1], datatype: "FP32", data: [1] };
    expect(thrownError(() => v2Request({ inputs: [twice, twice] })).message).toMatch(/given twice/);
  });

  it("asks once for an output named twice, as Triton does, keeping the order of first mention", () => {
    const x = { name: "x", shape: [1], datatype: "FP32", data: [1] };
    const request = v2Request({
      inputs: [x],
      outputs: [
        { name: "b" },
        { name: "a" },
        { name: "b", parameters: { binary_data: true } },
        { name: "a" },
      ],
    });
    expect(request.outputs).toEqual(["b", "a"]);
    expect(request.binaryOutputs).toEqual({ all: false, byName: new Map([["b", true]]) });
    const contradicting = [
      { name: "a", parameters: { binary_data: false } },
      { name: "b" },
      { name: "a", parameters: { binary_data: true } },
    ];
    expect(thrownError(() => v2Request({ inputs: [x], outputs: contradicting })).message).toBe(
      "outputs[2] 'a': parameters.binary_data true contradicts outputs[0], which asks for output 'a' with " +
        "binary_data false; request each output once",
    );
  });

  // Regression found by the request fuzz test: [0, 1e308] holds no elements, so it passed with empty data and
  // reached a model that declares no inputs; no dim beyond 2^53 is the number the client wrote.
  it("refuses a shape dim beyond the safe integers, even in a shape that holds no elements", () => {
    for (const shape of [
      [0, 1e308],
      [2 ** 53, 0],
      [0, 2 ** 64],
    ]) {
      const input = { name: "x", shape, datatype: "FP32", data: [] };
      expect(thrownError(() => v2Request({ inputs: [input] })).message).toMatch(
        /^inputs\[0\] 'x': shape must be an array of non-negative integers/,
      );
    }
  });

  it("rejects a non-string id and binary tensor data", () => {
    const x = { name: "x", shape: [1], datatype: "FP32", data: [1] };
    expect(thrownError(() => v2Request({ id: 7, inputs: [x] })).message).toMatch(/'id' must be a string/);
    expect(
      thrownError(() => v2Request({ inputs: [{ ...x, parameters: { binary_data_size: 4 } }] })).message,
    ).toMatch(/binary tensor data is not supported/);
  });
});

describe("v2Response", () => {
  it("writes the spec's response, with model_version only when the model has one", () => {
    const outputs = [
      { name: "output0", datatype: "FP32" as const, shape: [2], data: new Float32Array([0.5, 0.25]) },
    ];
    expect(v2Response({ name: "mymodel", version: "3" }, "42", outputs)).toEqual({
      model_name: "mymodel",
      model_version: "3",
      id: "42",
      outputs: [{ name: "output0", datatype: "FP32", shape: [2], data: [0.5, 0.25] }],
    });
    expect(v2Response({ name: "mymodel" }, "1", outputs)).not.toHaveProperty("model_version");
  });
});
