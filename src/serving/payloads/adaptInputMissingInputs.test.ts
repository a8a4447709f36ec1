/**
 * Regression tests for MLflow requests lacking a signature's input, without Python: what mlflow 3.17.2's scoring
 * server answered for each body is recorded here; the live comparisons are mlflowPythonMissing*.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const mlflow = (body: unknown) => mlflowRequest(JSON.stringify(body), "application/json").input;

describe("regression: an inputs dict, or a tensor signature's input, missing was answered in FlowOps' words", () => {
  // mlflow 3.17.2's scoring server answered each of these bodies so (see mlflowPythonMissingTensors.test.ts).
  const enforced = (data: string, schema: string, reason: string): string =>
    `Failed to predict data '${data}'. \nError: Failed to enforce schema of data '${data}' with schema '${schema}'. Error: ${reason}`;
  const oneColumn: ModelSignature = {
    kind: "columns",
    inputs: [{ name: "a", type: "double", required: true }],
  };
  const twoTensors: ModelSignature = {
    kind: "tensors",
    inputs: [
      { name: "a", dtype: "float32", shape: [-1, 3] },
      { name: "b", dtype: "int64", shape: [-1] },
    ],
  };
  const tensorSpecs: TensorSpec[] = [
    { name: "a", datatype: "FP32", shape: [-1, 3] },
    { name: "b", datatype: "INT64", shape: [-1] },
  ];

  it("answers an inputs dict lacking a signature column with MLflow's dict of arrays", () => {
    const specs: TensorSpec[] = [{ name: "a", datatype: "FP64", shape: [-1] }];
    expect(thrownError(() => adaptInput(mlflow({ inputs: { k: [1.5, 2] } }), specs, oneColumn)).message).toBe(
      enforced(
        "{'k': array([1.5, 2. ])}",
        "['a': double (required)]",
        "Model is missing inputs ['a']. Note that there were extra inputs: ['k'].",
      ),
    );
  });

  it("answers a tensor signature's missing input, for an inputs dict and for records, with its Tensor repr", () => {
    const schema = "['a': Tensor('float32', (-1, 3)), 'b': Tensor('int64', (-1,))]";
    expect(
      thrownError(() => adaptInput(mlflow({ inputs: { b: [1] } }), tensorSpecs, twoTensors)).message,
    ).toBe(enforced("{'b': array([1])}", schema, "Model is missing inputs ['a']."));
    const records = mlflow({ instances: [{ a: [1, 2, 3] }] });
    expect(thrownError(() => adaptInput(records, tensorSpecs, twoTensors)).message).toBe(
      enforced("{'a': array([[1., 2., 3.]], dtype=float32)}", schema, "Model is missing inputs ['b']."),
    );
    const split = mlflow({ dataframe_split: { columns: ["b"], data: [[1]] } });
    expect(thrownError(() => adaptInput(split, tensorSpecs, twoTensors)).message).toBe(
      enforced("   b\n0  1", schema, "Model is missing inputs ['a']."),
    );
  });

  it("keeps FlowOps' own words for a model without an MLflow signature (an ONNX file's graph inputs)", () => {
    expect(thrownError(() => adaptInput(mlflow({ inputs: { b: [1] } }), tensorSpecs)).message).toBe(
      "missing input 'a'; the model's inputs are: a, b",
    );
  });
});
