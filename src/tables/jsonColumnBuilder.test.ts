import { describe, expect, it } from "vitest";

import { JsonColumnBuilder } from "./jsonColumnBuilder.js";

/** Each row's number text as a string. */
function texts(builder: JsonColumnBuilder): string[] | undefined {
  const text = builder.numberText();
  if (text === undefined) return undefined;
  const decoder = new TextDecoder();
  return Array.from(text.ends, (end, row) =>
    decoder.decode(text.bytes.subarray(row === 0 ? 0 : (text.ends[row - 1] as number), end)),
  );
}

/** Adds `source` as the scanner would: its text when that is String's (end -1 otherwise). */
function addNumber(builder: JsonColumnBuilder, source: string): void {
  const value = Number(source);
  const line = `{"n":${source}}`;
  builder.numberWithText(value, line, 5, String(value) === source ? 5 + source.length : -1);
}

describe("JsonColumnBuilder", () => {
  it("keeps a column of doubles with each number's text as the writers write it", () => {
    const builder = new JsonColumnBuilder();
    for (const source of ["0.5", "-1.0", "1e3", "1E-7", "-0.0", "2.25", "0.000001"])
      addNumber(builder, source);
    builder.number(0.1);
    expect(texts(builder)).toEqual(["0.5", "-1", "1000", "1e-7", "0", "2.25", "0.000001", "0.1"]);
    expect(builder.take()).toEqual(new Float64Array([0.5, -1, 1000, 1e-7, -0, 2.25, 0.000001, 0.1]));
    // Taking starts the column afresh, text included.
    addNumber(builder, "7.5");
    expect(texts(builder)).toEqual(["7.5"]);
  });

  it("grows past its first arrays and keeps every row's text", () => {
    const builder = new JsonColumnBuilder();
    const sources = Array.from({ length: 5000 }, (_, row) => `${row}.${"5".repeat(1 + (row % 12))}`);
    for (const source of sources) addNumber(builder, source);
    expect(texts(builder)).toEqual(sources);
    expect(Array.from(builder.take() as Float64Array)).toEqual(sources.map(Number));
  });

  it("gives no text for a column of cells, of integers, with a number no writer writes as one, or unasked", () => {
    const cells = new JsonColumnBuilder();
    addNumber(cells, "0.5");
    cells.cell("x");
    expect(texts(cells)).toBeUndefined();
    expect(cells.take()).toEqual([0.5, "x"]);

    const integers = new JsonColumnBuilder();
    addNumber(integers, "1");
    addNumber(integers, "2.0");
    expect(texts(integers)).toBeUndefined();
    expect(integers.take()).toEqual([1, 2]);

    const unwanted = new JsonColumnBuilder(false);
    addNumber(unwanted, "0.5");
    expect(texts(unwanted)).toBeUndefined();
    expect(unwanted.take()).toEqual(new Float64Array([0.5]));

    const infinite = new JsonColumnBuilder();
    addNumber(infinite, "0.5");
    infinite.number(Number.POSITIVE_INFINITY);
    expect(texts(infinite)).toBeUndefined();
    expect(infinite.take()).toEqual(new Float64Array([0.5, Number.POSITIVE_INFINITY]));
  });
});
