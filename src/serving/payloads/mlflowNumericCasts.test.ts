/**
 * Regression: MLflow's parsing casts `inputs` and `instances` values to a float or int signature with numpy
 * (convert_data_type), which FlowOps refused in its own words: text numbers for a float input ("mixes strings with
 * numbers"), fractions for an int input ("expected an integer that fits INT32"), and int refusals worded its own
 * way. Expected answers are mlflow 3.17.2's scoring_server.invocations (numpy 2.4) for ONNX Identity graphs of
 * tensor(float), tensor(int32) and tensor(int64) input x, ([-1, 1] under a column signature, [-1] under a tensor one).
 */
import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import type { Datatype, TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const column = (type: "float" | "integer" | "long"): ModelSignature => ({
  kind: "columns",
  inputs: [{ name: "x", type, required: true }],
});
const tensor = (dtype: "float32" | "int32" | "int64"): ModelSignature => ({
  kind: "tensors",
  inputs: [{ name: "x", dtype, shape: [-1] }],
});
const spec = (datatype: Datatype, shape: number[]): TensorSpec[] => [{ name: "x", datatype, shape }];
const MODELS: Record<"float" | "int32" | "int64", [TensorSpec[], ModelSignature][]> = {
  float: [
    [spec("FP32", [-1, 1]), column("float")],
    [spec("FP32", [-1]), tensor("float32")],
  ],
  int32: [
    [spec("INT32", [-1, 1]), column("integer")],
    [spec("INT32", [-1]), tensor("int32")],
  ],
  int64: [
    [spec("INT64", [-1, 1]), column("long")],
    [spec("INT64", [-1]), tensor("int64")],
  ],
};

const adapted = (body: string, specs: readonly TensorSpec[], signature: ModelSignature) =>
  adaptInput(
    mlflowRequest(body, "application/json", { typedInputs: true, textForStringInputs: true }).input,
    specs,
    signature,
  );
/** The values the model gets, under both signatures alike. */
const fed = (body: string, dtype: keyof typeof MODELS) =>
  MODELS[dtype].map(([specs, signature]) =>
    Array.from((adapted(body, specs, signature)[0]?.data ?? []) as ArrayLike<unknown>),
  );
const refusals = (body: string, dtype: keyof typeof MODELS) =>
  MODELS[dtype].map(([specs, signature]) => {
    const error = thrownError(() => adapted(body, specs, signature));
    return { code: (error as { code?: string }).code, message: error.message };
  });
const invalid = (message: string) => ({ code: "BAD_REQUEST", message: `Invalid input. ${message}` });

describe("text numbers for a float input", () => {
  it.each([
    '{"inputs": {"x": ["1.5", 2]}}',
    '{"instances": {"x": ["1.5", 2]}}',
    '{"inputs": ["1.5", 2]}',
    '{"instances": ["1.5", 2]}',
  ])("%s is cast as MLflow casts it", (body) => {
    expect(fed(body, "float")).toEqual([
      [1.5, 2],
      [1.5, 2],
    ]);
  });

  it("reads text as Python's float() does", () => {
    const [columns] = fed(
      '{"inputs": {"x": [" 1.5", "1e3", "inf", "-Infinity", "nan", "1_0", null]}}',
      "float",
    );
    expect(columns).toEqual([1.5, 1000, Infinity, -Infinity, NaN, 10, NaN]);
  });
});

describe("values for an int input", () => {
  it("truncates fractions and parses int literals, as numpy's int cast does", () => {
    const body = '{"inputs": {"x": [1.5, -1.7, "7", " 8 ", "+9", "1_0", true, 2.0]}}';
    expect(fed(body, "int32")).toEqual([
      [1, -1, 7, 8, 9, 10, 1, 2],
      [1, -1, 7, 8, 9, 10, 1, 2],
    ]);
    expect(fed(body, "int64")).toEqual([
      [1, -1, 7, 8, 9, 10, 1, 2].map(BigInt),
      [1, -1, 7, 8, 9, 10, 1, 2].map(BigInt),
    ]);
    expect(fed('{"instances": [2147483647.9, "3000000000"]}', "int64")[1]).toEqual([
      2147483647n,
      3000000000n,
    ]);
  });

  it.each([
    ['{"inputs": {"x": ["1.5"]}}', "invalid literal for int() with base 10: '1.5'"],
    ['{"inputs": {"x": ["1e3"]}}', "invalid literal for int() with base 10: '1e3'"],
    ['{"instances": {"x": [1, "a"]}}', "invalid literal for int() with base 10: 'a'"],
    [
      '{"inputs": [null, 1]}',
      "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'",
    ],
    ['{"inputs": {"x": [1e20]}}', "Python int too large to convert to C long"],
    ['{"inputs": {"x": [9223372036854775808]}}', "Python int too large to convert to C long"],
    ['{"inputs": {"x": [NaN]}}', "cannot convert float NaN to integer"],
    ['{"inputs": {"x": [-Infinity]}}', "cannot convert float infinity to integer"],
  ])("%s is refused with numpy's message under column and tensor signatures", (body, message) => {
    expect(refusals(body, "int32")).toEqual([invalid(message), invalid(message)]);
    expect(refusals(body, "int64")).toEqual([invalid(message), invalid(message)]);
  });

  it("refuses what int32 cannot hold but int64 can", () => {
    for (const body of [
      '{"inputs": {"x": [2147483648]}}',
      '{"instances": [3e9]}',
      '{"inputs": ["-2147483649"]}',
    ]) {
      const value = body.includes("3e9") ? 3000000000 : body.includes("-") ? -2147483649 : 2147483648;
      const message = invalid(`Python integer ${value} out of bounds for int32`);
      expect(refusals(body, "int32")).toEqual([message, message]);
      expect(fed(body, "int64")[1]).toEqual([BigInt(value)]);
    }
  });

  it("refuses the first leaf numpy cannot cast", () => {
    expect(refusals('{"inputs": {"x": [2147483648, "a"]}}', "int32")[0]).toEqual(
      invalid("Python integer 2147483648 out of bounds for int32"),
    );
    expect(refusals('{"inputs": {"x": [2147483648, "a"]}}', "int64")[0]).toEqual(
      invalid("invalid literal for int() with base 10: 'a'"),
    );
    expect(refusals('{"inputs": {"x": [[1, "a"], [null, 2]]}}', "int64")[1]).toEqual(
      invalid("invalid literal for int() with base 10: 'a'"),
    );
  });

  it("refuses `inputs` and `instances` records' values with the same messages", () => {
    const none = invalid(
      "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'",
    );
    expect(refusals('{"inputs": [{"x": 1}, {"x": null}]}', "int32")).toEqual([none, none]);
    expect(refusals('{"instances": [{"x": 1}, {"x": null}]}', "int32")).toEqual([none, none]);
    expect(refusals('{"inputs": [{"x": "a"}]}', "float")[0]).toEqual(
      invalid("could not convert string to float: 'a'"),
    );
  });
});

describe("instances records with a later value that is no dict", () => {
  const attributeError = (type: string) =>
    invalid(
      "Ensure that the input is a valid JSON-formatted string.\n" +
        `Error: AttributeError("'${type}' object has no attribute 'items'")`,
    );

  it.each([
    ['{"instances": [{"k": 1}, 2.0]}', "float"],
    ['{"instances": [{"k": 1}, 2]}', "int"],
    ['{"instances": [{"k": 1}, "a", 2]}', "str"],
    ['{"instances": [{"k": 1}, [1]]}', "list"],
    ['{"instances": [{"k": 1}, null]}', "NoneType"],
    ['{"instances": [{"k": 1}, true]}', "bool"],
  ])("%s is refused with the AttributeError MLflow's parsing raises", (body, type) => {
    expect(refusals(body, "float")).toEqual([attributeError(type), attributeError(type)]);
    const untyped = thrownError(() =>
      adaptInput(mlflowRequest(body, "application/json").input, spec("BYTES", [-1]), undefined),
    );
    expect(untyped.message).toBe(attributeError(type).message);
  });

  it("refuses an earlier record's cast first", () => {
    expect(refusals('{"instances": [{"x": "a"}, 2.0]}', "int32")[1]).toEqual(
      invalid("invalid literal for int() with base 10: 'a'"),
    );
  });
});

describe("text or objects for a numeric input of a model without a signature", () => {
  const unexpected = {
    code: "BAD_REQUEST",
    message:
      "Encountered an unexpected error while evaluating the model. Verify that the serialized input Dataframe " +
      "is compatible with the model for inference.",
  };
  const untyped = (body: string, specs: TensorSpec[]) => {
    const error = thrownError(() =>
      adaptInput(
        mlflowRequest(body, "application/json", { typedInputs: true, textForStringInputs: true }).input,
        specs,
        undefined,
      ),
    );
    return { code: (error as { code?: string }).code, message: error.message };
  };

  it.each([
    '{"inputs": {"x": ["1.5", 2]}}',
    '{"inputs": {"x": [{"k": 1}, 2.0]}}',
    '{"inputs": [{"k": 1}, 2.0]}',
    '{"instances": ["a"]}',
    '{"inputs": {"x": ["1", 2]}}',
  ])("%s gets MLflow's answer to onnxruntime's refusal", (body) => {
    expect(untyped(body, spec("FP32", [-1]))).toEqual(unexpected);
    expect(untyped(body, spec("INT64", [-1]))).toEqual(unexpected);
  });

  it("still feeds a string input the text", () => {
    const body = '{"inputs": {"x": ["a", 2]}}';
    const request = mlflowRequest(body, "application/json", { typedInputs: true, textForStringInputs: true });
    expect(adaptInput(request.input, spec("BYTES", [-1]), undefined)[0]?.data).toEqual(["a", "2"]);
  });
});
