import { describe, expect, it } from "vitest";

import { JsonColumnBuilder, NumberTextBytes } from "./jsonColumnBuilder.js";

/** A builder that keeps text, with the bytes its text goes in. */
function textBuilder(): { builder: JsonColumnBuilder; bytes: NumberTextBytes } {
  const bytes = new NumberTextBytes(16);
  return { builder: new JsonColumnBuilder(bytes), bytes };
}

/** Each row's number text as a string, which takes what `bytes` held. */
function texts({
  builder,
  bytes,
}: {
  builder: JsonColumnBuilder;
  bytes: NumberTextBytes;
}): string[] | undefined {
  const text = builder.numberText(bytes.take());
  if (text === undefined) return undefined;
  const decoder = new TextDecoder();
  return Array.from(text.ends, (end, row) => decoder.decode(text.bytes.subarray(text.starts[row], end)));
}

/** Adds `source` as the reader would: the line copied in, its text marked when that is String's (-1 otherwise). */
function addNumber(
  { builder, bytes }: { builder: JsonColumnBuilder; bytes?: NumberTextBytes },
  source: string,
): void {
  const value = Number(source);
  const line = Buffer.from(`{"n":${source}}`);
  const base = bytes === undefined ? 0 : bytes.append(line, 0, line.length);
  builder.numberWithText(value, base + 5, String(value) === source ? base + 5 + source.length : -1);
}

describe("JsonColumnBuilder", () => {
  it("keeps a column of doubles with each number's text as the writers write it", () => {
    const column = textBuilder();
    for (const source of ["0.5", "-1.0", "1e3", "1E-7", "-0.0", "2.25", "0.000001"])
      addNumber(column, source);
    column.builder.number(0.1);
    expect(texts(column)).toEqual(["0.5", "-1", "1000", "1e-7", "0", "2.25", "0.000001", "0.1"]);
    expect(column.builder.take()).toEqual(new Float64Array([0.5, -1, 1000, 1e-7, -0, 2.25, 0.000001, 0.1]));
    // Taking starts the column afresh, text included.
    addNumber(column, "7.5");
    expect(texts(column)).toEqual(["7.5"]);
  });

  it("grows past its first arrays and keeps every row's text", () => {
    const column = textBuilder();
    const sources = Array.from({ length: 5000 }, (_, row) => `${row}.${"5".repeat(1 + (row % 12))}`);
    for (const source of sources) addNumber(column, source);
    expect(texts(column)).toEqual(sources);
    expect(Array.from(column.builder.take() as Float64Array)).toEqual(sources.map(Number));
  });

  it("gives no text for a column of cells, of integers, with a number no writer writes as one, or unasked", () => {
    const cells = textBuilder();
    addNumber(cells, "0.5");
    cells.builder.cell("x");
    expect(texts(cells)).toBeUndefined();
    expect(cells.builder.take()).toEqual([0.5, "x"]);

    const integers = textBuilder();
    addNumber(integers, "1");
    addNumber(integers, "2.0");
    expect(texts(integers)).toBeUndefined();
    expect(integers.builder.take()).toEqual([1, 2]);

    const unwanted = new JsonColumnBuilder();
    addNumber({ builder: unwanted }, "0.5");
    expect(unwanted.numberText(new Uint8Array(0))).toBeUndefined();
    expect(unwanted.take()).toEqual(new Float64Array([0.5]));

    const infinite = textBuilder();
    addNumber(infinite, "0.5");
    infinite.builder.number(Number.POSITIVE_INFINITY);
    expect(texts(infinite)).toBeUndefined();
    expect(infinite.builder.take()).toEqual(new Float64Array([0.5, Number.POSITIVE_INFINITY]));
  });
});
