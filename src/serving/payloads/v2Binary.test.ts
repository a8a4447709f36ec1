import { describe, expect, it } from "vitest";
import { thrownError } from "../../../test/support/thrownError.js";
import type { Datatype, Tensor } from "../tensor.js";
import { tensorBytes, v2BinaryRequest, v2EncodedResponse, v2InferRequest, V2BinaryBody } from "./v2Binary.js";
import type { V2Request } from "./v2Payload.js";

/** A body as tritonclient frames it: the JSON header, then each input's bytes; returns it with the header length. */
function framed(header: unknown, ...chunks: Uint8Array[]): { bytes: Buffer; headerLength: string } {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  return { bytes: Buffer.concat([json, ...chunks]), headerLength: String(json.length) };
}

function parse(header: unknown, ...chunks: Uint8Array[]): V2Request {
  const { bytes, headerLength } = framed(header, ...chunks);
  return v2BinaryRequest(bytes, headerLength);
}

function littleEndian(
  values: readonly number[],
  bytesEach: number,
  write: (b: Buffer, v: number, o: number) => void,
) {
  const out = Buffer.alloc(values.length * bytesEach);
  values.forEach((value, i) => write(out, value, i * bytesEach));
  return out;
}

/** One tensor of each datatype, as the decoder should produce it, with the bytes numpy's tobytes() gives. */
const EVERY_DATATYPE: { tensor: Tensor; bytes: Buffer }[] = [
  { tensor: t("BOOL", [3], new Uint8Array([1, 0, 1])), bytes: Buffer.from([1, 0, 1]) },
  { tensor: t("UINT8", [2], new Uint8Array([0, 255])), bytes: Buffer.from([0, 255]) },
  { tensor: t("INT8", [2], new Int8Array([-128, 127])), bytes: Buffer.from([0x80, 0x7f]) },
  {
    tensor: t("UINT16", [2], new Uint16Array([1, 65535])),
    bytes: littleEndian([1, 65535], 2, (b, v, o) => b.writeUInt16LE(v, o)),
  },
  {
    tensor: t("INT16", [2], new Int16Array([-2, 300])),
    bytes: littleEndian([-2, 300], 2, (b, v, o) => b.writeInt16LE(v, o)),
  },
  // 1.0 and -2.0 in IEEE half precision.
  { tensor: t("FP16", [2], new Uint16Array([0x3c00, 0xc000])), bytes: Buffer.from([0x00, 0x3c, 0x00, 0xc0]) },
  {
    tensor: t("UINT32", [1, 2], new Uint32Array([7, 4294967295])),
    bytes: littleEndian([7, 4294967295], 4, (b, v, o) => b.writeUInt32LE(v, o)),
  },
  {
    tensor: t("INT32", [2], new Int32Array([-5, 2147483647])),
    bytes: littleEndian([-5, 2147483647], 4, (b, v, o) => b.writeInt32LE(v, o)),
  },
  {
    tensor: t("FP32", [2, 2], new Float32Array([0.5, -1.25, 3, 1e10])),
    bytes: littleEndian([0.5, -1.25, 3, 1e10], 4, (b, v, o) => b.writeFloatLE(v, o)),
  },
  {
    tensor: t("UINT64", [1], new BigUint64Array([2n ** 63n + 5n])),
    bytes: (() => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(2n ** 63n + 5n);
      return b;
    })(),
  },
  {
    tensor: t("INT64", [2], new BigInt64Array([-3n, 2n ** 60n])),
    bytes: (() => {
      const b = Buffer.alloc(16);
      b.writeBigInt64LE(-3n, 0);
      b.writeBigInt64LE(2n ** 60n, 8);
      return b;
    })(),
  },
  {
    tensor: t("FP64", [2], new Float64Array([Math.PI, -0.1])),
    bytes: littleEndian([Math.PI, -0.1], 8, (b, v, o) => b.writeDoubleLE(v, o)),
  },
  {
    tensor: t("BYTES", [2], ["hé", ""]),
    bytes: Buffer.from([3, 0, 0, 0, 0x68, 0xc3, 0xa9, 0, 0, 0, 0]),
  },
];

function t(datatype: Datatype, shape: number[], data: Tensor["data"]): Tensor {
  return { name: `in_${datatype.toLowerCase()}`, datatype, shape, data };
}

function binaryInput(tensor: Tensor, size: number): Record<string, unknown> {
  const { name, datatype, shape } = tensor;
  return { name, datatype, shape, parameters: { binary_data_size: size } };
}

