/**
 * Regression: JSON objects and lists inside `dataframe_records` / `dataframe_split` cells and `instances` records
 * or rows were a 400 for a Python model without a signature, which MLflow 3 hands a pandas object column of the
 * dicts and lists json.loads made (or np.array's object arrays of them). What the Python worker then builds is
 * checked against mlflow itself in src/server/serving/mlflowPythonUntypedRecords.test.ts; here, the tensors.
 */
import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import { signatureInputSpecs } from "../signature.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { copyPredictRequest } from "./predictRequest.js";
import { pythonJson } from "./pythonJsonText.js";
import { thrownError } from "../../../test/support/thrownError.js";

const untyped = (body: string) => adaptInput(mlflowRequest(body, "application/json").input, []);

describe("pythonJson", () => {
  it("writes whole floats, -0.0, non-finite numbers and huge integers as json.loads must read them", () => {
    const value = { b: [1, 2, -0, 1e300, NaN, -Infinity, 18446744073709551616n], ["__proto__"]: { c: 3 } };
    const floats = (container: object, key: number | string) =>
      container === value.b && (key === 0 || key === 2 || key === 3);
    expect(pythonJson(value, floats)).toEqual({
      json: '{"b":[1.0,2,-0.0,1e+300,NaN,-Infinity,18446744073709551616],"__proto__":{"c":3}}',
    });
  });
});

describe("nested cells for a model without a signature", () => {
  it("makes a dataframe_records column of objects and lists an object column of json.loads text", () => {
    const [a, b] = untyped(
      '{"dataframe_records": [{"a": {"k": 1.0, "__proto__": [2]}, "b": 1}, {"a": [1, 2.0]}, {"a": 3.0, "b": 2}, {"a": null}]}',
    );
    expect(a).toEqual({
      name: "a",
      datatype: "BYTES",
      shape: [4],
      data: ['{"k":1,"__proto__":[2]}', "[1,2]", "3.0", ""],
      jsonData: [{ json: '{"k":1.0,"__proto__":[2]}' }, { json: "[1,2.0]" }, { float: 3 }, null],
      nulls: [3],
    });
    // The other column as before: numbers with a missing key are float64 NaN.
    expect(b?.datatype).toBe("FP64");
  });

  it("keeps a record's missing key NaN beside objects, as pandas fills it", () => {
    const [a] = untyped('{"dataframe_records": [{"a": {}}, {"b": 1}]}');
    expect(a?.jsonData).toEqual([{ json: "{}" }, { float: NaN }]);
  });

  it("makes instances records holding objects np.array's 0-d object arrays, whole floats kept", () => {
    const [a] = untyped('{"instances": [{"a": {"k": 1.0}}, {"a": 2.0}]}');
    expect(a?.jsonData).toEqual([{ array: { object: [["k", { float: 1 }]] } }, { array: { float: 2 } }]);
  });

  it("keeps whole floats inside objects in a copy of the request (shadows, observers)", () => {
    const request = mlflowRequest('{"dataframe_records": [{"a": {"k": 2.0}}]}', "application/json");
    const copy = copyPredictRequest(request);
    expect(adaptInput(copy.input, [])[0]?.jsonData).toEqual([{ json: '{"k":2.0}' }]);
  });

  it("reads a dataframe_split whose flat data opens with an object as records, as pandas does", () => {
    const request = mlflowRequest(
      '{"dataframe_split": {"columns": ["a"], "data": [{"k": 1}]}}',
      "application/json",
    );
    expect(request.input).toMatchObject({ kind: "frame", columns: ["a"], rows: [[null]], absentKeys: [[0]] });
  });
});

describe("nested cells for a model that declares its inputs", () => {
  const signature = (type: "string" | "double"): ModelSignature => ({
    kind: "columns",
    inputs: [{ name: "a", type, required: true }],
  });
  const bodies = [
    '{"dataframe_records": [{"a": {"k": 1}}]}',
    '{"instances": [{"a": {"k": 1}}]}',
    '{"dataframe_split": {"columns": ["a"], "data": [[[1, 2]]]}}',
  ];

  // mlflow 3.17.2 casts `instances` records with numpy while parsing, and DataFrame columns with pandas'
  // `astype` in its schema enforcement: each refuses a dict or a list for a double in its own words.
  const doubleRefusal = (type: "string" | "double", body: string): unknown => {
    if (type === "string") return expect.stringMatching(/^row 0 column 'a' is /);
    if (body.startsWith('{"instances"')) {
      return "Invalid input. float() argument must be a string or a real number, not 'dict'";
    }
    const cause = body.includes('"k"')
      ? `TypeError("float() argument must be a string or a real number, not 'dict'")`
      : "ValueError('setting an array element with a sequence.')";
    return `Invalid input. Data is not compatible with model signature. Failed to convert column a to type 'float64'. Error: '${cause}'`;
  };

  it.each(bodies)("refuses %s with a 400 naming the column", (body) => {
    const input = () => mlflowRequest(body, "application/json", { typedInputs: true }).input;
    for (const type of ["string", "double"] as const) {
      const error = thrownError(() =>
        adaptInput(input(), signatureInputSpecs(signature(type)), signature(type)),
      );
      expect([error.httpStatus, error.message]).toEqual([400, doubleRefusal(type, body)]);
    }
    const onnx = thrownError(() => adaptInput(input(), [{ name: "x", datatype: "FP32", shape: [-1, 1] }]));
    expect([onnx.httpStatus, onnx.message]).toEqual([400, expect.stringMatching(/^(input 'x' )?row 0 /)]);
  });
});
