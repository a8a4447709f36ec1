import { describe, expect, it } from "vitest";
import { workerRequest } from "../runtimes/pythonWire.js";
import type { ModelSignature } from "../signature.js";
import { signatureInputSpecs } from "../signature.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const MIXED: ModelSignature = {
  kind: "columns",
  inputs: [
    { name: "age", type: "long", required: true },
    { name: "income", type: "double", required: true },
    { name: "city", type: "string", required: true },
  ],
};
const specs = signatureInputSpecs(MIXED);
const split = (data: unknown[][]) =>
  mlflowRequest(
    JSON.stringify({ dataframe_split: { columns: ["age", "income", "city"], data } }),
    "application/json",
  ).input;

describe("regression: null in an MLflow string column was refused, though MLflow passes it on as None", () => {
  it("passes null in a string column of dataframe_split to a Python model as null", () => {
    const tensors = adaptInput(
      split([
        [30, 1.5, null],
        [40, 2.5, "x"],
      ]),
      specs,
      MIXED,
    );
    expect(tensors[2]).toMatchObject({ name: "city", datatype: "BYTES", shape: [2], nulls: [0] });
    expect(workerRequest(1, tensors, true).columns?.city).toEqual([null, "x"]);
  });

  it("passes an empty CSV cell in a string column as null", () => {
    const input = mlflowRequest("age,income,city\n30,1.5,\n", "text/csv").input;
    const tensors = adaptInput(input, specs, MIXED);
    expect(workerRequest(1, tensors, true).columns?.city).toEqual([null]);
  });

  it("still turns null into NaN in a double column and refuses it in a long column, as MLflow does", () => {
    const [, income] = adaptInput(split([[30, null, "x"]]), specs, MIXED);
    expect(Array.from(income?.data as Float64Array)).toEqual([NaN]);
    expect(thrownError(() => adaptInput(split([[null, 1.5, "x"]]), specs, MIXED)).message).toBe(
      "Invalid input. Data is not compatible with model signature. Failed to convert column age to type 'int64'. " +
        `Error: 'TypeError("int() argument must be a string, a bytes-like object or a real number, not 'NoneType'")'`,
    );
  });
});

// Regression: a model without a signature refused any text column holding a null ("mixes strings with numbers").
describe("text columns with nulls for a model that declares no inputs", () => {
  it("sends null text cells, and columns of only nulls, as missing text, None to the Python worker", () => {
    const input = mlflowRequest(
      JSON.stringify({
        dataframe_records: [
          { text: "a", n: 1, none: null },
          { n: 2, none: null },
        ],
      }),
      "application/json",
    ).input;
    const [text, n, none] = adaptInput(input, []);
    expect(text).toMatchObject({ datatype: "BYTES", shape: [2], data: ["a", ""], nulls: [1] });
    expect(n).toMatchObject({ datatype: "INT64", shape: [2] });
    expect(none).toMatchObject({ datatype: "BYTES", shape: [2], data: ["", ""], nulls: [0, 1] });
    const columns = workerRequest(1, adaptInput(input, []), true).columns;
    expect(columns?.text).toEqual(["a", null]);
    expect(columns?.none).toEqual([null, null]);
  });

  it("sends a CSV body's empty fields as missing text that the worker makes NaN, as read_csv does", () => {
    const request = mlflowRequest("text,n,empty\na,1,\n,2,\n", "text/csv");
    expect(request.missingAsNaN).toBe(true);
    const tensors = adaptInput(request.input, []);
    const wire = workerRequest(1, tensors, true, { missingAsNaN: true });
    expect(wire).toMatchObject({ missing_nan: true, columns: { text: ["a", null], empty: [null, null] } });
  });

  // Regression: such a column was refused, where MLflow hands pandas' object column of str, None and int.
  it("sends a column mixing text with numbers and nulls to the worker as the values sent", () => {
    const input = mlflowRequest(
      JSON.stringify({ dataframe_split: { columns: ["text"], data: [["a"], [null], [1]] } }),
      "application/json",
    ).input;
    expect(workerRequest(1, adaptInput(input, []), true)).toMatchObject({
      columns: { text: ["a", null, 1] },
    });
  });
});

describe("regression: a request lacking a signature's column got FlowOps' own 'missing column' text", () => {
  const ONE: ModelSignature = { kind: "columns", inputs: [{ name: "a", type: "double", required: true }] };
  // mlflow 3.17.2's scoring_server.invocations, asked with a pyfunc model of signature [ColSpec(double, "a")].
  const answer = (data: string): string =>
    `Failed to predict data '${data}'. \nError: Failed to enforce schema of data '${data}' with schema ` +
    `'['a': double (required)]'. Error: Model is missing inputs ['a']. Note that there were extra inputs: ['k'].`;

  it("answers a CSV body without the column as mlflow's scoring server does", () => {
    const error = thrownError(() =>
      adaptInput(mlflowRequest("k\n1\n", "text/csv").input, signatureInputSpecs(ONE), ONE),
    );
    expect([error.code, error.httpStatus, error.message]).toEqual([
      "INVALID_PARAMETER_VALUE",
      400,
      answer("   k\n0  1"),
    ]);
  });

  it("answers so for a model whose one input stacks the columns (ONNX [-1, F]), which MLflow checks alike", () => {
    const stacked = [{ name: "float_input", datatype: "FP32" as const, shape: [-1, 1] }];
    const body = JSON.stringify({ dataframe_records: [{ k: 1 }, { k: 2.5 }] });
    const error = thrownError(() => adaptInput(mlflowRequest(body, "application/json").input, stacked, ONE));
    expect(error.message).toBe(answer("     k\n0  1.0\n1  2.5"));
  });

  it("keeps naming the column when only an optional one is missing from a stacked input", () => {
    const withOptional: ModelSignature = {
      kind: "columns",
      inputs: [
        { name: "a", type: "double", required: true },
        { name: "o", type: "double", required: false },
      ],
    };
    const stacked = [{ name: "x", datatype: "FP32" as const, shape: [-1, 2] }];
    const body = JSON.stringify({ dataframe_records: [{ a: 1 }] });
    const error = thrownError(() =>
      adaptInput(mlflowRequest(body, "application/json").input, stacked, withOptional),
    );
    expect(error.message).toBe("missing column 'o' (the model's columns are: a, o)");
  });
});
