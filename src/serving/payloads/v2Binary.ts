/**
 * The KServe V2 binary tensor data extension (Triton's `binary_tensor_data`): a body that is a JSON header of
 * `Inference-Header-Content-Length` bytes followed by the raw bytes of the inputs that carry
 * `parameters.binary_data_size`, in input order; and a response framed the same way for the outputs the client
 * asked for as binary. Values are little-endian and row-major without padding; BOOL is one byte per element and
 * BYTES is each element's 4-byte little-endian length followed by its bytes.
 *
 * Typed arrays use the host's byte order, which is little-endian on every platform Node supports, so their bytes
 * are copied as they are. Decoded inputs are copies, never views on the request body, because the runtimes
 * transfer tensor buffers to worker threads.
 */
import { FlowOpsError } from "../../errors.js";
import { parseJsonWithBigIntegers } from "../../tables/jsonBigIntegers.js";
import {
  allocateTensorData,
  DATATYPES,
  elementCount,
  isDatatype,
  showValue,
  tensorToJson,
  type Datatype,
  type Tensor,
  type TensorData,
} from "../tensor.js";
import { isJsonObject } from "./invalidInput.js";
import {
  v2Request,
  type BinaryInputHeader,
  type BinaryOutputChoice,
  type V2InferResponse,
  type V2Request,
} from "./v2Payload.js";
import { v2ResponseJson } from "./v2ResponseJson.js";

/** The header that marks a binary body and gives its JSON header's length, in requests and responses. */
export const INFERENCE_HEADER_CONTENT_LENGTH = "inference-header-content-length";

/** The extension name `GET /v2` lists; tritonclient and Triton's perf tools look for it. */
export const BINARY_TENSOR_DATA_EXTENSION = "binary_tensor_data";

/** A request body sent with `Inference-Header-Content-Length`: the header's value and the raw bytes. */
export class V2BinaryBody {
  constructor(
    readonly headerLength: string | string[],
    readonly bytes: Buffer,
  ) {}
}

/** A response: plain JSON, or a JSON header of `headerLength` bytes and binary outputs in `bytes`. */
export type V2EncodedResponse =
  { kind: "json"; body: V2InferResponse } | { kind: "binary"; headerLength: number; bytes: Buffer };

/** An output in a binary response's header: its values are in the body, `binary_data_size` bytes of them. */
interface BinaryOutputJson {
  name: string;
  datatype: Datatype;
  shape: number[];
  parameters: { binary_data_size: number };
}

const ELEMENT_BYTES: Record<Exclude<Datatype, "BYTES">, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

const LENGTH_PREFIX_BYTES = 4;
// ignoreBOM: a BYTES element (or the header) that starts with U+FEFF keeps it; the default drops it as a BOM.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Parses a V2 body: binary-framed when it came with `Inference-Header-Content-Length`, else JSON already. */
export function v2InferRequest(body: unknown): V2Request {
  return body instanceof V2BinaryBody ? v2BinaryRequest(body.bytes, body.headerLength) : v2Request(body);
}

/**
 * The `id` a V2 body sent, read without validating anything else, so a request refused as invalid is still
 * answered under its own id; undefined when there is none or the body (a binary body's JSON header) is unreadable.
 */
export function v2RequestId(body: unknown): string | undefined {
  let header = body;
  if (body instanceof V2BinaryBody) {
    try {
      const length = parseHeaderLength(body.headerLength, body.bytes.length);
      header = JSON.parse(UTF8.decode(body.bytes.subarray(0, length)));
    } catch {
      return undefined;
    }
  }
  const id = isJsonObject(header) ? header.id : undefined;
  return typeof id === "string" ? id : undefined;
}

/** Parses a binary-framed V2 request; errors are INVALID_PARAMETER_VALUE naming the input or the header. */
export function v2BinaryRequest(bytes: Buffer, headerLengthValue: string | string[]): V2Request {
  const headerLength = parseHeaderLength(headerLengthValue, bytes.length);
  let header: unknown;
  try {
    header = parseJsonWithBigIntegers(UTF8.decode(bytes.subarray(0, headerLength)));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw binaryError(
      `the JSON header (the first ${headerLength} bytes, per Inference-Header-Content-Length) is not valid JSON: ${reason}`,
    );
  }
  const binary = bytes.subarray(headerLength);
  let offset = 0;
  const request = v2Request(header, (input) => {
    const size = binaryDataSize(input);
    if (size > binary.length - offset) {
      throw binaryError(
        `${input.where}: parameters.binary_data_size is ${size} but only ${binary.length - offset} bytes of ` +
          "binary data are left in the body",
      );
    }
    const tensor = tensorFromBytes(input, binary.subarray(offset, offset + size));
    offset += size;
    return tensor;
  });
  if (offset !== binary.length) {
    throw binaryError(
      `the body has ${binary.length} bytes after the JSON header but the inputs' binary_data_size add up to ${offset}`,
    );
  }
  return request;
}

/**
 * The V2 response for `request`: binary-framed when it asked for any output as binary data and that output is
 * among `outputs`, else the plain JSON response.
 */
