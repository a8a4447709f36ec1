/**
 * Regression: Parquet TIME columns that batch prediction passes through went to CSV and JSON Lines as their
 * stored integers, BYTE_ARRAY decimals became doubles (losing digits and their DECIMAL type), and JSON Lines
 * decimals were written as `str(Decimal)` ("1E-10") where pandas writes them in fixed point. INT96 timestamps
 * already came through; they are checked here too. The expected text is what pandas 3.1 writes for the same file
 * after `pd.read_parquet` (pyarrow 25): `to_csv`, and `to_json(orient="records", lines=True)`.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../tables/openTable.js";
import { int96File } from "../tables/parquetInt96Fixtures.js";
import { StoredParquetColumn, storedReadMetadata } from "../tables/parquetStoredColumns.js";
import { ParquetTableWriter } from "../tables/parquetWriter.js";
import { batchPredict } from "./batchPredict.js";
import { doublingModel } from "./batchPredictFixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-parquet-times-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const optional = { repetition_type: "OPTIONAL" } as const;
const time = (unit: "MILLIS" | "MICROS" | "NANOS") =>
  ({ type: "TIME", isAdjustedToUTC: false, unit }) as const;
const decimal = (scale: number, precision: number) =>
  ({
    converted_type: "DECIMAL",
    scale,
    precision,
    logical_type: { type: "DECIMAL", scale, precision },
  }) as const;

const ELEMENTS: SchemaElement[] = [
  { name: "a", ...optional, type: "DOUBLE" },
  { name: "tms", ...optional, type: "INT32", logical_type: time("MILLIS") },
  { name: "tus", ...optional, type: "INT64", logical_type: time("MICROS") },
  { name: "tns", ...optional, type: "INT64", logical_type: time("NANOS") },
  // Legacy annotation only, as old writers left it.
  { name: "tlegacy", ...optional, type: "INT32", converted_type: "TIME_MILLIS" },
  // Without nulls, the reader may hold it as a typed array of its integers.
  { name: "treq", repetition_type: "REQUIRED", type: "INT32", logical_type: time("MILLIS") },
  { name: "dba", ...optional, type: "BYTE_ARRAY", ...decimal(10, 40) },
  { name: "d32", ...optional, type: "INT32", ...decimal(2, 5) },
  { name: "d64", ...optional, type: "INT64", ...decimal(10, 18) },
];
/** Rows 1-2 and 3-4 are parts of their own (partRows 2). */
const VALUES: Record<string, unknown[]> = {
  a: [1, 2, 3, 4],
  tms: [45_296_789, null, 0, 86_399_001],
  tus: [45_296_789_012n, null, 0n, 1n],
  tns: [45_296_789_012_000n, null, 0n, 3_600_000_000_000n],
  tlegacy: [1, null, 45_296_000, 0],
  treq: [45_296_000, 1, 2, 3_723_000],
  // hyparquet-writer writes a BYTE_ARRAY decimal's zero as no bytes, which pyarrow refuses: no zero here.
  dba: [12_345_678_901_234_567_890_123_456_789n, null, -1n, 10_000_000_000n],
  d32: [150n, null, -1n, 99_999n],
  d64: [1n, null, -12_345_678_901n, 0n],
};

async function timesInput(): Promise<string> {
  const path = join(dir, "times.parquet");
  const writer = new ParquetTableWriter(
    path,
    ELEMENTS.map((element) => element.name),
  );
  const batch: Record<string, StoredParquetColumn> = {};
  for (const element of ELEMENTS) {
    batch[element.name] = new StoredParquetColumn(element, VALUES[element.name] as never);
  }
  await writer.write(batch);
  await writer.close();
  return path;
}

async function predict(input: string, output: string): Promise<void> {
  await batchPredict(doublingModel, {
    input: openTable(input),
    output,
    batchSize: 2,
    partRows: 2,
    columns: ["a"],
  });
}

async function jsonRows(path: string): Promise<unknown[]> {
  return (await readFile(path, "utf8"))
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as unknown);
}

async function outputElements(path: string): Promise<SchemaElement[]> {
  const bytes = await readFile(path);
  const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return parquetSchema(metadata).children.map((child) => child.element as SchemaElement);
}

