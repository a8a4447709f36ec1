import { ByteWriter } from "hyparquet-writer";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { describe, expect, it } from "vitest";

import {
  allLevelsPresent,
  countRleBitPackedHybridValue,
  decodeRleBitPackedHybrid,
  largestRleBitPackedHybridValue,
} from "./rleBitPackedHybrid.js";

/** Values below 2^bitWidth, with runs of repeats long enough for an encoder to choose RLE. */
function sample(bitWidth: number, length: number): number[] {
  const limit = 2 ** Math.min(bitWidth, 31);
  return Array.from({ length }, (_, i) =>
    i % 50 < 20 ? 7 % limit : Math.floor(Math.abs(Math.sin(i)) * limit),
  );
}

function encoded(values: number[], bitWidth: number): Uint8Array {
  const writer = new ByteWriter();
  writeRleBitPackedHybrid(writer, values, bitWidth);
  return new Uint8Array(writer.getBuffer());
}

/** One bit-packed run, least significant bit first, as the format lays it out for any width. */
function bitPacked(values: number[], bitWidth: number): Uint8Array {
  const groups = Math.ceil(values.length / 8);
  let bits = 0n;
  values.forEach((value, i) => (bits |= BigInt(value) << BigInt(i * bitWidth)));
  const body = Array.from({ length: groups * bitWidth }, (_, i) => Number((bits >> BigInt(8 * i)) & 0xffn));
  return Uint8Array.from([(groups << 1) | 1, ...body]);
}

describe("decodeRleBitPackedHybrid", () => {
  it("decodes the RLE and bit-packed runs an encoder writes, at widths 1 to 24", () => {
    for (let bitWidth = 1; bitWidth <= 24; bitWidth++) {
      const values = sample(bitWidth, 203);
      const bytes = encoded(values, bitWidth);
      const out = new Int32Array(values.length);
      expect(decodeRleBitPackedHybrid(bytes, 0, bytes.length, bitWidth, out)).toBe(bytes.length);
      expect(Array.from(out)).toEqual(values);
    }
  });

  it("decodes bit-packed runs wider than 24 bits", () => {
    for (let bitWidth = 25; bitWidth <= 32; bitWidth++) {
      const values = sample(bitWidth, 16);
      const bytes = bitPacked(values, bitWidth);
      const out = new Int32Array(13);
      decodeRleBitPackedHybrid(bytes, 0, bytes.length, bitWidth, out);
      expect(Array.from(out)).toEqual(values.slice(0, 13));
    }
  });

  it("decodes a zero bit width as runs of zeros and starts at the given offset", () => {
    const bytes = Uint8Array.of(0xff, 10 << 1, 3 << 1);
    const out = new Uint8Array(13).fill(9);
    expect(decodeRleBitPackedHybrid(bytes, 1, bytes.length, 0, out)).toBe(3);
    expect(Array.from(out)).toEqual(new Array(13).fill(0));
  });

  it("rejects runs that end before the values do, or a run value wider than the bit width", () => {
    const bytes = encoded(new Array<number>(20).fill(1), 1);
    expect(() => decodeRleBitPackedHybrid(bytes, 0, bytes.length, 1, new Uint8Array(21))).toThrow(
      "encoded values end after 20 of 21",
    );
    expect(() => decodeRleBitPackedHybrid(Uint8Array.of(1 << 4, 2), 0, 2, 1, new Uint8Array(8))).toThrow(
      "run value 2 does not fit in 1 bits",
    );
    const packed = bitPacked([1, 2, 3, 4, 5, 6, 7, 0], 3);
    expect(() => decodeRleBitPackedHybrid(packed, 0, 2, 3, new Uint8Array(8))).toThrow(
      "encoded values end after 0 of 8",
    );
  });
});

describe("allLevelsPresent", () => {
  it("is true for runs of ones, repeated or bit-packed, ignoring the padding of the last group", () => {
    const ones = new Array<number>(203).fill(1);
    const bytes = encoded(ones, 1);
    expect(allLevelsPresent(bytes, 0, bytes.length, 203)).toBe(true);
    const packed = bitPacked([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], 1);
    expect(allLevelsPresent(packed, 0, packed.length, 11)).toBe(true);
  });

  it("is false when any level is 0, in a repeated run or anywhere in a bit-packed one", () => {
    const repeated = encoded([...new Array<number>(30).fill(1), ...new Array<number>(30).fill(0)], 1);
    expect(allLevelsPresent(repeated, 0, repeated.length, 60)).toBe(false);
    for (const at of [0, 7, 8, 10]) {
      const levels = new Array<number>(11).fill(1);
      levels[at] = 0;
      const packed = bitPacked(levels, 1);
      expect(allLevelsPresent(packed, 0, packed.length, 11)).toBe(false);
    }
  });

  it("rejects runs that end before the levels do", () => {
    const bytes = encoded(new Array<number>(20).fill(1), 1);
    expect(() => allLevelsPresent(bytes, 0, bytes.length, 21)).toThrow("encoded values end after 20 of 21");
  });
});

describe("countRleBitPackedHybridValue and largestRleBitPackedHybridValue", () => {
  it("count and bound the values an encoder wrote, at widths 1 to 24, without the last group's padding", () => {
    for (let bitWidth = 1; bitWidth <= 24; bitWidth++) {
      const values = sample(bitWidth, 203);
      const bytes = encoded(values, bitWidth);
      expect(countRleBitPackedHybridValue(bytes, 0, bytes.length, bitWidth, 203, 7 % 2 ** bitWidth)).toBe(
        values.filter((value) => value === 7 % 2 ** bitWidth).length,
      );
      expect(largestRleBitPackedHybridValue(bytes, 0, bytes.length, bitWidth, 203)).toBe(Math.max(...values));
    }
    // Padding bits of 1 after the 3 values read are no values.
    const padded = bitPacked([1, 0, 1, 1, 1, 1, 1, 1], 1);
    expect(countRleBitPackedHybridValue(padded, 0, padded.length, 1, 3, 1)).toBe(2);
    expect(largestRleBitPackedHybridValue(bitPacked([2, 1, 0, 7], 3), 0, 4, 3, 3)).toBe(2);
  });

  it("bound bit-packed values wider than 24 bits as unsigned", () => {
    const values = [2 ** 32 - 1, 5, 2 ** 31, 0, 1, 2, 3, 4];
    const bytes = bitPacked(values, 32);
    expect(largestRleBitPackedHybridValue(bytes, 0, bytes.length, 32, 8)).toBe(2 ** 32 - 1);
    expect(countRleBitPackedHybridValue(bytes, 0, bytes.length, 32, 8, 2 ** 31)).toBe(1);
  });
});
