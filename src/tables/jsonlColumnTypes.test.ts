/**
 * The first pass's column types on a whole JSON Lines file; each expectation is the dtype pandas 3.1.1's
 * `pd.read_json(path, lines=True)` gives the same file, where a part of it alone would give another.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { blockTempDir } from "../../test/support/blockTempDir.js";
import { floatLiteralKeys } from "./jsonFloatLiterals.js";
import { jsonlColumnTypes } from "./jsonlColumnTypes.js";
import type { PandasJsonType } from "./pandasJsonCells.js";

const dir = blockTempDir("flowops-jsonl-column-types-");

async function typesOf(
  lines: readonly string[],
  columns?: readonly string[],
): Promise<Record<string, unknown>> {
  const path = join(dir(), "file.jsonl");
  await writeFile(path, lines.join("\n") + "\n");
  const kind = (type: PandasJsonType): unknown =>
    type.kind === "kept" ? type.dtype : type.kind === "dates" ? type.dates.dtype : type.kind;
  return Object.fromEntries(
    [...(await jsonlColumnTypes(path, columns))].map(([name, type]) => [name, kind(type)]),
  );
}

describe("jsonlColumnTypes", () => {
  it("types each column on all rows, lines JSON.parse reads (nested, escaped, big integers) included", async () => {
    expect(
      await typesOf([
        '{"i":1,"b":true,"s":"a","o":1,"big":1}',
        "",
        '{"i":2,"b":false,"s":"b\\"q","o":[1],"big":9223372036854775807}',
        '{"b":true,"i":null,"s":null,"o":2,"big":3}',
      ]),
    ).toEqual({ i: "float64", b: "bool", s: "str", o: "object", big: "int64" });
  });

  it("types a date column on all rows, and only the columns asked for", async () => {
    const lines = ['{"x":"a","created_at":1577836800}', '{"x":1,"created_at":1577836800000000}'];
    expect(await typesOf(lines, ["created_at"])).toEqual({
      created_at: { kind: "datetime", unit: "us", utcOffsetMinutes: null },
    });
  });

  it("remembers the rows of an object column whose whole number the file wrote as a float", async () => {
    const path = join(dir(), "floats.jsonl");
    await writeFile(
      path,
      '{"x":"a"}\n{"x":1.0}\n{"x":1}\n{ "x" : 1E2 }\n{"x":[1.0],"y":2}\n{"y":"q","x":-0.0}\n',
    );
    const type = (await jsonlColumnTypes(path)).get("x");
    expect(type?.kind === "kept" && [0, 1, 2, 3, 4, 5].map((r) => type.wholeFloats?.has(r))).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
  });
});

describe("floatLiteralKeys", () => {
  it("finds the top-level numbers written with a fraction or exponent, past strings and nested values", () => {
    expect([
      ...floatLiteralKeys('{"a":1.0,"b":1,"c":"1.0","d":{"e":2.0},"f\\"":-1e3,"g":[1.5],"h":true}'),
    ]).toEqual(["a", 'f"']);
    expect([...floatLiteralKeys('{"a":1.0,"a":1}')]).toEqual([]);
  });
});
