/**
 * Regression: numbers a `dataframe_split` or `dataframe_records` body sent to an ONNX model's string input became
 * each cell's own text ('1', every digit of 9007199254740993), where MLflow's pandas reads the column first: a
 * column of numbers with a float or a null is float64, which MLflow's string cast leaves an object column of
 * floats and onnxruntime writes as Python's str ('1.0', '9007199254740992.0'). Expected values are what
 * mlflow 3.17.2's scoring_server.invocations handed a pyfunc with a string ColSpec, each as onnxruntime 1.23 writes
 * an object array's elements (str()); CSV bodies were already read as the text sent, as MLflow's read_csv does.
 */
import { describe, expect, it } from "vitest";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";

const TEXT_INPUT: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1] }];

const textOf = (body: string, specs = TEXT_INPUT, contentType = "application/json"): unknown[][] =>
  adaptInput(
    mlflowRequest(body, contentType, { typedInputs: true, textForStringInputs: true }).input,
    specs,
  ).map((tensor) => Array.from(tensor.data as ArrayLike<unknown>));

describe("numbers a DataFrame body sends to an ONNX string input", () => {
  it("writes a column of numbers with a float as float64 reprs", () => {
    const records = '{"dataframe_records": [{"x": 1}, {"x": 2.5}, {"x": 9007199254740993}]}';
    const split = '{"dataframe_split": {"columns": ["x"], "data": [[1], [2.5], [9007199254740993]]}}';
    for (const body of [records, split]) expect(textOf(body)).toEqual([["1.0", "2.5", "9007199254740992.0"]]);
    expect(
      textOf('{"dataframe_split": {"columns": ["x"], "data": [[1e20], [1e400], [-0.0], [1.5e-7]]}}'),
    ).toEqual([["1e+20", "inf", "-0.0", "1.5e-07"]]);
    expect(
      textOf('{"dataframe_records": [{"x": 1, "y": 1}, {"x": 2.5, "y": 1}, {"x": 12345678901234567890}]}'),
    ).toEqual([["1.0", "2.5", "1.2345678901234567e+19"]]);
  });

  it("writes whole numbers sent as floats as floats, integers alone with every digit", () => {
    expect(textOf('{"dataframe_records": [{"x": 1.0}, {"x": 2.0}]}')).toEqual([["1.0", "2.0"]]);
    expect(
      textOf('{"dataframe_split": {"columns": ["x"], "data": [[1], [-0], [9007199254740993]]}}'),
    ).toEqual([["1", "0", "9007199254740993"]]);
    expect(textOf('{"dataframe_records": [{"x": -1}, {"x": 12345678901234567890}]}')).toEqual([
      ["-1", "12345678901234567890"],
    ]);
  });

  it("keeps each cell of an object column as json.loads made it", () => {
    expect(textOf('{"dataframe_records": [{"x": 1}, {"x": "a"}, {"x": 2.5}, {"x": 1.0}]}')).toEqual([
      ["1", "a", "2.5", "1.0"],
    ]);
    expect(textOf('{"dataframe_split": {"columns": ["x"], "data": [[true], [1], [2.5]]}}')).toEqual([
      ["True", "1", "2.5"],
    ]);
    expect(textOf('{"dataframe_records": [{"x": true}, {"x": false}]}')).toEqual([["True", "False"]]);
    expect(
      textOf(
        '{"dataframe_split": {"columns": ["x"], "data": [[1], [123456789012345678901234567890], [2.5]]}}',
      ),
    ).toEqual([["1", "123456789012345678901234567890", "2.5"]]);
  });

  it("writes each column of a stacked string input by its own pandas type", () => {
    const stacked: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1, 2] }];
    const body = '{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 1], [2.5, 2], [3, "c"]]}}';
    expect(textOf(body, stacked)).toEqual([["1.0", "1", "2.5", "2", "3.0", "c"]]);
  });

  it("leaves numeric inputs and CSV text as they were", () => {
    const numeric: TensorSpec[] = [{ name: "x", datatype: "FP64", shape: [-1] }];
    expect(textOf('{"dataframe_records": [{"x": 1}, {"x": 2.5}]}', numeric)).toEqual([[1, 2.5]]);
    expect(textOf("x\n1\n2.5\n9007199254740993\n1e400\n", TEXT_INPUT, "text/csv")).toEqual([
      ["1", "2.5", "9007199254740993", "1e400"],
    ]);
  });
});
