import { describe, expect, it } from "vitest";

import { int64Words, safeInt64At } from "./int64Words.js";

describe("safeInt64At", () => {
  it("gives each safe integer exactly and refuses the rest, signed and unsigned", () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    const signed = BigInt64Array.of(
      0n,
      -1n,
      42n,
      -42n,
      max,
      -max,
      max + 1n,
      -max - 1n,
      2n ** 63n - 1n,
      -(2n ** 63n),
    );
    const words = int64Words(signed)!;
    expect(Array.from(signed, (_, i) => safeInt64At(words, i, true))).toEqual([
      0,
      -1,
      42,
      -42,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const unsigned = BigUint64Array.of(0n, 2n ** 32n + 5n, max, max + 1n, 2n ** 64n - 1n);
    const unsignedWords = int64Words(unsigned)!;
    expect(Array.from(unsigned, (_, i) => safeInt64At(unsignedWords, i, false))).toEqual([
      0,
      2 ** 32 + 5,
      Number.MAX_SAFE_INTEGER,
      undefined,
      undefined,
    ]);
  });

  it("reads a subarray's own elements", () => {
    const values = BigInt64Array.of(1n, 2n, 3n).subarray(1);
    expect(safeInt64At(int64Words(values)!, 0, true)).toBe(2);
  });
});
