import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "./openTable.js";
import { openTableWriter } from "./openTableWriter.js";
import { parquetText } from "./parquetText.js";
import type { CellValue } from "./tableChunk.js";

const FEFF = "\uFEFF";
const utf8 = new TextEncoder();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-parquet-text-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(
  path: string,
  columns?: readonly string[],
): Promise<{ columns: readonly string[]; cells: Record<string, CellValue[]> }> {
  const cells: Record<string, CellValue[]> = {};
  let names: readonly string[] = [];
  for await (const chunk of openTable(path, { columns }).chunks()) {
    names = chunk.columns;
    for (const name of columns ?? chunk.columns) (cells[name] ??= []).push(...chunk.column(name));
  }
  return { columns: names, cells };
}

/** A file of a UTF8 column (kept as stored) and an ENUM one (read as cells), each of the given bytes. */
async function textFile(name: string, values: (Uint8Array | null)[]): Promise<string> {
  const path = join(dir, name);
  const bytes = parquetWriteBuffer({
    schema: [
      { name: "root", num_children: 2 },
      { name: "s", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
      { name: "e", type: "BYTE_ARRAY", converted_type: "ENUM", repetition_type: "OPTIONAL" },
    ],
    columnData: [
      { name: "s", data: values, statistics: false },
      { name: "e", data: values, statistics: false },
    ],
  });
  await writeFile(path, new Uint8Array(bytes));
  return path;
}

describe("Parquet text", () => {
  it("reads a value's leading U+FEFF as part of it, as pyarrow does", async () => {
    const values = [`${FEFF}a`, "b", `${FEFF}${FEFF}`, FEFF, `x${FEFF}`];
    const path = await textFile("feff-values.parquet", [...values.map((v) => utf8.encode(v)), null]);
    const { cells } = await readAll(path);
    expect(cells).toEqual({ s: [...values, null], e: [...values, null] });
  });

  it("reads invalid UTF-8 as U+FFFD, as hyparquet's decoder did", async () => {
    const path = await textFile("invalid-utf8.parquet", [
      Uint8Array.of(0xff, 0x61),
      Uint8Array.of(0xef, 0xbb),
    ]);
    const { cells } = await readAll(path);
    expect(cells).toEqual({ s: ["\uFFFDa", "\uFFFD"], e: ["\uFFFDa", "\uFFFD"] });
    expect(parquetText(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toBe(`${FEFF}a`);
  });

  it("reads back the names and text FlowOps wrote with a leading U+FEFF, also when a column is picked", async () => {
    const path = join(dir, "written.parquet");
    const writer = openTableWriter(path, "parquet", [`${FEFF}id`, "f0"]);
    await writer.write({ [`${FEFF}id`]: [`${FEFF}r0`, "r1", null], f0: [0.5, 1, 2] });
    await writer.close();
    expect(await readAll(path)).toEqual({
      columns: [`${FEFF}id`, "f0"],
      cells: { [`${FEFF}id`]: [`${FEFF}r0`, "r1", null], f0: [0.5, 1, 2] },
    });
    expect(await readAll(path, [`${FEFF}id`])).toEqual({
      columns: [`${FEFF}id`, "f0"],
      cells: { [`${FEFF}id`]: [`${FEFF}r0`, "r1", null] },
    });
  });
});
