import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { PageHeader } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { ByteWriter } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { checkColumnChunkPages, type ColumnChunkLayout } from "./parquetColumnChunkCheck.js";
import { pageHeaderProblem } from "./parquetPageHeaderCheck.js";
import { ParquetTableSource } from "./parquetReader.js";
import { Rng, fuzzInput } from "./tableInputFuzzFixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-chunk-check-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An OPTIONAL flat column's chunk of 3 rows at file byte 100. */
const OPTIONAL_CHUNK: ColumnChunkLayout = {
  group: 1,
  column: "id",
  start: 100,
  end: 0,
  codec: "UNCOMPRESSED",
  boolean: false,
  maxDefinitionLevel: 1,
  maxRepetitionLevel: 0,
  flatRows: 3,
};

/** Header then body; a header given with a field left out is written without it. */
function page(header: object, body: readonly number[]): Uint8Array {
  const writer = new ByteWriter();
  writePageHeader(writer, header as Parameters<typeof writePageHeader>[1]);
  return new Uint8Array([...new Uint8Array(writer.getBuffer()), ...body]);
}

function v2Page(levels: readonly number[], fields: Record<string, unknown> = {}): Uint8Array {
  const values = [1, 2, 3];
  const size = levels.length + values.length;
  return page(
    {
      type: "DATA_PAGE_V2",
      uncompressed_page_size: size,
      compressed_page_size: size,
      data_page_header_v2: {
        num_values: 3,
        num_nulls: 0,
        num_rows: 3,
        encoding: "PLAIN",
        definition_levels_byte_length: levels.length,
        repetition_levels_byte_length: 0,
        is_compressed: false,
        ...fields,
      },
    },
    [...levels, ...values],
  );
}

function check(bytes: Uint8Array, chunk: ColumnChunkLayout = OPTIONAL_CHUNK): void {
  checkColumnChunkPages(bytes, { ...chunk, end: chunk.start + bytes.length }, parquetHeader);
}