export function v2EncodedResponse(
  model: { name: string; version?: string },
  id: string,
  outputs: readonly Tensor[],
  binaryOutputs: BinaryOutputChoice | undefined,
): V2EncodedResponse {
  const json: (ReturnType<typeof tensorToJson> | BinaryOutputJson)[] = new Array(outputs.length);
  const chunks: Buffer[] = [];
  for (let i = 0; i < outputs.length; i++) {
    const output = outputs[i] as Tensor;
    const binary = binaryOutputs?.byName.get(output.name) ?? binaryOutputs?.all ?? false;
    if (binary) {
      const bytes = tensorBytes(output);
      chunks.push(bytes);
      const { name, datatype, shape } = output;
      json[i] = { name, datatype, shape, parameters: { binary_data_size: bytes.length } };
    } else {
      json[i] = tensorToJson(output);
    }
  }
  const body = (
    model.version === undefined
      ? { model_name: model.name, id, outputs: json }
      : { model_name: model.name, model_version: model.version, id, outputs: json }
  ) as V2InferResponse;
  if (chunks.length === 0) return { kind: "json", body };
  const header = Buffer.from(v2ResponseJson(body), "utf8");
  return { kind: "binary", headerLength: header.length, bytes: Buffer.concat([header, ...chunks]) };
}

/** A tensor's values in the extension's byte layout. */
export function tensorBytes(tensor: Tensor): Buffer {
  const data = tensor.data;
  if (Array.isArray(data)) {
    const parts: Buffer[] = [];
    for (const value of data) {
      const text = Buffer.from(value, "utf8");
      const prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
      prefix.writeUInt32LE(text.length, 0);
      parts.push(prefix, text);
    }
    return Buffer.concat(parts);
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Builds an input tensor from its bytes (exactly its binary_data_size of them). */
export function tensorFromBytes(input: BinaryInputHeader, bytes: Uint8Array): Tensor {
  const { name, where } = input;
  const datatype = input.datatype;
  if (!isDatatype(datatype)) {
    throw binaryError(`${where}: datatype ${showValue(datatype)} is not one of ${DATATYPES.join(", ")}`);
  }
  const shape = shapeOf(input.shape, where);
  const count = elementCount(shape);
  if (datatype === "BYTES") return { name, datatype, shape, data: bytesElements(bytes, count, where) };
  const expected = count * ELEMENT_BYTES[datatype];
  if (bytes.length !== expected) {
    throw binaryError(
      `${where}: shape [${shape.join(",")}] of ${datatype} needs ${expected} bytes but binary_data_size is ${bytes.length}`,
    );
  }
  const data = allocateTensorData(datatype, count) as Exclude<TensorData, string[]>;
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  if (datatype === "BOOL") for (let i = 0; i < count; i++) if (data[i] !== 0) data[i] = 1;
  return { name, datatype, shape, data };
}

/** BYTES elements: each a 4-byte little-endian length, then that many bytes of UTF-8 text. */
function bytesElements(bytes: Uint8Array, count: number, where: string): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strings: string[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const element = strings.length;
    if (bytes.length - offset < LENGTH_PREFIX_BYTES) {
      throw binaryError(`${where}: element ${element} has a truncated 4-byte length prefix`);
    }
    const length = view.getUint32(offset, true);
    offset += LENGTH_PREFIX_BYTES;
    if (length > bytes.length - offset) {
      throw binaryError(
        `${where}: element ${element} is ${length} bytes long but only ${bytes.length - offset} bytes remain ` +
          "in its binary_data_size",
      );
    }
    try {
      strings.push(UTF8.decode(bytes.subarray(offset, offset + length)));
    } catch {
      throw binaryError(`${where}: element ${element} is not valid UTF-8; BYTES values are served as text`);
    }
    offset += length;
  }
  if (strings.length !== count) {
    throw binaryError(`${where}: shape holds ${count} elements but the binary data has ${strings.length}`);
  }
  return strings;
}

function parseHeaderLength(value: string | string[], bodyLength: number): number {
  const text = Array.isArray(value) ? undefined : value.trim();
  if (text === undefined || !/^\d+$/.test(text)) {
    throw binaryError(
      `Inference-Header-Content-Length must be one whole number of bytes, got ${showValue(value)}`,
    );
  }
  const length = Number(text);
  if (length === 0 || length > bodyLength) {
    throw binaryError(
      `Inference-Header-Content-Length is ${length} but the body has ${bodyLength} bytes; it must be the ` +
        "length of the JSON header at the start of the body",
    );
  }
  return length;
}

function binaryDataSize(input: BinaryInputHeader): number {
  const size = input.binaryDataSize;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
    throw binaryError(
      `${input.where}: parameters.binary_data_size must be a whole number of bytes, got ${showValue(size)}`,
    );
  }
  return size;
}

function shapeOf(shape: unknown, where: string): number[] {
  if (
    Array.isArray(shape) &&
    shape.every((dim) => typeof dim === "number" && Number.isSafeInteger(dim) && dim >= 0)
  ) {
    return shape as number[];
  }
  throw binaryError(`${where}: shape must be an array of non-negative integers, got ${showValue(shape)}`);
}

function binaryError(message: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", message);
}
