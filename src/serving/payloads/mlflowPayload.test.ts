import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { mlflowResponse } from "./mlflowResponse.js";
import { thrownError } from "../../../test/support/thrownError.js";

const JSON_TYPE = "application/json";

describe("mlflowRequest with JSON", () => {
  it("reads dataframe_split as a frame with its columns and rows", () => {
    const body = JSON.stringify({
      dataframe_split: {
        columns: ["a", "b"],
        data: [
          [1, 2],
          [3, 4],
        ],
      },
    });
    expect(mlflowRequest(body, JSON_TYPE)).toEqual({
      input: {
        kind: "frame",
        pandasCasts: true,
        columns: ["a", "b"],
        rows: [
          [1, 2],
          [3, 4],
        ],
        textCells: "json",
      },
      dataframe: true,
    });
  });

  it("reads dataframe_split with an index and a flat data list as one column", () => {
    const body = JSON.stringify({ dataframe_split: { columns: ["x"], index: [7, 8], data: [1.5, 2.5] } });
    expect(mlflowRequest(body, JSON_TYPE).input).toEqual({
      kind: "frame",
      pandasCasts: true,
      columns: ["x"],
      rows: [[1.5], [2.5]],
      index: [7, 8],
      textCells: "json",
      // Told which columns and cells the body wrote whole numbers as floats in (see "types whole numbers written as floats").
      floatColumn: expect.any(Function),
      floatCell: expect.any(Function),
      floatMember: expect.any(Function),
    });
  });

  it("reads dataframe_records, filling a missing field with null and listing it as absent", () => {
    const body = JSON.stringify({ dataframe_records: [{ a: 1, b: "x" }, { a: 2 }] });
    expect(mlflowRequest(Buffer.from(body), "application/json; charset=utf-8").input).toEqual({
      kind: "frame",
      pandasCasts: true,
      columns: ["a", "b"],
      rows: [
        [1, "x"],
        [2, null],
      ],
      textCells: "json",
      absentKeys: [[], [1]],
    });
  });

  it("refuses dataframe_split columns that repeat a name, naming it", () => {
    // The second 'a' used to be accepted and one of the two silently used; MLflow answers 400.
    const body = JSON.stringify({ dataframe_split: { columns: ["a", "b", "c", "a"], data: [[1, 2, 3, 4]] } });
    const error = thrownError(() => mlflowRequest(body, JSON_TYPE));
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    expect(error.message).toMatch(/column 'a' appears more than once in 'columns'/);
  });

  it("refuses a body nested deeper than any tensor with a 400, not a stack overflow", () => {
    const depth = 200_000;
    const deep = (key: string): string => `{"${key}": ${"[".repeat(depth)}1${"]".repeat(depth)}}`;
    for (const key of ["inputs", "instances", "dataframe_records"]) {
      const error = thrownError(() => mlflowRequest(deep(key), JSON_TYPE));
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      expect(error.message).toMatch(/nested more than \d+ lists or objects deep/);
    }
    const objects = `{"inputs": ${'{"a": '.repeat(depth)}1${"}".repeat(depth)}}`;
    expect(thrownError(() => mlflowRequest(objects, JSON_TYPE))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("accepts a tensor of 64 dimensions and refuses one of 65", () => {
    const nested = (dims: number): string => `{"inputs": ${"[".repeat(dims)}1${"]".repeat(dims)}}`;
    const input = mlflowRequest(nested(64), JSON_TYPE).input;
    expect(input.kind === "tensors" && input.tensors[0]?.shape.length).toBe(64);
    expect(thrownError(() => mlflowRequest(nested(65), JSON_TYPE)).message).toMatch(
      /^Invalid input. inputs is nested more than 64 lists deep/,
    );
  });

  it("reads instances as rows and inputs as named tensors", () => {
    expect(mlflowRequest('{"instances": [[1, 2], [3, 4]]}', JSON_TYPE).input).toEqual({
      kind: "frame",
      columns: undefined,
      rows: [
        [1, 2],
        [3, 4],
      ],
      array: true,
      textCells: "json",
    });
    expect(mlflowRequest('{"inputs": {"x": [[1.5, 2]], "s": ["a"]}}', JSON_TYPE).input).toEqual({
      kind: "tensors",
      mlflowDict: true,
      // Text under a float spec is numpy's to refuse, once the signature is known (mlflowNumpyCasts.ts).
      numpyCasts: expect.any(Function),
      tensors: [
        { name: "x", datatype: "FP64", shape: [1, 2], data: new Float64Array([1.5, 2]) },
        { name: "s", datatype: "BYTES", shape: [1], data: ["a"] },
      ],
    });
  });

  it("reads the documented curl example as one unnamed tensor", () => {
    expect(mlflowRequest('{"inputs": [[1,2],[3,4]]}', JSON_TYPE).input).toEqual({
      kind: "tensors",
      tensors: [{ name: "", datatype: "INT64", shape: [2, 2], data: new BigInt64Array([1n, 2n, 3n, 4n]) }],
    });
  });

  it("reads bare NaN and Infinity, as MLflow's json.loads does, into a float tensor", () => {
    const input = mlflowRequest('{"inputs": [[NaN, 1.5], [-Infinity, 2]]}', JSON_TYPE).input;
    expect(input).toMatchObject({ kind: "tensors", tensors: [{ datatype: "FP64", shape: [2, 2] }] });
    const data = (input as { tensors: { data: Float64Array }[] }).tensors[0]!.data;
    expect([...data]).toEqual([Number.NaN, 1.5, Number.NEGATIVE_INFINITY, 2]);
  });

  // Regression: integers above INT64's maximum were refused as out of INT64's range.
  it("reads integers above INT64's maximum as MLflow's server hands them to a model: numpy's and pandas' types", () => {
    // Observed with `mlflow models serve` (3.17, numpy 2.4): the model received uint64, float64 and uint64 arrays.
    // Without their numpyCasts, which hold the refusal an int32 signature gives them (mlflowNumericCasts.test.ts).
    const typed = (body: string): unknown => {
      const { numpyCasts: _casts, ...input } = mlflowRequest(body, JSON_TYPE).input;
      return input;
    };
    expect(typed('{"inputs": [[18446744073709551615]]}')).toEqual({
      kind: "tensors",
      tensors: [{ name: "", datatype: "UINT64", shape: [1, 1], data: new BigUint64Array([2n ** 64n - 1n]) }],
    });
    expect(typed('{"inputs": [9223372036854775808, 1]}')).toEqual({
      kind: "tensors",
      tensors: [{ name: "", datatype: "FP64", shape: [2], data: new Float64Array([2 ** 63, 1]) }],
    });
    // A DataFrame column follows pandas, which keeps [2**63, 1] uint64; a model without inputs takes it as is.
    const frame = mlflowRequest(
      '{"dataframe_split": {"columns": ["a"], "data": [[9223372036854775808], [1]]}}',
      JSON_TYPE,
    ).input;
    expect(adaptInput(frame, [])).toEqual([
      { name: "a", datatype: "UINT64", shape: [2], data: new BigUint64Array([2n ** 63n, 1n]) },
    ]);
  });

  it("passes params through", () => {
    const request = mlflowRequest('{"inputs": [1], "params": {"top_k": 3}}', JSON_TYPE);
    expect(request.params).toEqual({ top_k: 3 });
  });

  it("answers two input keys at once with MLflow's message and the 2.0 protocol hint", () => {
    const error = thrownError(() =>
      mlflowRequest('{"dataframe_split": {"data": []}, "instances": []}', JSON_TYPE),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.httpStatus).toBe(400);
    expect(error.message).toMatch(
      /^The input must be a JSON dictionary with exactly one of the input fields \{'dataframe_split', 'dataframe_records', 'instances', 'inputs'\}\. Received dictionary with input fields: \['dataframe_split', 'instances'\]\. IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2\.0\./,
    );
  });

  it("answers a body with none of the keys (the MLflow 1.x format) with the hint", () => {
    const error = thrownError(() => mlflowRequest('{"columns": ["a"], "data": [[1]]}', JSON_TYPE));
    expect(error.message).toMatch(
      /Received dictionary with input fields: \[\]\. IMPORTANT: The MLflow Model scoring/,
    );
  });

  it("rejects malformed JSON and a top-level list as invalid input", () => {
    const malformed = thrownError(() => mlflowRequest('{"inputs": [1,', JSON_TYPE));
    expect(malformed.httpStatus).toBe(400);
    expect(malformed.message).toMatch(
      /^Invalid input\. Ensure that input is a valid JSON formatted string\. Error: /,
    );
    expect(thrownError(() => mlflowRequest("[[1, 2]]", JSON_TYPE)).message).toMatch(/Received a list\.$/);
  });

  it("rejects dataframe_split in the wrong form with MLflow's wording", () => {
    expect(thrownError(() => mlflowRequest('{"dataframe_split": [[1]]}', JSON_TYPE)).message).toBe(
      "Invalid input. Dataframe split format must be a dictionary. Got list.",
    );
    expect(
      thrownError(() => mlflowRequest('{"dataframe_split": {"rows": [[1]]}}', JSON_TYPE)).message,
    ).toMatch(/must have 'data' field and optionally 'columns' and 'index' fields\. Got \{'rows'\}/);
    expect(
      thrownError(() => mlflowRequest('{"dataframe_split": {"columns": ["a"], "data": [[1, 2]]}}', JSON_TYPE))
        .message,
    ).toMatch(/1 columns passed, passed data had 2 columns/);
    expect(thrownError(() => mlflowRequest('{"dataframe_records": {"a": 1}}', JSON_TYPE)).message).toBe(
      "Invalid input. Dataframe records format must be a list of records. Got dictionary.",
    );
  });
});

describe("mlflowRequest media types", () => {
  it("answers other media types, charsets and parameters with 415", () => {
    const other = thrownError(() => mlflowRequest("x", "text/plain"));
    expect(other.httpStatus).toBe(415);
    expect(other.message).toBe(
      "This predictor only supports the following content types: Types: ['text/csv', 'application/json', 'application/vnd.apache.parquet']. Got 'text/plain'.",
    );
    expect(thrownError(() => mlflowRequest("{}", "application/json; charset=latin-1")).message).toBe(
      "The scoring server only supports UTF-8",
    );
    expect(thrownError(() => mlflowRequest("{}", "application/json; format=pandas-split")).message).toMatch(
      /^Unrecognized content type parameters: format\. IMPORTANT/,
    );
    expect(thrownError(() => mlflowRequest("{}", undefined)).httpStatus).toBe(415);
  });
});

describe("mlflowRequest with CSV", () => {
  it("reads the header and quoted fields with commas, quotes and line breaks", () => {
    const csv = 'name,note,score\r\n"Smith, J","said ""hi""",1.5\r\n"multi\nline",,2\r\n\r\n';
    expect(mlflowRequest(Buffer.from(csv), "text/csv").input).toEqual({
      kind: "frame",
      columns: ["name", "note", "score"],
      rows: [
        ["Smith, J", 'said "hi"', "1.5"],
        ["multi\nline", null, "2"],
      ],
      textCells: "csv",
      numpyCasts: expect.any(Function),
    });
  });

  it("reads pandas' default NA markers as missing in data rows, quoted or not, but not in the header", () => {
    const csv = 'NA,s\nNA,null\nN/A,"NULL"\nnan,""\n1.5,None\n';
    expect(mlflowRequest(Buffer.from(csv), "text/csv").input).toEqual({
      kind: "frame",
      columns: ["NA", "s"],
      rows: [
        [null, null],
        [null, null],
        [null, null],
        ["1.5", null],
      ],
      textCells: "csv",
      numpyCasts: expect.any(Function),
    });
  });

  it("names the pandas index column like pandas does", () => {
    expect(mlflowRequest(",a\n0,1\n", "text/csv; charset=utf-8").input).toEqual({
      kind: "frame",
      columns: ["Unnamed: 0", "a"],
      rows: [["0", "1"]],
      textCells: "csv",
      numpyCasts: expect.any(Function),
    });
  });

  it("rejects CSV that is not UTF-8, naming the byte, offset and line", () => {
    const latin1 = Buffer.from("city,temp\nZürich,3\n", "latin1");
    const error = thrownError(() => mlflowRequest(latin1, "text/csv"));
    expect(error.httpStatus).toBe(400);
    expect(error.message).toMatch(/The CSV body is not valid UTF-8: byte 0xFC at offset 11 \(line 2\)/);
  });

  it("rejects a row with more fields than the header and an empty body", () => {
    expect(thrownError(() => mlflowRequest("a,b\n1,2\n3,4,5,6\n", "text/csv")).message).toMatch(
      /Failed to parse input as a Pandas DataFrame.*'Error tokenizing data\. C error: Expected 2 fields in line 3, saw 4\n'/,
    );
    expect(thrownError(() => mlflowRequest("", "text/csv")).message).toMatch(/No columns to parse from file/);
  });
});

describe("mlflowResponse", () => {
  const proba = {
    name: "probabilities",
    datatype: "FP32" as const,
    shape: [2, 2],
    data: new Float32Array([0.25, 0.75, 1, 0]),
  };
  const label = { name: "label", datatype: "INT64" as const, shape: [2], data: new BigInt64Array([1n, 0n]) };

  it("answers one output with its rows", () => {
    expect(mlflowResponse([proba])).toEqual({
      predictions: [
        [0.25, 0.75],
        [1, 0],
      ],
    });
  });

  it("answers several outputs by name", () => {
    expect(mlflowResponse([label, proba])).toEqual({
      predictions: {
        label: [1, 0],
        probabilities: [
          [0.25, 0.75],
          [1, 0],
        ],
      },
    });
  });

  it("answers several outputs as records when the signature's outputs are columns", () => {
    const signature: ModelSignature = {
      kind: "tensors",
      inputs: [{ dtype: "float32", shape: [-1, 4] }],
      outputs: { kind: "columns", specs: [{ name: "label", type: "long", required: true }] },
    };
    expect(mlflowResponse([label, proba], signature)).toEqual({
      predictions: [
        { label: 1, probabilities: [0.25, 0.75] },
        { label: 0, probabilities: [1, 0] },
      ],
    });
  });

  it("regression: answers a single-output ONNX model by output name, as MLflow's onnx flavor does", () => {
    const variable = {
      name: "variable",
      datatype: "FP32" as const,
      shape: [2, 1],
      data: new Float32Array([1.5, 2.5]),
    };
    const signature: ModelSignature = {
      kind: "tensors",
      inputs: [{ dtype: "float32", shape: [-1, 3] }],
      outputs: { kind: "tensors", specs: [{ dtype: "float32", shape: [-1, 1] }] },
    };
    for (const body of ['{"inputs": [[1, 2, 3]]}', '{"dataframe_split": {"data": [[1, 2, 3]]}}']) {
      const request = mlflowRequest(body, JSON_TYPE);
      expect(mlflowResponse([variable], signature, { platform: "onnx_onnxv1", request })).toEqual({
        predictions: { variable: [[1.5], [2.5]] },
      });
    }
  });

  it("answers an ONNX model without a tensor signature given a DataFrame with one flat record per row", () => {
    const variable = {
      name: "variable",
      datatype: "FP32" as const,
      shape: [2, 1],
      data: new Float32Array([1.5, 2.5]),
    };
    const context = { platform: "onnx_onnxv1" };
    const frame = mlflowRequest("a,b,c\n1,2,3\n4,5,6\n", "text/csv");
    expect(mlflowResponse([variable], undefined, { ...context, request: frame })).toEqual({
      predictions: [{ variable: 1.5 }, { variable: 2.5 }],
    });
    const rows = mlflowRequest('{"instances": [[1, 2, 3], [4, 5, 6]]}', JSON_TYPE);
    expect(mlflowResponse([variable], undefined, { ...context, request: rows })).toEqual({
      predictions: { variable: [[1.5], [2.5]] },
    });
  });

  it("keeps a pyfunc model's single output as its rows", () => {
    const request = mlflowRequest('{"dataframe_split": {"data": [[1, 2]]}}', JSON_TYPE);
    expect(mlflowResponse([label], undefined, { platform: "mlflow_pyfunc", request })).toEqual({
      predictions: [1, 0],
    });
  });

  it("flattens an [N,1] output under a one-column output signature", () => {
    const signature: ModelSignature = {
      kind: "columns",
      inputs: [{ name: "x", type: "double", required: true }],
      outputs: { kind: "columns", specs: [{ type: "double", required: true }] },
    };
    const column = {
      name: "y",
      datatype: "FP64" as const,
      shape: [2, 1],
      data: new Float64Array([1.5, 2.5]),
    };
    expect(mlflowResponse([column], signature)).toEqual({ predictions: [1.5, 2.5] });
  });
});