describe("Parquet column chunk check", () => {
  it("refuses fuzz case 400070 (a DATA_PAGE_V2 header without its repetition level length) instead of spinning", async () => {
    // Before the check hyparquet read the levels at a NaN offset, which re-reads byte 0 forever.
    const input = fuzzInput("parquet", new Rng(400070));
    const path = join(dir, "fuzz-400070.parquet");
    await writeFile(path, input.bytes);
    const read = async (): Promise<void> => {
      for await (const chunk of new ParquetTableSource(path, { chunkRows: 2 }).chunks()) void chunk;
    };
    await expect(read()).rejects.toThrow(FlowOpsError);
    await expect(read()).rejects.toThrow(
      `${path}: cannot read rows 5-7 as Parquet (column 'id' of row group 2, page at byte 127: ` +
        "DATA_PAGE_V2 header lacks repetition_levels_byte_length)",
    );
  });

  it("refuses fuzz case 400072 (a footer whose row group lost its num_rows) instead of reading NaN rows", async () => {
    // Before, windows were cut at NaN and every column "gave 0 values for NaN rows".
    const path = join(dir, "fuzz-400072.parquet");
    await writeFile(path, fuzzInput("parquet", new Rng(400072)).bytes);
    await expect(new ParquetTableSource(path, { chunkRows: 2 }).columns()).rejects.toThrow(
      /^.*fuzz-400072\.parquet: cannot read its footer as Parquet \(the footer's row group 2 num_rows is .*, not a row count\)$/,
    );
  });

  it("passes well-formed version 2 pages", () => {
    expect(() => check(v2Page([6, 1]))).not.toThrow();
  });

  it("refuses a DATA_PAGE_V2 header without repetition_levels_byte_length", () => {
    const bytes = v2Page([6, 1], { repetition_levels_byte_length: undefined });
    expect(() => check(bytes)).toThrow(
      "column 'id' of row group 2, page at byte 100: DATA_PAGE_V2 header lacks repetition_levels_byte_length",
    );
  });

  it("refuses a level run that repeats a value more times than the page has values", () => {
    // A run of 2^20 ones (header 2^21 as a varint) where the page has 3 values.
    expect(() => check(v2Page([0x80, 0x80, 0x80, 0x01, 1]))).toThrow(
      "page at byte 100: definition levels: the run at their byte 0 repeats a value 1048576 times where 3 are left",
    );
  });

  it("refuses bit-packed levels with more groups than the values need, or bytes past their section", () => {
    expect(() => check(v2Page([(2 << 1) | 1, 0xff, 0xff]))).toThrow(
      "definition levels: the run at their byte 0 packs 16 values where 3 are left",
    );
    expect(() => check(v2Page([(1 << 1) | 1]))).toThrow(
      "definition levels: the run at their byte 0 runs past their end",
    );
  });

  it("refuses levels that end before the page's values", () => {
    expect(() => check(v2Page([4, 1]))).toThrow("definition levels: the runs end after 2 of 3 values");
  });

  it("refuses a version 1 page of an uncompressed chunk whose level run exceeds num_values", () => {
    const levels = [0x80, 0x80, 0x80, 0x01, 1];
    const bytes = page(
      {
        type: "DATA_PAGE",
        uncompressed_page_size: 4 + levels.length,
        compressed_page_size: 4 + levels.length,
        data_page_header: {
          num_values: 3,
          encoding: "PLAIN",
          definition_level_encoding: "RLE",
          repetition_level_encoding: "RLE",
        },
      },
      [levels.length, 0, 0, 0, ...levels],
    );
    expect(() => check(bytes)).toThrow("repeats a value 1048576 times where 3 are left");
  });

  it("refuses a page that runs past its column chunk or holds more rows than the row group", () => {
    const bytes = v2Page([6, 1]);
    expect(() => check(bytes.subarray(0, bytes.length - 1))).toThrow("runs past its column chunk");
    expect(() => check(bytes, { ...OPTIONAL_CHUNK, flatRows: 2 })).toThrow(
      "the pages hold more rows than the 2 of the row group",
    );
  });

  it("names required fields that are missing or not counts", () => {
    const v2 = {
      type: "DATA_PAGE_V2",
      uncompressed_page_size: 5,
      compressed_page_size: 5,
      data_page_header_v2: {
        num_values: 3,
        num_nulls: 0,
        num_rows: 3,
        encoding: "PLAIN",
        definition_levels_byte_length: 2,
        repetition_levels_byte_length: 0,
        is_compressed: true,
      },
    } as PageHeader;
    const changed = (fields: object): PageHeader =>
      ({ ...v2, data_page_header_v2: { ...v2.data_page_header_v2, ...fields } }) as PageHeader;
    expect(pageHeaderProblem(v2)).toBeUndefined();
    expect(pageHeaderProblem({ ...v2, compressed_page_size: -11n } as unknown as PageHeader)).toBe(
      "page header has compressed_page_size -11",
    );
    expect(pageHeaderProblem(changed({ num_nulls: 4 }))).toBe(
      "DATA_PAGE_V2 header has 4 nulls among 3 values",
    );
    expect(pageHeaderProblem(changed({ definition_levels_byte_length: 6 }))).toBe(
      "DATA_PAGE_V2 header has 6 bytes of levels in a page of 5",
    );
    expect(pageHeaderProblem({ ...v2, type: "DATA_PAGE" })).toBe(
      "the page header lacks its data_page_header",
    );
    expect(
      pageHeaderProblem({
        type: "DICTIONARY_PAGE",
        uncompressed_page_size: 0,
        compressed_page_size: 0,
        dictionary_page_header: { num_values: 0 },
      } as unknown as PageHeader),
    ).toBe("DICTIONARY_PAGE header lacks a known encoding");
  });
});
