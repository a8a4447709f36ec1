import { describe, expect, it } from "vitest";
import type { LoadedModel } from "../../serving/runtime.js";
import type { ModelSignature } from "../../serving/signature.js";
import type { Tensor, TensorSpec } from "../../serving/tensor.js";
import { requestFeatures } from "./requestFeatures.js";

function model(inputs: TensorSpec[], signature?: ModelSignature): LoadedModel {
  return {
    name: "m",
    version: "1",
    platform: "onnx_onnxv1",
    inputs,
    outputs: [],
    ...(signature === undefined ? {} : { signature }),
    ready: () => true,
    infer: async () => [],
    close: async () => undefined,
  };
}

const scores: Tensor = {
  name: "p",
  datatype: "FP32",
  shape: [2, 3],
  data: Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.3, 0.2]),
};

describe("requestFeatures", () => {
  it("names the columns of a stacked frame after the signature's columns and adds the predicted class", () => {
    const signature: ModelSignature = {
      kind: "columns",
      inputs: [
        { name: "age", type: "double", required: true },
        { name: "income", type: "double", required: true },
      ],
    };
    const features = requestFeatures(
      model([{ name: "x", datatype: "FP64", shape: [-1, 2] }], signature),
      {
        input: {
          kind: "frame",
          columns: ["age", "income"],
          rows: [
            [30, 1000],
            [40, 2000],
          ],
        },
      },
      [scores],
    );
    expect(features?.rows).toBe(2);
    expect([...(features?.columns.keys() ?? [])]).toEqual(["age", "income", "prediction"]);
    expect(Array.from(features?.columns.get("income") as Float64Array)).toEqual([1000, 2000]);
    expect(Array.from(features?.columns.get("prediction") as Float64Array)).toEqual([1, 0]);
  });

  it("numbers the columns of an unnamed 2-D tensor after the input and gives text inputs as labels", () => {
    const features = requestFeatures(
      model([
        { name: "x", datatype: "INT64", shape: [-1, 2] },
        { name: "plan", datatype: "BYTES", shape: [-1] },
      ]),
      {
        input: {
          kind: "tensors",
          tensors: [
            { name: "x", datatype: "INT64", shape: [2, 2], data: BigInt64Array.from([1n, 2n, 3n, 4n]) },
            { name: "plan", datatype: "BYTES", shape: [2], data: ["basic", "pro"] },
          ],
        },
      },
      undefined,
    );
    expect(
      Object.fromEntries(
        [...(features?.columns ?? [])].map(([name, values]) => [
          name,
          Array.from(values as ArrayLike<unknown>),
        ]),
      ),
    ).toEqual({
      x_0: [1, 3],
      x_1: [2, 4],
      plan: ["basic", "pro"],
    });
  });

  it("leaves out image-shaped inputs, which have no per-feature meaning", () => {
    const image: Tensor = { name: "img", datatype: "FP32", shape: [1, 2, 2], data: new Float32Array(4) };
    expect(
      requestFeatures(
        model([{ name: "img", datatype: "FP32", shape: [-1, 2, 2] }]),
        { input: { kind: "tensors", tensors: [image] } },
        undefined,
      ),
    ).toBeUndefined();
  });
});
