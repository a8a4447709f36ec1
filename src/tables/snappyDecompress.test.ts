import { snappyUncompress } from "hyparquet";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { describe, expect, it } from "vitest";

import { snappyDecompress } from "./snappyDecompress.js";

/** Bytes with long literals, short and long repeats, and overlapping runs, from a fixed seed. */
function sampleBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  for (let i = 0; i < length;) {
    const mode = next() % 4;
    const run = 1 + (next() % 200);
    for (let j = 0; j < run && i < length; j++, i++) {
      if (mode === 0) bytes[i] = next() % 256;
      else if (mode === 1) bytes[i] = 7;
      else if (mode === 2 && i >= 64) bytes[i] = bytes[i - 64] as number;
      else bytes[i] = (i * 31) % 256;
    }
  }
  return bytes;
}

describe("snappyDecompress", () => {
  it("gives back what snappy compressed, across literal and back-reference kinds", () => {
    for (const [length, seed] of [
      [0, 1],
      [1, 2],
      [100, 3],
      [70_000, 4],
      [100_000, 5],
    ] as const) {
      const original = sampleBytes(length, seed);
      const compressed = snappyCompress(original);
      expect(snappyDecompress(compressed, length)).toEqual(original);
    }
  });

  it("agrees with hyparquet's own decompressor on float32 data", () => {
    const floats = Float32Array.from({ length: 20_000 }, (_, i) => Math.round(Math.sin(i) * 1e4) / 1e4);
    const original = new Uint8Array(floats.buffer);
    const compressed = snappyCompress(original);
    const reference = new Uint8Array(original.length);
    snappyUncompress(compressed, reference);
    expect(snappyDecompress(compressed, original.length)).toEqual(reference);
  });

  it("rejects data whose length preamble disagrees with the page header", () => {
    const compressed = snappyCompress(new Uint8Array(10));
    expect(() => snappyDecompress(compressed, 11)).toThrow(/holds 10 bytes where the page header says 11/);
  });

  it("rejects a back-reference before the start of the data", () => {
    // Preamble 4, then a 1-byte-offset copy of 4 bytes from 1 byte back with nothing written yet.
    expect(() => snappyDecompress(Uint8Array.of(4, 0b000_000_01, 1), 4)).toThrow(/outside the data/);
  });

  it("rejects data that stops short of its declared length", () => {
    // Preamble 8, then a 2-byte literal only.
    expect(() => snappyDecompress(Uint8Array.of(8, 0b000001_00, 1, 2), 8)).toThrow(/ends after 2 of 8 bytes/);
  });
});
