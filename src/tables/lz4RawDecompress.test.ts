import { describe, expect, it } from "vitest";

import { lz4RawDecompress } from "./lz4RawDecompress.js";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const ascii = (value: string): number[] => Array.from(new TextEncoder().encode(value));

describe("lz4RawDecompress", () => {
  it("copies literals and overlapping back-references", () => {
    // "abc", then a match of 9 at offset 3 (token 0x35: 3 literals, 9 - 4 = 5), then the last literals "xyz".
    const block = new Uint8Array([0x35, ...ascii("abc"), 3, 0, 0x30, ...ascii("xyz")]);
    expect(text(lz4RawDecompress(block, 15))).toBe("abcabcabcabcxyz");
  });

  it("reads lengths that continue past their nibble, with bulk copies of long runs", () => {
    const literals = "0123456789abcdefghijklmnopqrst"; // 30 = 15 + 15
    const tail = "END!!";
    // 30 literals, then a match of 20 at offset 30 (20 - 4 = 16 = 15 + 1), then the last 5 literals.
    const block = new Uint8Array([0xff, 15, ...ascii(literals), 30, 0, 1, 0x50, ...ascii(tail)]);
    const expected = literals + literals.slice(0, 20) + tail;
    expect(text(lz4RawDecompress(block, expected.length))).toBe(expected);
  });

  it("rejects blocks that reach outside their data or do not fill the page", () => {
    expect(() => lz4RawDecompress(new Uint8Array([0x10, 97, 5, 0]), 8)).toThrow(/match offset 5/);
    expect(() => lz4RawDecompress(new Uint8Array([0x30, 97]), 3)).toThrow(/run past the data/);
    expect(() => lz4RawDecompress(new Uint8Array([0x20, 97, 98]), 3)).toThrow(/holds 2 bytes/);
    expect(() => lz4RawDecompress(new Uint8Array([0x1f, 97, 1, 0]), 40)).toThrow(/truncated length/);
  });
});
