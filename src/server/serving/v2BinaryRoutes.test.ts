import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EndpointRegistry } from "../../delivery/routing/endpointRegistry.js";
import type { PredictRequest } from "../../serving/payloads/modelInput.js";
import { endpointRoutes } from "../routes/endpoints.js";
import { loadModel } from "../../serving/loadModel.js";
import { encodeOnnxModel } from "../../serving/onnx/onnxModelWriter.js";
import type { LoadedModel } from "../../serving/runtime.js";
import type { Tensor } from "../../serving/tensor.js";
import { buildServingApp, type ServingApp } from "./servingApp.js";

/**
 * x FP32 [-1,2] -> doubled = x + x; h FP16 [-1,2] -> half = h and half_as_fp32 = float(h). FP16 cannot travel
 * in JSON, so this model needs the binary extension to be called at all.
 */
function halfModelBytes(): Uint8Array {
  return encodeOnnxModel({
    name: "half",
    inputs: [
      { name: "x", datatype: "FP32", shape: [-1, 2] },
      { name: "h", datatype: "FP16", shape: [-1, 2] },
    ],
    outputs: [
      { name: "doubled", datatype: "FP32", shape: [-1, 2] },
      { name: "half", datatype: "FP16", shape: [-1, 2] },
      { name: "half_as_fp32", datatype: "FP32", shape: [-1, 2] },
    ],
    nodes: [
      { opType: "Add", inputs: ["x", "x"], outputs: ["doubled"] },
      { opType: "Identity", inputs: ["h"], outputs: ["half"] },
      { opType: "Cast", inputs: ["h"], outputs: ["half_as_fp32"], attributes: { to: { int: 1 } } },
    ],
  });
}

/** y = 2x over an FP32 [-1, 2] input, in process: the JSON-request cases need no ONNX session. */
function twiceModel(): LoadedModel {
  return {
    name: "twice",
    version: "1",
    platform: "onnx_onnxv1",
    inputs: [{ name: "x", datatype: "FP32", shape: [-1, 2] }],
    outputs: [{ name: "y", datatype: "FP32", shape: [-1, 2] }],
    ready: () => true,
    infer: async (inputs: Tensor[]) => {
      const x = inputs[0] as Tensor;
      const y = (x.data as Float32Array).map((value) => value * 2);
      return [{ name: "y", datatype: "FP32", shape: x.shape, data: y }];
    },
    close: async () => undefined,
  };
}

let work: string;
let model: LoadedModel;
let serving: ServingApp;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowops-v2-binary-"));
  const dir = join(work, "half");
  await mkdir(dir);
  await writeFile(join(dir, "model.onnx"), halfModelBytes());
  model = await loadModel(dir, { workers: 1, executionProviders: "cpu", log: () => undefined });
  serving = await buildServingApp({ models: [model, twiceModel()], logger: false });
});

afterAll(async () => {
  await serving.app.close();
  await rm(work, { recursive: true, force: true });
});

/** 1.5, -2, 0.25, 8 in IEEE half precision, little-endian. */
const HALF_BITS = [0x3e00, 0xc000, 0x3400, 0x4800];
const HALF_VALUES = [1.5, -2, 0.25, 8];

function halfBytes(): Buffer {
  const bytes = Buffer.alloc(8);
  HALF_BITS.forEach((bits, i) => bytes.writeUInt16LE(bits, i * 2));
  return bytes;
}

function floatBytes(values: readonly number[]): Buffer {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes;
}

/** Posts a binary-framed infer request the way tritonclient.http does. */
async function postBinary(header: unknown, binary: Buffer, url = "/v2/models/half/infer") {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  return serving.app.inject({
    method: "POST",
    url,
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(json.length),
    },
    payload: Buffer.concat([json, binary]),
  });
}

function splitResponse(response: { headers: Record<string, unknown>; rawPayload: Buffer }) {
  const headerLength = Number(response.headers["inference-header-content-length"]);
  const header = JSON.parse(response.rawPayload.subarray(0, headerLength).toString("utf8")) as {
    id: string;
    outputs: { name: string; datatype: string; shape: number[]; data?: unknown[]; parameters?: unknown }[];
  };
  return { header, binary: response.rawPayload.subarray(headerLength) };
}

const BINARY_INPUTS = [
  { name: "x", datatype: "FP32", shape: [2, 2], parameters: { binary_data_size: 16 } },
  { name: "h", datatype: "FP16", shape: [2, 2], parameters: { binary_data_size: 8 } },
];

