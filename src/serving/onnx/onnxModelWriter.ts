/**
 * Writes ONNX models (ModelProto, IR 8, opset 17) from a plain description: nodes with int/float/ints/floats/
 * string attributes, FLOAT and INT64 initializers, graph inputs and outputs with fixed or symbolic dims. Enough
 * for small dense models (Gemm/MatMul/Add/Relu/Sigmoid/Softmax/ArgMax/Identity/Cast), so tests, benches and the
 * quickstart can export models trained in TypeScript without Python. Field numbers follow onnx/onnx.proto.
 * `mlpOnnx` builds a small seeded MLP classifier with it.
 */
import type { Datatype } from "../tensor.js";
import { ProtobufWriter } from "./protobufWriter.js";
import { mulberry32 } from "../../seededRandom.js";

export type OnnxAttributeValue =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Readonly<Record<string, OnnxAttributeValue>>;
}

export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A graph input or output; -1 or a string in `shape` is a symbolic dim (-1 is written as "batch"). */
export interface OnnxValueInfo {
  name: string;
  datatype: Datatype;
  shape: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers?: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModelOptions {
  producerName?: string;
  opsetVersion?: number;
  irVersion?: number;
  metadata?: Readonly<Record<string, string>>;
}

/** TensorProto.DataType values, keyed by the KServe V2 datatype names FlowOps uses everywhere. */
const ELEM_TYPE: Record<Datatype, number> = {
  FP32: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  BYTES: 8,
  BOOL: 9,
  FP16: 10,
  FP64: 11,
  UINT32: 12,
  UINT64: 13,
};

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** Serializes a model; the bytes load in onnxruntime as they are. */
export function encodeOnnxModel(graph: OnnxGraph, options: OnnxModelOptions = {}): Uint8Array {
  const model = new ProtobufWriter();
  model.varint(1, options.irVersion ?? 8);
  model.string(2, options.producerName ?? "flowops");
  model.message(7, (out) => writeGraph(out, graph));
  model.message(8, (opset) => opset.string(1, "").varint(2, options.opsetVersion ?? 17));
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    model.message(14, (entry) => entry.string(1, key).string(2, value));
  }
  return model.finish();
}

function writeGraph(out: ProtobufWriter, graph: OnnxGraph): void {
  graph.nodes.forEach((node, index) => out.message(1, (nodeOut) => writeNode(nodeOut, node, index)));
  out.string(2, graph.name);
  for (const initializer of graph.initializers ?? []) {
    out.message(5, (tensor) => writeInitializer(tensor, initializer));
  }
  for (const input of graph.inputs) out.message(11, (value) => writeValueInfo(value, input));
  for (const output of graph.outputs) out.message(12, (value) => writeValueInfo(value, output));
}

function writeNode(out: ProtobufWriter, node: OnnxNode, index: number): void {
  for (const input of node.inputs) out.string(1, input);
  for (const output of node.outputs) out.string(2, output);
  out.string(3, node.name ?? `${node.opType}_${index}`);
  out.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    out.message(5, (attribute) => writeAttribute(attribute, name, value));
  }
}

function writeAttribute(out: ProtobufWriter, name: string, value: OnnxAttributeValue): void {
  out.string(1, name);
  if ("int" in value) out.varint(20, ATTRIBUTE_TYPE.INT).varint(3, value.int);
  else if ("float" in value) out.varint(20, ATTRIBUTE_TYPE.FLOAT).float(2, value.float);
  else if ("ints" in value) out.varint(20, ATTRIBUTE_TYPE.INTS).packedVarints(8, value.ints);
  else if ("floats" in value) out.varint(20, ATTRIBUTE_TYPE.FLOATS).packedFloats(7, value.floats);
  else out.varint(20, ATTRIBUTE_TYPE.STRING).string(4, value.string);
}

function writeInitializer(out: ProtobufWriter, initializer: OnnxInitializer): void {
  out.packedVarints(1, initializer.dims);
  if (initializer.data instanceof Float32Array) {
    out.varint(2, ELEM_TYPE.FP32).packedFloats(4, initializer.data);
  } else {
    out.varint(2, ELEM_TYPE.INT64).packedVarints(7, initializer.data);
  }
  out.string(8, initializer.name);
}

