/**
 * MLflow `inputs` and `instances` lists under a tensor signature that names its inputs: what mlflow 3.17.2's scoring
 * server answered for each body, serving ONNX Identity (input x: float32 [-1, 2]) and Add (a, b: float32 [-1, 2])
 * graphs logged with tensor-spec signatures, is recorded here.
 */
import { describe, expect, it } from "vitest";
import { thrownError } from "../../../test/support/thrownError.js";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { copyPredictRequest } from "./predictRequest.js";

const body = (text: string) =>
  mlflowRequest(text, "application/json", { typedInputs: true, textForStringInputs: true });
const enforced = (data: string, schema: string, reason: string): string =>
  `Failed to predict data '${data}'. \nError: Failed to enforce schema of data '${data}' with schema '${schema}'. Error: ${reason}`;

const oneSpecs: TensorSpec[] = [{ name: "x", datatype: "FP32", shape: [-1, 2] }];
const one: ModelSignature = { kind: "tensors", inputs: [{ name: "x", dtype: "float32", shape: [-1, 2] }] };
const oneSchema = "['x': Tensor('float32', (-1, 2))]";
const twoSpecs: TensorSpec[] = [
  { name: "a", datatype: "FP32", shape: [-1, 2] },
  { name: "b", datatype: "FP32", shape: [-1, 2] },
];
const two: ModelSignature = {
  kind: "tensors",
  inputs: [
    { name: "a", dtype: "float32", shape: [-1, 2] },
    { name: "b", dtype: "float32", shape: [-1, 2] },
  ],
};
const twoSchema = "['a': Tensor('float32', (-1, 2)), 'b': Tensor('float32', (-1, 2))]";

function refusal(text: string, specs: TensorSpec[], signature: ModelSignature): Error {
  return thrownError(() => adaptInput(body(text).input, specs, signature));
}

describe("regression: inputs records under a tensor signature were taken as a frame", () => {
  it("answers that the records lack every input, quoting them as MLflow's cast holds them", () => {
    const error = refusal('{"inputs": [{"x": [1.0, 2.0]}, {"x": [3.0, 4.0]}]}', oneSpecs, one);
    const data = "[{'x': array([1., 2.], dtype=float32)}, {'x': array([3., 4.], dtype=float32)}]";
    expect(error.message).toBe(enforced(data, oneSchema, "Model is missing inputs ['x']."));
    expect(error).toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    expect(refusal('{"inputs": [{"x": 1.0}]}', oneSpecs, one).message).toBe(
      enforced("[{'x': array(1., dtype=float32)}]", oneSchema, "Model is missing inputs ['x']."),
    );
    expect(refusal('{"inputs": [{"k": [1.0, 2.0]}]}', oneSpecs, one).message).toBe(
      enforced("[{'k': array([1., 2.])}]", oneSchema, "Model is missing inputs ['x']."),
    );
  });

  it("names every input of a signature of several, whichever the records hold", () => {
    const data = "[{'a': array([1., 2.], dtype=float32), 'b': array([3., 4.], dtype=float32)}]";
    expect(refusal('{"inputs": [{"a": [1.0, 2.0], "b": [3.0, 4.0]}]}', twoSpecs, two).message).toBe(
      enforced(data, twoSchema, "Model is missing inputs ['a', 'b']."),
    );
    expect(refusal('{"inputs": [{"a": [1.0, 2.0]}]}', twoSpecs, two).message).toBe(
      enforced("[{'a': array([1., 2.], dtype=float32)}]", twoSchema, "Model is missing inputs ['a', 'b']."),
    );
  });

  it("still takes instances records, which MLflow makes a dict of arrays", () => {
    const [x] = adaptInput(body('{"instances": [{"x": [1.0, 2.0]}]}').input, oneSpecs, one);
    expect(x).toMatchObject({ name: "x", shape: [1, 2] });
  });

  it("refuses a shadow's copy of the request alike", () => {
    const copy = copyPredictRequest(body('{"inputs": [{"x": [1.0, 2.0]}]}'));
    expect(thrownError(() => adaptInput(copy.input, oneSpecs, one)).message).toContain(
      "Model is missing inputs ['x'].",
    );
  });
});

describe("regression: one unnamed array for a tensor signature of several inputs was split into columns", () => {
  it("answers that it lacks every input, quoting numpy's str of the array cast to the first input's dtype", () => {
    expect(refusal('{"inputs": [[1.0, 2.0]]}', twoSpecs, two).message).toBe(
      enforced("[[1. 2.]]", twoSchema, "Model is missing inputs ['a', 'b']."),
    );
    expect(refusal('{"inputs": [[[1.0, 2.0]], [[3.0, 4.0]]]}', twoSpecs, two).message).toBe(
      enforced("[[[1. 2.]]\n\n [[3. 4.]]]", twoSchema, "Model is missing inputs ['a', 'b']."),
    );
    expect(refusal('{"instances": [[1.0, 2.0]]}', twoSpecs, two).message).toBe(
      enforced("[[1. 2.]]", twoSchema, "Model is missing inputs ['a', 'b']."),
    );
  });
});

describe("regression: a tensor signature's shape mismatch was answered in FlowOps' words", () => {
  const shape = (actual: string): string => `Shape of input ${actual} does not match expected shape (-1, 2).`;

  it("quotes the dict MLflow checks, a single input's list under its name", () => {
    const nested = "{'x': array([[[1., 2.]]], dtype=float32)}";
    expect(refusal('{"inputs": [[[1.0, 2.0]]]}', oneSpecs, one).message).toBe(
      enforced(nested, oneSchema, shape("(1, 1, 2)")),
    );
    expect(refusal('{"instances": [[[1.0, 2.0]]]}', oneSpecs, one).message).toBe(
      enforced(nested, oneSchema, shape("(1, 1, 2)")),
    );
    expect(refusal('{"inputs": {"x": [1.0, 2.0]}}', oneSpecs, one).message).toBe(
      enforced("{'x': array([1., 2.], dtype=float32)}", oneSchema, shape("(2,)")),
    );
    expect(refusal('{"inputs": [[1.0, 2.0, 3.0]]}', oneSpecs, one).message).toBe(
      enforced("{'x': array([[1., 2., 3.]], dtype=float32)}", oneSchema, shape("(1, 3)")),
    );
  });

  it("checks the inputs in the signature's order once none is missing", () => {
    expect(refusal('{"inputs": {"a": [[1.0, 2.0]], "b": [[3.0, 4.0, 5.0]]}}', twoSpecs, two).message).toBe(
      enforced(
        "{'a': array([[1., 2.]], dtype=float32), 'b': array([[3., 4., 5.]], dtype=float32)}",
        twoSchema,
        shape("(1, 3)"),
      ),
    );
    expect(refusal('{"inputs": {"b": 1}}', twoSpecs, two).message).toBe(
      enforced("{'b': array(1., dtype=float32)}", twoSchema, "Model is missing inputs ['a']."),
    );
  });

  it("takes the inputs that fit, as before", () => {
    expect(adaptInput(body('{"inputs": [[1.0, 2.0]]}').input, oneSpecs, one)[0]).toMatchObject({
      shape: [1, 2],
    });
    const both = adaptInput(
      body('{"inputs": {"a": [[1.0, 2.0]], "b": [[3.0, 4.0]], "c": [1]}}').input,
      twoSpecs,
      two,
    );
    expect(both.map((tensor) => tensor.name)).toEqual(["a", "b"]);
  });
});
