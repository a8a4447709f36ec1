/**
 * Regression: under an MLflow column signature, list and dict cells sent to an ONNX string input were fed as
 * their leaves or refused ("is ["a"], expected a string", "row 0 has 2 values"), where MLflow feeds the text of
 * the Python object its parsing made. Expected values are what mlflow 3.17.2's scoring_server.invocations
 * answered through onnxruntime 1.32 over an Identity graph of [-1, 1] tensor(string) with a string ColSpec.
 * A tensor signature's DataFrame column opening with None (dtype object) is refused as MLflow refuses it.
 */
import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const COLUMN_INPUT: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1, 1] }];
const TEXT: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1] }];
const STRING: ModelSignature = { kind: "columns", inputs: [{ name: "x", type: "string", required: true }] };
const OBJECT: ModelSignature = { kind: "tensors", inputs: [{ name: "x", dtype: "object", shape: [-1] }] };
const STR: ModelSignature = { kind: "tensors", inputs: [{ name: "x", dtype: "str", shape: [-1] }] };

const textOf = (body: string, specs = COLUMN_INPUT, signature: ModelSignature | undefined = STRING) => {
  const input = mlflowRequest(body, "application/json", {
    typedInputs: true,
    textForStringInputs: true,
  }).input;
  return Array.from(adaptInput(input, specs, signature)[0]?.data as string[]);
};

describe("list and dict cells a column signature sends to an ONNX string input", () => {
  it("writes inputs and instances rows as the list of their leaves' text", () => {
    expect(textOf('{"inputs": [["a"], [null]]}')).toEqual(["['a']", "['None']"]);
    expect(textOf('{"instances": [["a", "b"], [null, 1.5]]}')).toEqual(["['a', 'b']", "['None', '1.5']"]);
    expect(textOf('{"inputs": {"x": [["a", "b"], [null, 1.5]]}}')).toEqual(["['a', 'b']", "['None', '1.5']"]);
    expect(textOf('{"instances": {"x": [["a"], [null]]}}')).toEqual(["['a']", "['None']"]);
    expect(textOf('{"inputs": [[1, 2.0], [true, "it\'s"]]}')).toEqual(["['1', '2.0']", `['True', "it's"]`]);
    expect(textOf('{"inputs": [[[1, 2]], [[3, 4]]]}')).toEqual(["[['1', '2']]", "[['3', '4']]"]);
    expect(textOf('{"inputs": [[123456789012345678901234567890], ["a"]]}')).toEqual([
      "['123456789012345678901234567890']",
      "['a']",
    ]);
    expect(textOf('{"inputs": [[1e20], [1.0]]}')).toEqual(["['1e+20']", "['1.0']"]);
    expect(textOf('{"inputs": [[], []]}')).toEqual(["[]", "[]"]);
  });

  it("writes a DataFrame body's list or dict cell as Python's repr of it", () => {
    expect(textOf('{"dataframe_records": [{"x": ["a"]}, {"x": [null]}]}')).toEqual(["['a']", "[None]"]);
    expect(textOf('{"dataframe_split": {"columns": ["x"], "data": [[["a"]], [[null, 1.5, true]]]}}')).toEqual(
      ["['a']", "[None, 1.5, True]"],
    );
    expect(
      textOf('{"dataframe_split": {"columns": ["x"], "data": [[{"k": "v", "n": null}], ["b"]]}}'),
    ).toEqual(["{'k': 'v', 'n': None}", "b"]);
    expect(textOf('{"dataframe_records": [{"x": {"k": [1, 2.0, "s"]}}, {"x": "b"}]}')).toEqual([
      "{'k': [1, 2.0, 's']}",
      "b",
    ]);
  });

  it("writes records' lists as MLflow holds them: numpy's print for inputs, lists for instances", () => {
    expect(textOf('{"inputs": [{"x": ["a", "b"]}, {"x": [null, 1.5]}]}')).toEqual([
      "['a' 'b']",
      "['None' '1.5']",
    ]);
    expect(textOf('{"inputs": [{"x": [[1, 2], [3, 4]]}, {"x": [[5, 6], [7, 8]]}]}')).toEqual([
      "[['1' '2']\n ['3' '4']]",
      "[['5' '6']\n ['7' '8']]",
    ]);
    expect(textOf('{"inputs": [{"x": {"k": 1, "f": 2.0, "n": null}}, {"x": "b"}]}')).toEqual([
      "{'k': 1, 'f': 2.0, 'n': None}",
      "b",
    ]);
    expect(textOf('{"inputs": [{"x": ["a"]}, {"x": null}]}')).toEqual(["['a']", "None"]);
    expect(textOf('{"instances": [{"x": ["a", "b"]}, {"x": [null, 1.5]}]}')).toEqual([
      "['a', 'b']",
      "['None', '1.5']",
    ]);
    expect(textOf('{"instances": [{"x": {"k": 1}}, {"x": "b"}]}')).toEqual(["{'k': 1}", "b"]);
  });

  it("still stacks a tensor signature's list cells", () => {
    const tensors: ModelSignature = {
      kind: "tensors",
      inputs: [{ name: "x", dtype: "object", shape: [-1, 1] }],
    };
    expect(textOf('{"dataframe_records": [{"x": ["a"]}, {"x": ["b"]}]}', COLUMN_INPUT, tensors)).toEqual([
      "a",
      "b",
    ]);
  });
});

describe("a tensor signature's DataFrame column opening with None", () => {
  const refusal = (data: string, shape = "(-1,)") =>
    `Failed to predict data '${data}'. \nError: Failed to enforce schema of data '${data}' with schema ` +
    `'['x': Tensor('object', ${shape})]'. Error: Because the model signature requires tensor spec input, the ` +
    "input pandas dataframe values should be either scalar value, python list containing scalar values or " +
    "numpy array containing scalar values, other types are not supported.";

  it("is refused as MLflow refuses it for an object tensor", () => {
    const refused = (body: string) => thrownError(() => textOf(body, TEXT, OBJECT));
    const error = refused('{"dataframe_records": [{"x": null}, {"x": null}]}');
    expect(error.message).toBe(refusal("      x\n0  None\n1  None"));
    expect((error as { code?: string }).code).toBe("INVALID_PARAMETER_VALUE");
    expect(refused('{"dataframe_split": {"columns": ["x"], "data": [[null], [null]]}}').message).toBe(
      refusal("      x\n0  None\n1  None"),
    );
    expect(refused('{"dataframe_records": [{"x": null}, {"x": true}]}').message).toBe(
      refusal("      x\n0  None\n1  True"),
    );
    expect(refused('{"dataframe_records": [{"x": {"k": 1}}, {"x": "a"}]}').message).toBe(
      refusal("          x\n0  {'k': 1}\n1         a"),
    );
  });

  it("lets NaN, a later None, a str tensor and arrays through", () => {
    expect(textOf('{"dataframe_records": [{"x": null}, {"x": "a"}]}', TEXT, OBJECT)).toEqual(["nan", "a"]);
    expect(textOf('{"dataframe_records": [{"x": null}, {}]}', TEXT, OBJECT)).toEqual(["nan", "nan"]);
    expect(textOf('{"dataframe_records": [{"x": true}, {"x": null}]}', TEXT, OBJECT)).toEqual([
      "True",
      "None",
    ]);
    expect(textOf('{"dataframe_records": [{"x": null}, {"x": null}]}', TEXT, STR)).toEqual(["None", "None"]);
    expect(textOf('{"inputs": [null, null]}', TEXT, OBJECT)).toEqual(["None", "None"]);
  });
});
