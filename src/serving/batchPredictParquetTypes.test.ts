/**
 * Regression: Parquet input columns that batch prediction only passes through kept their values but lost their
 * types (INT32 with nulls became DOUBLE, timestamps and dates ISO text with "Z" and no microseconds, DECIMAL
 * DOUBLE, UINT_64 text). Fixtures are written with FlowOps' own Parquet writer, in the types pyarrow writes.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../tables/openTable.js";
import { STORED_PARSERS, StoredParquetColumn } from "../tables/parquetStoredColumns.js";
import { ParquetTableWriter } from "../tables/parquetWriter.js";
import { batchPredict } from "./batchPredict.js";
import { doublingModel } from "./batchPredictFixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-parquet-types-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const doubling = doublingModel;

const optional = { repetition_type: "OPTIONAL" } as const;
const ELEMENTS: SchemaElement[] = [
  { name: "a", ...optional, type: "DOUBLE" },
  { name: "n", ...optional, type: "INT32" },
  {
    name: "ts",
    ...optional,
    type: "INT64",
    converted_type: "TIMESTAMP_MICROS",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MICROS" },
  },
  {
    name: "tz",
    ...optional,
    type: "INT64",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "NANOS" },
  },
  { name: "d", ...optional, type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } },
  {
    name: "dec",
    ...optional,
    type: "FIXED_LEN_BYTE_ARRAY",
    type_length: 9,
    converted_type: "DECIMAL",
    scale: 2,
    precision: 20,
    logical_type: { type: "DECIMAL", scale: 2, precision: 20 },
  },
  { name: "u64", ...optional, type: "INT64", converted_type: "UINT_64" },
  { name: "i8", ...optional, type: "INT32", converted_type: "INT_8" },
];
/** Rows 1-2 and 3-4 are parts of their own (partRows 2): `n` has a null only in the second. */
const VALUES: Record<string, unknown[]> = {
  a: [1, 2, 3, 4],
  n: [1, 2, null, 4],
  ts: [1_704_103_200_123_456n, null, -1n, 0n],
  tz: [1_704_103_200_123_456_789n, 5n, null, 0n],
  d: [19_724, null, -3527, 0],
  dec: [123n, null, -9_999_999_999_999_999_999n, 0n],
  u64: [1n, 2n ** 64n - 1n, null, 0n],
  i8: [1, -2, null, 127],
};

async function typedInput(): Promise<string> {
  const path = join(dir, "typed.parquet");
  const writer = new ParquetTableWriter(
    path,
    ELEMENTS.map((element) => element.name),
  );
  const batch: Record<string, StoredParquetColumn> = {};
  for (const element of ELEMENTS) {
    const values = VALUES[element.name] as never;
    batch[element.name] = new StoredParquetColumn(element, values);
  }
  await writer.write(batch);
  await writer.close();
  return path;
}

async function predict(output: string): Promise<void> {
  const input = await typedInput();
  await batchPredict(doubling, {
    input: openTable(input),
    output,
    batchSize: 2,
    partRows: 2,
    columns: ["a"],
  });
}

function arrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
}

describe("batchPredict passthrough Parquet columns", () => {
  it("keeps their Parquet types and stored values in Parquet output", async () => {
    const output = join(dir, "out.parquet");
    await predict(output);
    const file = arrayBuffer(await readFile(output));
    const metadata = parquetMetadata(file);
    const elements = parquetSchema(metadata).children.map((child) => child.element);
    for (const expected of ELEMENTS) {
      const got = elements.find((element) => element.name === expected.name);
      expect(got?.type, expected.name).toBe(expected.type);
      expect(got?.converted_type, expected.name).toBe(expected.converted_type);
      expect(got?.logical_type, expected.name).toEqual(expected.logical_type);
      expect([got?.scale, got?.precision], expected.name).toEqual([expected.scale, expected.precision]);
    }
    // Decimals come back unscaled here, as stored.
    const { converted_type: _c, logical_type: _l, ...physicalDecimal } = ELEMENTS[5] as SchemaElement;
    const physical = {
      ...metadata,
      schema: metadata.schema.map((e) => (e.name === "dec" ? physicalDecimal : e)),
    };
    const rows = await parquetReadObjects({ file, metadata: physical as never, parsers: STORED_PARSERS });
    for (const [name, values] of Object.entries(VALUES)) {
      const got = rows.map((row) => (row as Record<string, unknown>)[name] ?? null);
      if (name === "dec") {
        const unscaled = got.map((bytes) =>
          bytes === null
            ? null
            : BigInt.asIntN(72, BigInt(`0x${Buffer.from(bytes as Uint8Array).toString("hex")}`)),
        );
        expect(unscaled, name).toEqual(values);
      } else {
        expect(got, name).toEqual(values);
      }
    }
  });

  it("writes them to CSV as pandas' to_csv does: no Z on naive times, every microsecond, exact decimals", async () => {
    const output = join(dir, "out.csv");
    await predict(output);
    expect((await readFile(output, "utf8")).split("\n")).toEqual([
      "a,n,ts,tz,d,dec,u64,i8,p",
      // The DOUBLE column and the FP64 prediction as pandas writes floats; integer columns with nulls stay
      // integers (pandas, deciding on the whole file, writes them as floats: 1.0).
      "1.0,1,2024-01-01 10:00:00.123456,2024-01-01 10:00:00.123456789+00:00,2024-01-02,1.23,1,1,2.0",
      "2.0,2,,1970-01-01 00:00:00.000000005+00:00,,,18446744073709551615,-2,4.0",
      "3.0,,1969-12-31 23:59:59.999999,,1960-05-06,-99999999999999999.99,,,6.0",
      // Fraction digits are chosen per part, as pandas chooses them per chunk it writes.
      "4.0,4,1970-01-01 00:00:00.000000,1970-01-01 00:00:00+00:00,1970-01-01,0.00,0,127,8.0",
      "",
    ]);
  });

  it("writes them to JSON Lines as pandas' ISO dates at the column's unit, decimals as text", async () => {
    const output = join(dir, "out.jsonl");
    await predict(output);
    const rows = (await readFile(output, "utf8"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(rows[0]).toEqual({
      a: 1,
      n: 1,
      ts: "2024-01-01T10:00:00.123456",
      tz: "2024-01-01T10:00:00.123456789Z",
      d: "2024-01-02T00:00:00.000",
      dec: "1.23",
      u64: 1,
      i8: 1,
      p: 2,
    });
    expect(rows[2]).toMatchObject({
      n: null,
      ts: "1969-12-31T23:59:59.999999",
      dec: "-99999999999999999.99",
    });
  });
});
