import { ByteWriter } from "hyparquet-writer";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { describe, expect, it } from "vitest";

import { lookUpDictionaryIndices } from "./parquetDictionaryIndices.js";

function encoded(values: number[], bitWidth: number): Uint8Array {
  const writer = new ByteWriter();
  writeRleBitPackedHybrid(writer, values, bitWidth);
  return new Uint8Array(writer.getBuffer());
}

/** Indices below `size`, with repeats long enough for the encoder to choose RLE runs among bit-packed ones. */
function indices(size: number, length: number): number[] {
  return Array.from({ length }, (_, i) =>
    i % 40 < 12 ? 3 % size : Math.floor(Math.abs(Math.sin(i + 1)) * size),
  );
}

describe("lookUpDictionaryIndices", () => {
  it("looks up FLOAT entries at every index width an encoder writes, to the last value of the page", () => {
    // hyparquet-writer's encoder is wrong at 32 bits (a JavaScript shift by 32); that width is tested below.
    for (let bitWidth = 1; bitWidth <= 31; bitWidth++) {
      const size = Math.min(2 ** bitWidth, 5000);
      const dictionary = Float32Array.from({ length: size }, (_, i) => i * 0.5 - 7);
      // 203 values: the last group is cut short, so the final indices sit in the page's last bytes.
      const wanted = indices(size, 203);
      const bytes = encoded(wanted, bitWidth);
      const out = new Float32Array(wanted.length);
      lookUpDictionaryIndices(bytes, 0, bytes.length, bitWidth, dictionary, out);
      expect(Array.from(out)).toEqual(wanted.map((index) => dictionary[index]));
    }
  });

  it("looks up indices wider than 24 bits, up to 32, in a bit-packed run", () => {
    const dictionary = Float32Array.from({ length: 3000 }, (_, i) => i + 0.25);
    const wanted = indices(3000, 16);
    for (let bitWidth = 25; bitWidth <= 32; bitWidth++) {
      let bits = 0n;
      wanted.forEach((value, i) => (bits |= BigInt(value) << BigInt(i * bitWidth)));
      const body = Array.from({ length: 2 * bitWidth }, (_, i) => Number((bits >> BigInt(8 * i)) & 0xffn));
      const bytes = Uint8Array.from([(2 << 1) | 1, ...body]);
      const out = new Float32Array(wanted.length);
      lookUpDictionaryIndices(bytes, 0, bytes.length, bitWidth, dictionary, out);
      expect(Array.from(out)).toEqual(wanted.map((index) => dictionary[index]));
    }
  });

  it("looks up 8-byte entries (DOUBLE, INT64) whole", () => {
    const doubles = Float64Array.from({ length: 300 }, (_, i) => Math.PI * i * 1e10);
    const longs = BigInt64Array.from({ length: 300 }, (_, i) => BigInt(i) * 123_456_789_012n - 5n);
    const wanted = indices(300, 1000);
    const bytes = encoded(wanted, 9);
    const outDoubles = new Float64Array(wanted.length);
    lookUpDictionaryIndices(bytes, 0, bytes.length, 9, doubles, outDoubles);
    expect(Array.from(outDoubles)).toEqual(wanted.map((index) => doubles[index]));
    const outLongs = new BigInt64Array(wanted.length);
    lookUpDictionaryIndices(bytes, 0, bytes.length, 9, longs, outLongs);
    expect(Array.from(outLongs)).toEqual(wanted.map((index) => longs[index]));
  });

  it("starts at the given offset within a larger buffer", () => {
    const dictionary = Float32Array.of(1, 2, 3, 4);
    const wanted = indices(4, 64);
    const body = encoded(wanted, 2);
    const bytes = new Uint8Array(body.length + 5);
    bytes.set(body, 3);
    const out = new Float32Array(wanted.length);
    lookUpDictionaryIndices(bytes.subarray(0, body.length + 3), 3, body.length + 3, 2, dictionary, out);
    expect(Array.from(out)).toEqual(wanted.map((index) => dictionary[index]));
  });

  it("fills every value with the first entry for a zero bit width, with or without runs", () => {
    const out = new Float32Array(5);
    lookUpDictionaryIndices(new Uint8Array(0), 0, 0, 0, Float32Array.of(9.5), out);
    expect(Array.from(out)).toEqual([9.5, 9.5, 9.5, 9.5, 9.5]);
    expect(() => lookUpDictionaryIndices(new Uint8Array(0), 0, 0, 0, new Float32Array(0), out)).toThrow(
      "dictionary index 0 is outside its 0 values",
    );
  });

  it("rejects an index outside the dictionary, in a repeated run or a bit-packed one, and runs that end early", () => {
    const dictionary = Float32Array.of(1, 2, 3);
    const repeated = encoded(new Array<number>(30).fill(3), 2);
    expect(() =>
      lookUpDictionaryIndices(repeated, 0, repeated.length, 2, dictionary, new Float32Array(30)),
    ).toThrow("dictionary index 3 is outside its 3 values");
    const packed = encoded([0, 1, 2, 3, 0, 1, 2, 0], 2);
    expect(() =>
      lookUpDictionaryIndices(packed, 0, packed.length, 2, dictionary, new Float32Array(8)),
    ).toThrow("dictionary index 3 is outside its 3 values");
    const wide = encoded([0, 1, 2, 1 << 25, 0, 1, 2, 0], 26);
    expect(() => lookUpDictionaryIndices(wide, 0, wide.length, 26, dictionary, new Float32Array(8))).toThrow(
      `dictionary index ${1 << 25} is outside its 3 values`,
    );
    const short = encoded([0, 1, 2, 1, 0, 1, 2, 0], 2);
    expect(() => lookUpDictionaryIndices(short, 0, short.length, 2, dictionary, new Float32Array(9))).toThrow(
      "encoded values end after 8 of 9",
    );
  });
});
