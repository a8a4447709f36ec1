import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES } from "./pythonFraming.js";

describe("encodeFrame", () => {
  it("prefixes the UTF-8 JSON with its byte length, big-endian", () => {
    const frame = encodeFrame({ id: 1, text: "é" });
    const body = Buffer.from('{"id":1,"text":"é"}', "utf8");
    expect(frame.readUInt32BE(0)).toBe(body.length);
    expect(frame.subarray(4)).toEqual(body);
  });
});

describe("FrameDecoder", () => {
  it("returns nothing until a frame is complete, then the message", () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame({ id: 7, ok: true });
    expect(decoder.push(frame.subarray(0, 2))).toEqual([]);
    expect(decoder.push(frame.subarray(2, 9))).toEqual([]);
    expect(decoder.push(frame.subarray(9))).toEqual([{ id: 7, ok: true }]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it("splits several frames that arrive in one chunk, in order, keeping the start of the next", () => {
    const decoder = new FrameDecoder();
    const third = encodeFrame({ id: 3 });
    const chunk = Buffer.concat([encodeFrame({ id: 1 }), encodeFrame({ id: 2 }), third.subarray(0, 5)]);
    expect(decoder.push(chunk)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(decoder.pendingBytes).toBe(5);
    expect(decoder.push(third.subarray(5))).toEqual([{ id: 3 }]);
  });

  it("decodes a multi-byte character split across chunks", () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame({ word: "naïve 模型" });
    const messages = [];
    for (let i = 0; i < frame.length; i++) messages.push(...decoder.push(frame.subarray(i, i + 1)));
    expect(messages).toEqual([{ word: "naïve 模型" }]);
  });

  it("rejects a frame that is not JSON, naming the source", () => {
    const decoder = new FrameDecoder("worker 12");
    const body = Buffer.from("not json");
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    expect(() => decoder.push(Buffer.concat([header, body]))).toThrow(
      new FlowOpsError("DATA_LOSS", "worker 12 sent a frame that is not JSON: not json"),
    );
  });

  it("rejects a length beyond the frame limit instead of waiting for it", () => {
    const decoder = new FrameDecoder();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1);
    expect(() => decoder.push(header)).toThrow(/out of step/);
  });
});