describe("V2 binary tensor data extension", () => {
  it("lists binary_tensor_data among the server's extensions", async () => {
    const response = await serving.app.inject({ url: "/v2" });
    expect(response.json()).toMatchObject({ extensions: ["binary_tensor_data"] });
  });

  it("runs FP16 and FP32 inputs sent as binary and answers every output as binary when asked to", async () => {
    const response = await postBinary(
      { id: "b1", inputs: BINARY_INPUTS, parameters: { binary_data_output: true } },
      Buffer.concat([floatBytes([1, 2, 3, 4]), halfBytes()]),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/octet-stream");
    const { header, binary } = splitResponse(response);
    expect(header.id).toBe("b1");
    expect(header.outputs).toEqual([
      { name: "doubled", datatype: "FP32", shape: [2, 2], parameters: { binary_data_size: 16 } },
      { name: "half", datatype: "FP16", shape: [2, 2], parameters: { binary_data_size: 8 } },
      { name: "half_as_fp32", datatype: "FP32", shape: [2, 2], parameters: { binary_data_size: 16 } },
    ]);
    expect(binary.subarray(0, 16)).toEqual(floatBytes([2, 4, 6, 8]));
    expect(binary.subarray(16, 24)).toEqual(halfBytes());
    expect(binary.subarray(24)).toEqual(floatBytes(HALF_VALUES));
  });

  it("answers only the outputs asked for as binary in binary, the others as JSON", async () => {
    const response = await postBinary(
      {
        inputs: BINARY_INPUTS,
        outputs: [{ name: "half", parameters: { binary_data: true } }, { name: "half_as_fp32" }],
      },
      Buffer.concat([floatBytes([1, 2, 3, 4]), halfBytes()]),
    );
    expect(response.statusCode).toBe(200);
    const { header, binary } = splitResponse(response);
    expect(header.outputs).toEqual([
      { name: "half", datatype: "FP16", shape: [2, 2], parameters: { binary_data_size: 8 } },
      { name: "half_as_fp32", datatype: "FP32", shape: [2, 2], data: HALF_VALUES },
    ]);
    expect(binary).toEqual(halfBytes());
  });

  it("answers a binary request that asks for no binary output with plain JSON", async () => {
    const response = await postBinary(
      { inputs: BINARY_INPUTS, outputs: [{ name: "doubled" }] },
      Buffer.concat([floatBytes([1, 2, 3, 4]), halfBytes()]),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers["inference-header-content-length"]).toBeUndefined();
    expect(response.json()).toMatchObject({
      model_name: "half",
      outputs: [{ name: "doubled", datatype: "FP32", shape: [2, 2], data: [2, 4, 6, 8] }],
    });
  });

  // Regression: an output named twice in `outputs` came back twice. Triton keeps requested outputs in a set.
  it("answers an output the request names twice once, with the binary choice either entry made", async () => {
    const response = await postBinary(
      {
        inputs: BINARY_INPUTS,
        outputs: [
          { name: "half_as_fp32" },
          { name: "half", parameters: { binary_data: true } },
          { name: "half_as_fp32" },
          { name: "half" },
        ],
      },
      Buffer.concat([floatBytes([1, 2, 3, 4]), halfBytes()]),
    );
    expect(response.statusCode).toBe(200);
    const { header, binary } = splitResponse(response);
    expect(header.outputs).toEqual([
      { name: "half_as_fp32", datatype: "FP32", shape: [2, 2], data: HALF_VALUES },
      { name: "half", datatype: "FP16", shape: [2, 2], parameters: { binary_data_size: 8 } },
    ]);
    expect(binary).toEqual(halfBytes());
  });

  it("refuses an output named twice with contradicting binary_data choices, naming both entries", async () => {
    const response = await postBinary(
      {
        inputs: BINARY_INPUTS,
        outputs: [
          { name: "half", parameters: { binary_data: true } },
          { name: "half", parameters: { binary_data: false } },
        ],
      },
      Buffer.concat([floatBytes([1, 2, 3, 4]), halfBytes()]),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe(
      "outputs[1] 'half': parameters.binary_data false contradicts outputs[0], which asks for output 'half' " +
        "with binary_data true; request each output once",
    );
  });

  it("answers a JSON request that asks for binary outputs in binary, as tritonclient does by default", async () => {
    const response = await serving.app.inject({
      method: "POST",
      url: "/v2/models/twice/infer",
      payload: {
        inputs: [{ name: "x", datatype: "FP32", shape: [1, 2], data: [0.5, 1] }],
        parameters: { binary_data_output: true },
      },
    });
    expect(response.statusCode).toBe(200);
    const { header, binary } = splitResponse(response);
    expect(header.outputs).toEqual([
      { name: "y", datatype: "FP32", shape: [1, 2], parameters: { binary_data_size: 8 } },
    ]);
    expect(binary).toEqual(floatBytes([1, 2]));
  });

  it("keeps answering plain JSON requests with JSON", async () => {
    const response = await serving.app.inject({
      method: "POST",
      url: "/v2/models/twice/infer",
      payload: { inputs: [{ name: "x", datatype: "FP32", shape: [1, 2], data: [0.5, 1] }] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject({ outputs: [{ name: "y", data: [1, 2] }] });
  });

  it("refuses binary_data_size in a request without the header length", async () => {
    const response = await serving.app.inject({
      method: "POST",
      url: "/v2/models/twice/infer",
      payload: { inputs: [{ ...BINARY_INPUTS[0], shape: [1, 2], parameters: { binary_data_size: 8 } }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: expect.stringMatching(
        /^inputs\[0\] 'x': binary tensor data is not supported in a plain JSON body/,
      ) as unknown,
    });
  });

  it("rejects a binary_data_size that does not fit the input's shape with a 400 naming the input", async () => {
    const response = await postBinary(
      {
        inputs: [
          { name: "x", datatype: "FP32", shape: [2, 2], parameters: { binary_data_size: 12 } },
          BINARY_INPUTS[1],
        ],
      },
      Buffer.concat([floatBytes([1, 2, 3]), halfBytes()]),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: "inputs[0] 'x': shape [2,2] of FP32 needs 16 bytes but binary_data_size is 12",
    });
  });

  it("rejects a header length beyond the body with a 400, whatever the content type", async () => {
    const response = await serving.app.inject({
      method: "POST",
      url: "/v2/models/half/infer",
      headers: { "content-type": "application/json", "inference-header-content-length": "500" },
      payload: '{"inputs": []}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: expect.stringMatching(/^Inference-Header-Content-Length is 500/) as unknown,
    });
  });

  it("counts a rejected binary request in the request metrics like any other", async () => {
    await postBinary({ inputs: BINARY_INPUTS }, Buffer.alloc(3));
    const metrics = await serving.app.inject({ url: "/metrics" });
    expect(metrics.body).toMatch(/model="half",version="[^"]*",protocol="v2",code="400"/);
  });
});

describe("V2 binary tensor data on the delivery data plane", () => {
  it("parses a binary request and answers binary outputs on an endpoint", async () => {
    const twice = twiceModel();
    const seen: PredictRequest[] = [];
    const infer: EndpointRegistry["infer"] = async (_endpoint, request) => {
      seen.push(request);
      const inputs = request.input.kind === "tensors" ? request.input.tensors : [];
      const outputs = await twice.infer(inputs);
      return { outputs, model: twice, modelKey: "twice/1", variant: "stable" };
    };
    const app = Fastify({ logger: false });
    await app.register(async (scope) => endpointRoutes(scope, { registry: { infer }, bodyLimit: 1024 }));
    try {
      const header = Buffer.from(
        JSON.stringify({
          inputs: [{ name: "x", datatype: "FP32", shape: [1, 2], parameters: { binary_data_size: 8 } }],
          outputs: [{ name: "y", parameters: { binary_data: true } }],
        }),
      );
      const response = await app.inject({
        method: "POST",
        url: "/v2/models/churn/infer",
        headers: { "inference-header-content-length": String(header.length) },
        payload: Buffer.concat([header, floatBytes([3, 4])]),
      });
      expect(response.statusCode).toBe(200);
      const { header: answer, binary } = splitResponse(response);
      expect(answer).toMatchObject({ model_name: "churn", model_version: "1" });
      expect(binary).toEqual(floatBytes([6, 8]));
      expect(seen[0]?.input).toEqual({
        kind: "tensors",
        tensors: [{ name: "x", datatype: "FP32", shape: [1, 2], data: new Float32Array([3, 4]) }],
      });
    } finally {
      await app.close();
    }
  });
});