describe("batchPredict passthrough Parquet TIME and DECIMAL columns", () => {
  it("writes times of day to CSV as Python's time.isoformat and decimals as str(Decimal)", async () => {
    const output = join(dir, "times.csv");
    await predict(await timesInput(), output);
    expect((await readFile(output, "utf8")).split("\n")).toEqual([
      "a,tms,tus,tns,tlegacy,treq,dba,d32,d64,p",
      "1.0,12:34:56.789000,12:34:56.789012,12:34:56.789012,00:00:00.001000,12:34:56,1234567890123456789.0123456789,1.50,1E-10,2.0",
      "2.0,,,,,00:00:00.001000,,,,4.0",
      "3.0,00:00:00,00:00:00,00:00:00,12:34:56,00:00:00.002000,-1E-10,-0.01,-1.2345678901,6.0",
      "4.0,23:59:59.001000,00:00:00.000001,01:00:00,00:00:00,01:02:03,1.0000000000,999.99,0E-10,8.0",
      "",
    ]);
  });

  it("writes times of day to JSON Lines as CSV does, and decimals as fixed-point text", async () => {
    const output = join(dir, "times.jsonl");
    await predict(await timesInput(), output);
    const rows = await jsonRows(output);
    expect(rows[0]).toEqual({
      a: 1,
      tms: "12:34:56.789000",
      tus: "12:34:56.789012",
      tns: "12:34:56.789012",
      tlegacy: "00:00:00.001000",
      treq: "12:34:56",
      dba: "1234567890123456789.0123456789",
      d32: "1.50",
      d64: "0.0000000001",
      p: 2,
    });
    expect(rows[2]).toMatchObject({ tms: "00:00:00", dba: "-0.0000000001", d64: "-1.2345678901" });
    expect(rows[3]).toMatchObject({ tus: "00:00:00.000001", treq: "01:02:03", d64: "0.0000000000" });
  });

  it("keeps TIME types in Parquet output, and a BYTE_ARRAY decimal as a fixed-length one, as pyarrow rewrites it", async () => {
    const output = join(dir, "times.parquet.out.parquet");
    await predict(await timesInput(), output);
    const elements = await outputElements(output);
    const byName = new Map(elements.map((element) => [element.name, element]));
    for (const name of ["tms", "tus", "tns", "treq"]) {
      const expected = ELEMENTS.find((element) => element.name === name) as SchemaElement;
      expect([byName.get(name)?.type, byName.get(name)?.logical_type], name).toEqual([
        expected.type,
        expected.logical_type,
      ]);
    }
    expect(byName.get("tlegacy")?.converted_type).toBe("TIME_MILLIS");
    expect(byName.get("dba")).toMatchObject({
      type: "FIXED_LEN_BYTE_ARRAY",
      type_length: 17,
      converted_type: "DECIMAL",
      scale: 10,
      precision: 40,
    });
    expect(byName.get("d32")).toMatchObject({ type: "INT32", converted_type: "DECIMAL", scale: 2 });
    expect(byName.get("d64")).toMatchObject({ type: "INT64", converted_type: "DECIMAL", scale: 10 });
    // Values as stored: times as their integers, decimals unscaled (FIXED_LEN_BYTE_ARRAY as big-endian bytes).
    const bytes = await readFile(output);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    const decimals = new Set(["dba", "d32", "d64"]);
    const metadata = storedReadMetadata(parquetMetadata(file), decimals);
    const rows = (await parquetReadObjects({ file, metadata, utf8: false })) as Record<string, unknown>[];
    for (const [name, values] of Object.entries(VALUES)) {
      const got = rows.map((row) => {
        const value = row[name] ?? null;
        if (!(value instanceof Uint8Array))
          return typeof value === "number" && decimals.has(name) ? BigInt(value) : value;
        return BigInt.asIntN(value.length * 8, BigInt(`0x${Buffer.from(value).toString("hex")}`));
      });
      expect(got, name).toEqual(values);
    }
  });
});

describe("batchPredict passthrough INT96 timestamps", () => {
  async function int96Input(): Promise<string> {
    const path = join(dir, "int96.parquet");
    const nanos = [1_704_103_200_123_456_789n, null, -1n, 1_704_067_200_000_000_000n];
    await writeFile(path, new Uint8Array(int96File([1, 2, 3, 4], "ts", nanos)));
    return path;
  }

  it("writes them to CSV as pandas writes timestamp[ns], to JSON Lines as ISO text in nanoseconds", async () => {
    const input = await int96Input();
    await predict(input, join(dir, "int96.csv"));
    expect((await readFile(join(dir, "int96.csv"), "utf8")).split("\n")).toEqual([
      "a,ts,p",
      "1.0,2024-01-01 10:00:00.123456789,2.0",
      "2.0,,4.0",
      "3.0,1969-12-31 23:59:59.999999999,6.0",
      "4.0,2024-01-01 00:00:00.000000000,8.0",
      "",
    ]);
    await predict(input, join(dir, "int96.jsonl"));
    const rows = await jsonRows(join(dir, "int96.jsonl"));
    expect(rows.map((row) => (row as { ts: unknown }).ts)).toEqual([
      "2024-01-01T10:00:00.123456789",
      null,
      "1969-12-31T23:59:59.999999999",
      "2024-01-01T00:00:00.000000000",
    ]);
  });

  it("writes them to Parquet as INT64 nanosecond timestamps, as pyarrow rewrites them", async () => {
    const output = join(dir, "int96.out.parquet");
    await predict(await int96Input(), output);
    const ts = (await outputElements(output)).find((element) => element.name === "ts");
    expect(ts).toMatchObject({
      type: "INT64",
      logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "NANOS" },
    });
  });
});
