import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { encodeOnnxModel, mlpOnnx, type MlpWeights } from "./onnxModelWriter.js";
import { ProtobufWriter } from "./protobufWriter.js";

/** The MLP's forward pass in float64, written out by hand: relu(x·w1 + b1)·w2 + b2, softmax, argmax. */
function forward(
  weights: MlpWeights,
  x: readonly number[],
  sizes: { inputs: number; hidden: number; outputs: number },
) {
  const hidden = Array.from({ length: sizes.hidden }, (_, j) => {
    let sum = weights.b1[j]!;
    for (let i = 0; i < sizes.inputs; i++) sum += x[i]! * weights.w1[i * sizes.hidden + j]!;
    return Math.max(0, sum);
  });
  const logits = Array.from({ length: sizes.outputs }, (_, k) => {
    let sum = weights.b2[k]!;
    for (let j = 0; j < sizes.hidden; j++) sum += hidden[j]! * weights.w2[j * sizes.outputs + k]!;
    return sum;
  });
  const top = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - top));
  const total = exps.reduce((a, b) => a + b, 0);
  const probabilities = exps.map((e) => e / total);
  return { probabilities, label: probabilities.indexOf(Math.max(...probabilities)) };
}

describe("ProtobufWriter", () => {
  it("encodes varints as the protobuf documentation's example does", () => {
    expect([...new ProtobufWriter().varint(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
  });

  it("encodes a negative int64 in ten bytes of two's complement", () => {
    const bytes = new ProtobufWriter().varint(1, -1).finish();
    expect([...bytes]).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it("prefixes strings and nested messages with their byte length", () => {
    const bytes = new ProtobufWriter().message(2, (inner) => inner.string(1, "hé")).finish();
    expect([...bytes]).toEqual([0x12, 0x05, 0x0a, 0x03, 0x68, 0xc3, 0xa9]);
  });
});

describe("mlpOnnx", () => {
  const sizes = { inputs: 16, hidden: 32, outputs: 3 };

  it("builds a model that onnxruntime runs to the hand-computed probabilities and labels", async () => {
    const { bytes, weights } = mlpOnnx({ ...sizes, seed: 7 });
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(["input"]);
    expect(session.outputNames).toEqual(["probabilities", "label"]);
    const rows = [0, 1, 2, 3].map((row) => Array.from({ length: 16 }, (_, i) => Math.sin(row * 16 + i) * 2));
    const result = await session.run({
      input: new ort.Tensor("float32", Float32Array.from(rows.flat()), [4, 16]),
    });
    const probabilities = result["probabilities"]!.data as Float32Array;
    const labels = result["label"]!.data as BigInt64Array;
    expect(labels).toBeInstanceOf(BigInt64Array);
    rows.forEach((row, r) => {
      const expected = forward(weights, Array.from(Float32Array.from(row)), sizes);
      expected.probabilities.forEach((p, k) => expect(probabilities[r * 3 + k]).toBeCloseTo(p, 5));
      expect(labels[r]).toBe(BigInt(expected.label));
    });
    await session.release();
  });

  it("gives the same weights for the same seed and different ones for another seed", () => {
    const a = mlpOnnx({ ...sizes, seed: 3 });
    expect(mlpOnnx({ ...sizes, seed: 3 }).bytes).toEqual(a.bytes);
    expect(mlpOnnx({ ...sizes, seed: 4 }).weights.w1).not.toEqual(a.weights.w1);
  });

  it("uses the weights it is given", async () => {
    const weights: MlpWeights = {
      w1: Float32Array.from([1, 0, 0, 1]),
      b1: Float32Array.from([0, 0]),
      w2: Float32Array.from([1, 0, 0, 1]),
      b2: Float32Array.from([0, 0]),
    };
    const { bytes } = mlpOnnx({ inputs: 2, hidden: 2, outputs: 2, weights });
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({
      input: new ort.Tensor("float32", Float32Array.from([0, 5, 3, -1]), [2, 2]),
    });
    expect([...(result["label"]!.data as BigInt64Array)]).toEqual([1n, 0n]);
    await session.release();
  });

  it("rejects weights of the wrong length, naming the array", () => {
    const weights: MlpWeights = {
      w1: new Float32Array(3),
      b1: new Float32Array(2),
      w2: new Float32Array(4),
      b2: new Float32Array(2),
    };
    expect(() => mlpOnnx({ inputs: 2, hidden: 2, outputs: 2, weights })).toThrow(
      /weights\.w1 has 3 values, expected 4/,
    );
  });
});

describe("encodeOnnxModel", () => {
  it("writes float, ints and int attributes that onnxruntime honours", async () => {
    const bytes = encodeOnnxModel({
      name: "attributes",
      inputs: [{ name: "x", datatype: "FP32", shape: [2, 3] }],
      outputs: [{ name: "y", datatype: "FP32", shape: [3, 2] }],
      nodes: [
        { opType: "LeakyRelu", inputs: ["x"], outputs: ["leaky"], attributes: { alpha: { float: 0.5 } } },
        { opType: "Transpose", inputs: ["leaky"], outputs: ["y"], attributes: { perm: { ints: [1, 0] } } },
      ],
    });
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({
      x: new ort.Tensor("float32", Float32Array.from([1, -2, 3, -4, 5, -6]), [2, 3]),
    });
    expect(result["y"]!.dims).toEqual([3, 2]);
    expect([...(result["y"]!.data as Float32Array)]).toEqual([1, -2, -1, 5, 3, -3]);
    await session.release();
  });

  it("writes INT64 initializers, including negative values", async () => {
    const bytes = encodeOnnxModel({
      name: "int64",
      inputs: [{ name: "x", datatype: "INT64", shape: [-1, 2] }],
      outputs: [{ name: "y", datatype: "INT64", shape: [-1, 2] }],
      initializers: [{ name: "offset", dims: [2], data: BigInt64Array.from([-5n, 2n ** 40n]) }],
      nodes: [{ opType: "Add", inputs: ["x", "offset"], outputs: ["y"] }],
    });
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({ x: new ort.Tensor("int64", BigInt64Array.from([1n, 1n]), [1, 2]) });
    expect([...(result["y"]!.data as BigInt64Array)]).toEqual([-4n, 2n ** 40n + 1n]);
    await session.release();
  });
});
