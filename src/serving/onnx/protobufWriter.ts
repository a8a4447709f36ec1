/**
 * A protocol-buffers wire-format writer: just the field encodings the ONNX model writer needs (varint, 32-bit
 * float, length-delimited bytes, strings, nested messages and packed repeated scalars). It knows nothing about
 * ONNX; field numbers come from the caller.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  /** int32/int64/enum/bool field; negative values take ten bytes, as protobuf's two's-complement int64 does. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.rawVarint(value.length);
    this.push(value);
    return this;
  }

  message(field: number, build: (writer: ProtobufWriter) => void): this {
    const nested = new ProtobufWriter();
    build(nested);
    return this.bytes(field, nested.finish());
  }

  /** Packed `repeated float`: little-endian IEEE 754 singles, one length prefix. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, bytes);
  }

  /** Packed `repeated int64` (varints). */
  packedVarints(field: number, values: ArrayLike<number | bigint>): this {
    const nested = new ProtobufWriter();
    for (let i = 0; i < values.length; i++) nested.rawVarint(values[i]!);
    return this.bytes(field, nested.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint((field << 3) | wireType);
  }

  private rawVarint(value: number | bigint): void {
    if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff) {
      const bytes: number[] = [];
      let rest = value;
      while (rest > 0x7f) {
        bytes.push((rest & 0x7f) | 0x80);
        rest >>>= 7;
      }
      bytes.push(rest);
      this.push(Uint8Array.from(bytes));
      return;
    }
    // Two's complement in 64 bits makes negative int64 values encode as protobuf expects.
    let rest = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    while (rest > 0x7fn) {
      bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    bytes.push(Number(rest));
    this.push(Uint8Array.from(bytes));
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
}