function writeValueInfo(out: ProtobufWriter, value: OnnxValueInfo): void {
  out.string(1, value.name);
  out.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.varint(1, ELEM_TYPE[value.datatype]);
      tensorType.message(2, (shape) => {
        for (const dim of value.shape) {
          shape.message(1, (dimension) => {
            if (typeof dim === "string") dimension.string(2, dim);
            else if (dim < 0) dimension.string(2, "batch");
            else dimension.varint(1, dim);
          });
        }
      });
    }),
  );
}

/** Row-major weights of a one-hidden-layer MLP: hidden = relu(x·w1 + b1), logits = hidden·w2 + b2. */
export interface MlpWeights {
  w1: Float32Array; // [inputs, hidden]
  b1: Float32Array; // [hidden]
  w2: Float32Array; // [hidden, outputs]
  b2: Float32Array; // [outputs]
}

export interface MlpOnnxOptions {
  inputs: number;
  hidden: number;
  outputs: number;
  /** Seeds the random weights (ignored when `weights` is given). */
  seed?: number;
  weights?: MlpWeights;
  inputName?: string;
}

/**
 * A classifier: input `<inputName>` FP32 [batch, inputs] -> `probabilities` FP32 [batch, outputs] (softmax) and
 * `label` INT64 [batch] (argmax). Returns the model bytes and the weights it holds.
 */
export function mlpOnnx(options: MlpOnnxOptions): { bytes: Uint8Array; weights: MlpWeights } {
  const { inputs, hidden, outputs } = options;
  const weights = options.weights ?? randomMlpWeights(inputs, hidden, outputs, options.seed ?? 1);
  checkLength("w1", weights.w1, inputs * hidden);
  checkLength("b1", weights.b1, hidden);
  checkLength("w2", weights.w2, hidden * outputs);
  checkLength("b2", weights.b2, outputs);
  const input = options.inputName ?? "input";
  const graph: OnnxGraph = {
    name: "mlp",
    inputs: [{ name: input, datatype: "FP32", shape: [-1, inputs] }],
    outputs: [
      { name: "probabilities", datatype: "FP32", shape: [-1, outputs] },
      { name: "label", datatype: "INT64", shape: [-1] },
    ],
    initializers: [
      { name: "w1", dims: [inputs, hidden], data: weights.w1 },
      { name: "b1", dims: [hidden], data: weights.b1 },
      { name: "w2", dims: [hidden, outputs], data: weights.w2 },
      { name: "b2", dims: [outputs], data: weights.b2 },
    ],
    nodes: [
      { opType: "Gemm", inputs: [input, "w1", "b1"], outputs: ["hidden_linear"] },
      { opType: "Relu", inputs: ["hidden_linear"], outputs: ["hidden"] },
      { opType: "Gemm", inputs: ["hidden", "w2", "b2"], outputs: ["logits"] },
      { opType: "Softmax", inputs: ["logits"], outputs: ["probabilities"], attributes: { axis: { int: 1 } } },
      {
        opType: "ArgMax",
        inputs: ["probabilities"],
        outputs: ["label"],
        attributes: { axis: { int: 1 }, keepdims: { int: 0 } },
      },
    ],
  };
  return { bytes: encodeOnnxModel(graph), weights };
}

function checkLength(name: string, values: Float32Array, expected: number): void {
  if (values.length !== expected) {
    throw new RangeError(`mlpOnnx: weights.${name} has ${values.length} values, expected ${expected}`);
  }
}

/** Uniform weights in ±sqrt(6 / (fan_in + fan_out)) (Glorot) from a seeded mulberry32 stream. */
function randomMlpWeights(inputs: number, hidden: number, outputs: number, seed: number): MlpWeights {
  const next = mulberry32(seed);
  const uniform = (count: number, limit: number): Float32Array =>
    Float32Array.from({ length: count }, () => (next() * 2 - 1) * limit);
  return {
    w1: uniform(inputs * hidden, Math.sqrt(6 / (inputs + hidden))),
    b1: uniform(hidden, 0.1),
    w2: uniform(hidden * outputs, Math.sqrt(6 / (hidden + outputs))),
    b2: uniform(outputs, 0.1),
  };
}
