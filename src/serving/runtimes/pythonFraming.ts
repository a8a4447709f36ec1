/**
 * The frame format between FlowOps and its Python pyfunc workers: a 4-byte big-endian length, then that many
 * bytes of UTF-8 JSON. Length prefixes (not newline-delimited JSON) let a frame hold any text and let the reader
 * know where a message ends without scanning it. This file only frames bytes; it knows nothing of processes.
 */
import { FlowOpsError } from "../../errors.js";
import { stringifyJsonWithBigIntegers } from "../../tables/jsonBigIntegers.js";

const HEADER_BYTES = 4;
/** A frame larger than this is a broken stream rather than a real message (the HTTP body limit is far lower). */
export const MAX_FRAME_BYTES = 1 << 30;

/** One message as a frame: length prefix + UTF-8 JSON. */
export function encodeFrame(message: unknown): Buffer {
  // INT64 values beyond 2^53 (BigInts) go as their digits, which Python's json reads back exactly.
  const body = Buffer.from(stringifyJsonWithBigIntegers(message), "utf8");
  if (body.length > MAX_FRAME_BYTES) {
    throw new FlowOpsError(
      "PAYLOAD_TOO_LARGE",
      `a message to the Python worker is ${body.length} bytes; at most ${MAX_FRAME_BYTES} bytes fit in one frame`,
    );
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/**
 * Reassembles frames from a byte stream that arrives in arbitrary chunks (a pipe splits and joins writes as it
 * likes). `push` returns every message completed by the chunk, in order.
 */
export class FrameDecoder {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(private readonly source = "the Python worker") {}

  push(chunk: Buffer): unknown[] {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    const messages: unknown[] = [];
    for (;;) {
      if (this.bufferedBytes < HEADER_BYTES) break;
      const head = this.peek(HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) {
        throw new FlowOpsError(
          "DATA_LOSS",
          `${this.source} sent a frame of ${length} bytes (at most ${MAX_FRAME_BYTES}); the stream is out of step`,
        );
      }
      if (this.bufferedBytes < HEADER_BYTES + length) break;
      const frame = this.take(HEADER_BYTES + length);
      const text = frame.subarray(HEADER_BYTES).toString("utf8");
      try {
        messages.push(JSON.parse(text));
      } catch (error) {
        throw new FlowOpsError(
          "DATA_LOSS",
          `${this.source} sent a frame that is not JSON: ${text.slice(0, 120)}`,
          { cause: error },
        );
      }
    }
    return messages;
  }

  /** Bytes received that do not yet form a whole frame. */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  private peek(size: number): Buffer {
    const first = this.buffered[0];
    if (first !== undefined && first.length >= size) return first.subarray(0, size);
    this.buffered = [Buffer.concat(this.buffered)];
    return (this.buffered[0] as Buffer).subarray(0, size);
  }

  private take(size: number): Buffer {
    const joined = this.buffered.length === 1 ? (this.buffered[0] as Buffer) : Buffer.concat(this.buffered);
    const taken = joined.subarray(0, size);
    const rest = joined.subarray(size);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedBytes = rest.length;
    return taken;
  }
}