describe("v2BinaryRequest", () => {
  it.each(EVERY_DATATYPE)(
    "decodes $tensor.datatype input bytes into its typed array",
    ({ tensor, bytes }) => {
      const request = parse({ inputs: [binaryInput(tensor, bytes.length)] }, bytes);
      expect(request.input).toEqual({ kind: "tensors", tensors: [tensor] });
    },
  );

  it.each(EVERY_DATATYPE)("encodes $tensor.datatype output values to the same bytes", ({ tensor, bytes }) => {
    expect(tensorBytes(tensor)).toEqual(bytes);
  });

  it("splits the binary section among several binary inputs in order, beside a JSON input", () => {
    const [bools, floats] = [EVERY_DATATYPE[0], EVERY_DATATYPE[8]] as [
      (typeof EVERY_DATATYPE)[0],
      (typeof EVERY_DATATYPE)[0],
    ];
    const request = parse(
      {
        id: "r1",
        inputs: [
          binaryInput(floats.tensor, floats.bytes.length),
          { name: "in_int32", datatype: "INT32", shape: [1], data: [9] },
          binaryInput(bools.tensor, bools.bytes.length),
        ],
      },
      floats.bytes,
      bools.bytes,
    );
    expect(request.id).toBe("r1");
    expect(request.input).toEqual({
      kind: "tensors",
      tensors: [floats.tensor, t("INT32", [1], new Int32Array([9])), bools.tensor],
    });
  });

  it("copies decoded values out of the body, so transferring a tensor leaves the request intact", () => {
    const { tensor, bytes } = EVERY_DATATYPE[8] as (typeof EVERY_DATATYPE)[0];
    const body = framed({ inputs: [binaryInput(tensor, bytes.length)] }, bytes);
    const request = v2BinaryRequest(body.bytes, body.headerLength);
    const decoded = request.input.kind === "tensors" ? request.input.tensors[0] : undefined;
    expect((decoded?.data as Float32Array).buffer).not.toBe(body.bytes.buffer);
    expect((decoded?.data as Float32Array).byteOffset).toBe(0);
  });

  it("refuses a shape dim beyond the safe integers, even in a shape that holds no elements", () => {
    const input = { name: "x", datatype: "FP32", shape: [0, 1e308], parameters: { binary_data_size: 0 } };
    expect(thrownError(() => parse({ inputs: [input] })).message).toMatch(
      /^inputs\[0\] 'x': shape must be an array of non-negative integers/,
    );
  });

  it("reads any non-zero BOOL byte as true", () => {
    const request = parse(
      { inputs: [{ name: "b", datatype: "BOOL", shape: [2], parameters: { binary_data_size: 2 } }] },
      Buffer.from([0, 7]),
    );
    expect(request.input).toMatchObject({ tensors: [{ data: new Uint8Array([0, 1]) }] });
  });

  it("records the outputs asked for as binary, request-wide and per output, and keeps that flag out of params", () => {
    const { tensor, bytes } = EVERY_DATATYPE[8] as (typeof EVERY_DATATYPE)[0];
    const request = parse(
      {
        inputs: [binaryInput(tensor, bytes.length)],
        parameters: { binary_data_output: true },
        outputs: [{ name: "a", parameters: { binary_data: false } }, { name: "b" }],
      },
      bytes,
    );
    expect(request.outputs).toEqual(["a", "b"]);
    expect(request.params).toBeUndefined();
    expect(request.binaryOutputs).toEqual({ all: true, byName: new Map([["a", false]]) });
  });

  it("names the input whose binary_data_size does not match its shape and datatype", () => {
    const error = thrownError(() =>
      parse(
        { inputs: [{ name: "x", datatype: "FP32", shape: [2, 3], parameters: { binary_data_size: 20 } }] },
        Buffer.alloc(20),
      ),
    );
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe(
      "inputs[0] 'x': shape [2,3] of FP32 needs 24 bytes but binary_data_size is 20",
    );
  });

  it("rejects a binary_data_size that runs past the body and bytes that no input claims", () => {
    const input = { name: "x", datatype: "INT8", shape: [4], parameters: { binary_data_size: 4 } };
    expect(thrownError(() => parse({ inputs: [input] }, Buffer.alloc(3))).message).toBe(
      "inputs[0] 'x': parameters.binary_data_size is 4 but only 3 bytes of binary data are left in the body",
    );
    expect(thrownError(() => parse({ inputs: [input] }, Buffer.alloc(6))).message).toBe(
      "the body has 6 bytes after the JSON header but the inputs' binary_data_size add up to 4",
    );
  });

  it("rejects a header length beyond the body, a non-numeric one and a header that is not JSON", () => {
    const body = Buffer.from('{"inputs": []}');
    expect(thrownError(() => v2BinaryRequest(body, "99")).message).toMatch(
      /^Inference-Header-Content-Length is 99 but the body has 14 bytes/,
    );
    expect(thrownError(() => v2BinaryRequest(body, "ten")).message).toBe(
      'Inference-Header-Content-Length must be one whole number of bytes, got "ten"',
    );
    expect(thrownError(() => v2BinaryRequest(body, "5")).message).toMatch(
      /^the JSON header \(the first 5 bytes, per Inference-Header-Content-Length\) is not valid JSON/,
    );
  });

  it("regression: keeps a BYTES element's leading U+FEFF (a default TextDecoder drops it as a byte order mark)", () => {
    const element = Buffer.from("\uFEFFab", "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32LE(element.length);
    const request = parse(
      {
        inputs: [
          { name: "s", datatype: "BYTES", shape: [1], parameters: { binary_data_size: 4 + element.length } },
        ],
      },
      length,
      element,
    );
    expect(request.input).toEqual({
      kind: "tensors",
      tensors: [{ name: "s", datatype: "BYTES", shape: [1], data: ["\uFEFFab"] }],
    });
  });

  it("rejects malformed BYTES elements, naming the input and the element", () => {
    const input = (size: number) => ({
      inputs: [{ name: "s", datatype: "BYTES", shape: [2], parameters: { binary_data_size: size } }],
    });
    const one = Buffer.from([1, 0, 0, 0, 0x61]);
    expect(thrownError(() => parse(input(5), one)).message).toBe(
      "inputs[0] 's': shape holds 2 elements but the binary data has 1",
    );
    const long = Buffer.from([9, 0, 0, 0, 0x61]);
    expect(thrownError(() => parse(input(5), long)).message).toBe(
      "inputs[0] 's': element 0 is 9 bytes long but only 1 bytes remain in its binary_data_size",
    );
    const truncated = Buffer.concat([one, Buffer.from([1, 0])]);
    expect(thrownError(() => parse(input(7), truncated)).message).toBe(
      "inputs[0] 's': element 1 has a truncated 4-byte length prefix",
    );
    const notText = Buffer.concat([one, Buffer.from([1, 0, 0, 0, 0xff])]);
    expect(thrownError(() => parse(input(10), notText)).message).toMatch(/element 1 is not valid UTF-8/);
  });

  it("rejects an input with both data and binary_data_size, an unknown datatype and a bad size", () => {
    const both = { name: "x", datatype: "INT8", shape: [1], data: [1], parameters: { binary_data_size: 1 } };
    expect(thrownError(() => parse({ inputs: [both] }, Buffer.alloc(1))).message).toBe(
      "inputs[0] 'x': give either 'data' or parameters.binary_data_size, not both",
    );
    const bf16 = { name: "x", datatype: "BF16", shape: [1], parameters: { binary_data_size: 2 } };
    expect(thrownError(() => parse({ inputs: [bf16] }, Buffer.alloc(2))).message).toMatch(
      /^inputs\[0\] 'x': datatype "BF16" is not one of BOOL, /,
    );
    const negative = { name: "x", datatype: "INT8", shape: [1], parameters: { binary_data_size: -1 } };
    expect(thrownError(() => parse({ inputs: [negative] })).message).toBe(
      "inputs[0] 'x': parameters.binary_data_size must be a whole number of bytes, got -1",
    );
  });
});

describe("v2InferRequest", () => {
  it("parses a V2BinaryBody as binary and anything else as the JSON request", () => {
    const { tensor, bytes } = EVERY_DATATYPE[1] as (typeof EVERY_DATATYPE)[0];
    const body = framed({ inputs: [binaryInput(tensor, bytes.length)] }, bytes);
    expect(v2InferRequest(new V2BinaryBody(body.headerLength, body.bytes)).input).toEqual({
      kind: "tensors",
      tensors: [tensor],
    });
    const json = { inputs: [{ name: "x", datatype: "UINT8", shape: [1], data: [3] }] };
    expect(v2InferRequest(json).input).toEqual({
      kind: "tensors",
      tensors: [{ name: "x", datatype: "UINT8", shape: [1], data: new Uint8Array([3]) }],
    });
  });

  it("refuses binary_data_size in a plain JSON body", () => {
    const input = { name: "x", datatype: "INT8", shape: [1], parameters: { binary_data_size: 1 } };
    expect(thrownError(() => v2InferRequest({ inputs: [input] })).message).toMatch(
      /binary tensor data is not supported in a plain JSON body; send the JSON header's length/,
    );
  });
});

describe("v2EncodedResponse", () => {
  const outputs: Tensor[] = [
    { name: "probabilities", datatype: "FP32", shape: [1, 2], data: new Float32Array([0.25, 0.75]) },
    { name: "label", datatype: "INT64", shape: [1], data: new BigInt64Array([1n]) },
  ];

  it("answers plain JSON when no output is asked for as binary", () => {
    expect(v2EncodedResponse({ name: "m" }, "1", outputs, undefined)).toEqual({
      kind: "json",
      body: {
        model_name: "m",
        id: "1",
        outputs: [
          { name: "probabilities", datatype: "FP32", shape: [1, 2], data: [0.25, 0.75] },
          { name: "label", datatype: "INT64", shape: [1], data: [1] },
        ],
      },
    });
  });

  it("frames the binary outputs after a JSON header that gives each one's binary_data_size", () => {
    const choice = { all: false, byName: new Map([["label", true]]) };
    const response = v2EncodedResponse({ name: "m", version: "2" }, "7", outputs, choice);
    if (response.kind !== "binary") throw new Error("expected a binary response");
    const header: unknown = JSON.parse(response.bytes.subarray(0, response.headerLength).toString("utf8"));
    expect(header).toEqual({
      model_name: "m",
      model_version: "2",
      id: "7",
      outputs: [
        { name: "probabilities", datatype: "FP32", shape: [1, 2], data: [0.25, 0.75] },
        { name: "label", datatype: "INT64", shape: [1], parameters: { binary_data_size: 8 } },
      ],
    });
    expect(response.bytes.subarray(response.headerLength).readBigInt64LE(0)).toBe(1n);
    expect(response.bytes.length).toBe(response.headerLength + 8);
  });

  it("writes the JSON outputs beside binary ones with float elements as floats, as KServe does", () => {
    // KServe 0.21 (orjson) wrote this header's FP32 data as [2.0,4.0]; FlowOps wrote [2,4] (JSON.stringify).
    const whole: Tensor[] = [
      { name: "y", datatype: "FP32", shape: [2], data: new Float32Array([2, 4]) },
      { name: "z", datatype: "FP32", shape: [2], data: new Float32Array([2, 3]) },
    ];
    const choice = { all: false, byName: new Map([["z", true]]) };
    const response = v2EncodedResponse({ name: "m" }, "1", whole, choice);
    if (response.kind !== "binary") throw new Error("expected a binary response");
    const header = response.bytes.subarray(0, response.headerLength).toString("utf8");
    expect(header).toContain('{"name":"y","datatype":"FP32","shape":[2],"data":[2.0,4.0]}');
    expect(JSON.parse(header).outputs[1]).toEqual({
      name: "z",
      datatype: "FP32",
      shape: [2],
      parameters: { binary_data_size: 8 },
    });
  });

  it("round-trips every output through the binary response and back through the request decoder", () => {
    const tensors = EVERY_DATATYPE.map(({ tensor }) => tensor);
    const response = v2EncodedResponse({ name: "m" }, "1", tensors, { all: true, byName: new Map() });
    if (response.kind !== "binary") throw new Error("expected a binary response");
    const header = JSON.parse(response.bytes.subarray(0, response.headerLength).toString("utf8")) as {
      outputs: Record<string, unknown>[];
    };
    expect(header.outputs.every((output) => output.data === undefined)).toBe(true);
    // The outputs' header entries have the shape of binary inputs: send them back as a request.
    const request = parse({ inputs: header.outputs }, response.bytes.subarray(response.headerLength));
    expect(request.input).toEqual({ kind: "tensors", tensors });
  });

  it("keeps an output the client asked for as JSON in JSON even when binary is the default", () => {
    const choice = { all: true, byName: new Map([["probabilities", false]]) };
    const response = v2EncodedResponse({ name: "m" }, "1", outputs, choice);
    if (response.kind !== "binary") throw new Error("expected a binary response");
    const header = JSON.parse(response.bytes.subarray(0, response.headerLength).toString("utf8")) as {
      outputs: Record<string, unknown>[];
    };
    expect(header.outputs.map((output) => output.data !== undefined)).toEqual([true, false]);
  });
});
