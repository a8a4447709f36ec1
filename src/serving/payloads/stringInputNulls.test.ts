/**
 * Regression: nulls an MLflow body sent to an ONNX model's string input were refused ("row 1 column 'x' is
 * null", "ONNX string inputs cannot be null"), where MLflow hands onnxruntime the text of what its parsing made
 * of them. Expected values are what mlflow 3.17.2's scoring_server.invocations (pandas 3.1) answered through
 * a real onnxruntime Identity graph over tensor(string): a DataFrame column of numbers or of text alone holds
 * NaN ('nan'), an object column (booleans, mixed, beyond int64) or one of nulls alone None ('None'), a record's
 * absent key NaN; `inputs` and `instances` arrays None.
 */
import { describe, expect, it } from "vitest";
import type { ColumnSpec, ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";

const TEXT: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1] }];
const TEXT_COLUMN: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1, 1] }];
const STRING_COLUMN: ColumnSpec = { name: "x", type: "string", required: true } as ColumnSpec;
const COLUMNS: ModelSignature = { kind: "columns", inputs: [STRING_COLUMN] } as ModelSignature;

const textOf = (body: string, specs = TEXT, signature?: ModelSignature): unknown[] => {
  const input = mlflowRequest(body, "application/json", {
    typedInputs: true,
    textForStringInputs: true,
  }).input;
  const [tensor] = adaptInput(input, specs, signature);
  expect(tensor?.nulls).toBeUndefined();
  return Array.from(tensor?.data as ArrayLike<unknown>);
};

const records = (...cells: string[]): string =>
  `{"dataframe_records": [${cells.map((cell) => (cell === "" ? "{}" : `{"x": ${cell}}`)).join(", ")}]}`;
const split = (...cells: string[]): string =>
  `{"dataframe_split": {"columns": ["x"], "data": [${cells.map((cell) => `[${cell}]`).join(", ")}]}}`;

describe("nulls a DataFrame body sends to an ONNX string input", () => {
  it("writes NaN in a column of numbers or of text alone", () => {
    for (const [specs, signature] of [
      [TEXT_COLUMN, COLUMNS],
      [TEXT, undefined],
      [TEXT_COLUMN, undefined],
    ] as const) {
      for (const body of [records('"a"', "null"), split('"a"', "null")])
        expect(textOf(body, specs, signature)).toEqual(["a", "nan"]);
      expect(textOf(records("null", '"a"', '"b"'), specs, signature)).toEqual(["nan", "a", "b"]);
      expect(textOf(split("1", "null", "2.5"), specs, signature)).toEqual(["1.0", "nan", "2.5"]);
      expect(textOf(records("9223372036854775808", "null"), specs, signature)).toEqual([
        "9.223372036854776e+18",
        "nan",
      ]);
    }
  });

  it("writes None in an object column or a column of nulls alone", () => {
    expect(textOf(records("null", "null"), TEXT_COLUMN, COLUMNS)).toEqual(["None", "None"]);
    expect(textOf(split("null"), TEXT_COLUMN, COLUMNS)).toEqual(["None"]);
    expect(textOf(records("true", "null"))).toEqual(["True", "None"]);
    expect(textOf(records("null", "true"), TEXT_COLUMN, COLUMNS)).toEqual(["None", "True"]);
    expect(textOf(split("1", '"a"', "null"))).toEqual(["1", "a", "None"]);
    expect(textOf(split('"a"', "null", "1.5"))).toEqual(["a", "None", "1.5"]);
    expect(textOf(records("123456789012345678901234567890", "null"))).toEqual([
      "123456789012345678901234567890",
      "None",
    ]);
    expect(textOf(records("-1", "9223372036854775808", "null"))).toEqual([
      "-1",
      "9223372036854775808",
      "None",
    ]);
  });

  it("writes NaN for a record's absent key, whatever the column holds", () => {
    expect(textOf(records('"a"', ""))).toEqual(["a", "nan"]);
    expect(textOf(records("1", "null", ""))).toEqual(["1.0", "nan", "nan"]);
    expect(textOf(records("true", ""))).toEqual(["True", "nan"]);
    expect(textOf(records('"a"', "1", "null", ""))).toEqual(["a", "1", "None", "nan"]);
    expect(textOf(records("null", ""))).toEqual(["nan", "nan"]);
  });

  it("stacks each column's text into a two-column string input", () => {
    const body = '{"dataframe_split": {"columns": ["a", "b"], "data": [["p", true], [null, null]]}}';
    expect(textOf(body, [{ name: "x", datatype: "BYTES", shape: [-1, 2] }])).toEqual([
      "p",
      "True",
      "nan",
      "None",
    ]);
  });
});

describe("nulls an inputs or instances body sends to an ONNX string input", () => {
  it("writes None among text, as numpy's object array holds it", () => {
    expect(textOf('{"inputs": ["a", null]}')).toEqual(["a", "None"]);
    expect(textOf('{"instances": ["a", null]}')).toEqual(["a", "None"]);
    expect(textOf('{"inputs": {"x": ["a", null]}}')).toEqual(["a", "None"]);
    expect(textOf('{"inputs": [["a"], [null]]}', TEXT_COLUMN)).toEqual(["a", "None"]);
    expect(textOf('{"inputs": {"x": [null, null]}}')).toEqual(["None", "None"]);
  });

  it("writes None for a record's null and NaN for its absent key under a column signature", () => {
    expect(textOf('{"inputs": [{"x": "a"}, {"x": null}]}', TEXT_COLUMN, COLUMNS)).toEqual(["a", "None"]);
    expect(textOf('{"inputs": [{"x": "a"}, {}]}', TEXT_COLUMN, COLUMNS)).toEqual(["a", "nan"]);
    expect(textOf('{"instances": [{"x": "a"}, {"x": null}]}', TEXT_COLUMN, COLUMNS)).toEqual(["a", "None"]);
  });

  it("still marks missing text for a model that takes text without MLflow's cast", () => {
    const input = mlflowRequest('{"inputs": ["a", null]}', "application/json", { typedInputs: true }).input;
    expect(adaptInput(input, TEXT)[0]?.nulls).toEqual([1]);
  });
});
