import { parquetHeader } from "hyparquet/src/column.js";
import { ByteWriter } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { CheckedColumnChunks } from "./parquetCheckedChunks.js";
import { checkColumnChunkPages, type ColumnChunkLayout } from "./parquetColumnChunkCheck.js";
import {
  doubles,
  hyparquetCells,
  openBytes,
  readCells,
  useScratchDirectory,
  writeV1File,
} from "./parquetPlainColumnsFixtures.js";

useScratchDirectory();

/** A run header repeating a value 2^20 times (2^21 as a varint), then the value 0. */
const HUGE_RUN = [0x80, 0x80, 0x80, 0x01, 0];
const dictionary = doubles(5, 3);

/** Reads every row of a version 1 file of column(s) with a null in each page, which hyparquet decodes. */
async function readV1(
  name: string,
  codec: "SNAPPY" | "UNCOMPRESSED",
  page: { indices: number[]; nulls: number[]; levels?: number[]; runs?: number[] },
  columns?: string[],
): Promise<{ path: string; read: () => Promise<unknown> }> {
  const path = await writeV1File(name, {
    optional: true,
    codec,
    dictionary,
    pages: [{ indices: [0, 1, 2, 3, 4], nulls: [5] }, page],
    ...(columns === undefined ? {} : { columns }),
  });
  return { path, read: () => readCells(path) };
}

describe("Parquet page values check", () => {
  it("refuses a SNAPPY version 1 page whose index run repeats an index 2^20 times for 3 values", async () => {
    // Before, hyparquet wrote all 2^20 indices into an Array sized for 3 (a page of 2^30 went towards OOM).
    const { path, read } = await readV1("huge-index-run.parquet", "SNAPPY", {
      indices: [0, 1, 2],
      nulls: [1],
      runs: HUGE_RUN,
    });
    await expect(read()).rejects.toThrow(FlowOpsError);
    await expect(read()).rejects.toThrow(
      new RegExp(
        `^${path}: cannot read rows 1-10 as Parquet \\(column 'x' of row group 1, page at byte \\d+: ` +
          "dictionary indices: the run at their byte 0 repeats a value 1048576 times where 3 are left\\)$",
      ),
    );
  });

  it("refuses a SNAPPY version 1 page whose definition level run exceeds num_values", async () => {
    const { read } = await readV1("huge-level-run.parquet", "SNAPPY", {
      indices: [0, 1, 2],
      nulls: [1],
      levels: [0x80, 0x80, 0x80, 0x01, 1],
    });
    await expect(read()).rejects.toThrow(
      "definition levels: the run at their byte 0 repeats a value 1048576 times where 4 are left",
    );
  });

  it("counts the nulls out of the values a page's indices must give", async () => {
    // 4 rows, one null: an RLE run of 4 indices is one more than the page stores.
    const { read } = await readV1("index-run-over-nulls.parquet", "SNAPPY", {
      indices: [0, 1, 2],
      nulls: [1],
      runs: [4 << 1, 0],
    });
    await expect(read()).rejects.toThrow(
      "dictionary indices: the run at their byte 0 repeats a value 4 times where 3 are left",
    );
  });

  it("refuses a dictionary index past the dictionary instead of reading it as a null", async () => {
    // Before, index 7 of 5 entries became an undefined value, read as a null cell.
    for (const codec of ["SNAPPY", "UNCOMPRESSED"] as const) {
      const { read } = await readV1(`index-outside-${codec}.parquet`, codec, {
        indices: [0, 7, 2],
        nulls: [1],
      });
      await expect(read()).rejects.toThrow("dictionary index 7 is outside the dictionary's 5 values");
    }
  });

  it("checks the chunks hyparquet copies out of one fetch of several, naming the column", async () => {
    const { read } = await readV1(
      "two-columns.parquet",
      "SNAPPY",
      { indices: [0, 1, 2], nulls: [1], runs: HUGE_RUN },
      ["w", "x"],
    );
    await expect(read()).rejects.toThrow(/column 'w' of row group 1, page at byte \d+: dictionary indices/);
  });

  it("reads valid pages of bit-packed levels and indices as hyparquet alone reads them", async () => {
    const rows = 2000;
    const nulls = Array.from({ length: rows }, (_, i) => i).filter((i) => Math.sin(i * 7.7) > 0.6);
    const indices = Array.from({ length: rows - nulls.length }, (_, i) =>
      Math.floor(Math.abs(Math.sin(i)) * 5),
    );
    for (const codec of ["SNAPPY", "UNCOMPRESSED"] as const) {
      const path = await writeV1File(`bit-packed-${codec}.parquet`, {
        optional: true,
        codec,
        dictionary,
        pages: [{ indices: indices.slice(0, 700), nulls: nulls.filter((i) => i < 700 + 1) }],
        columns: ["w", "x"],
      });
      const expected = await hyparquetCells(path, "x");
      expect(expected.filter((cell) => cell === null).length).toBeGreaterThan(100);
      const { cells } = await readCells(path);
      expect(cells["x"]).toEqual(expected);
      expect(cells["w"]).toEqual(expected);
    }
  });

  it("refuses to decompress a page it was not given through its file, rather than leave it unchecked", async () => {
    const path = await writeV1File("unchecked.parquet", {
      optional: false,
      codec: "SNAPPY",
      dictionary,
      pages: [{ indices: [1, 2] }],
    });
    const { metadata } = await openBytes(path);
    const compressed = snappyCompress(new Uint8Array([1, 2, 3]));
    expect(() => new CheckedColumnChunks(metadata).compressors.SNAPPY?.(compressed, 3)).toThrow(
      "a page was decompressed from bytes not fetched through its check",
    );
  });
});

/** A REQUIRED dictionary-encoded column's chunk at file byte 100, its values in DATA_PAGE_V2 pages. */
const V2_CHUNK: ColumnChunkLayout = {
  group: 0,
  column: "s",
  start: 100,
  end: 0,
  codec: "SNAPPY",
  boolean: false,
  maxDefinitionLevel: 0,
  maxRepetitionLevel: 0,
  flatRows: undefined,
};

/** A dictionary page of 3 entries, then a DATA_PAGE_V2 page of `values` (bit width byte and runs). */
function v2Chunk(values: readonly number[], compressed: boolean): { bytes: Uint8Array; valuesAt: number } {
  const writer = new ByteWriter();
  const entries = [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0];
  writePageHeader(writer, {
    type: "DICTIONARY_PAGE",
    uncompressed_page_size: entries.length,
    compressed_page_size: entries.length,
    dictionary_page_header: { num_values: 3, encoding: "PLAIN" },
  });
  writer.appendBytes(Uint8Array.from(entries));
  const stored = compressed ? snappyCompress(Uint8Array.from(values)) : Uint8Array.from(values);
  writePageHeader(writer, {
    type: "DATA_PAGE_V2",
    uncompressed_page_size: values.length,
    compressed_page_size: stored.length,
    data_page_header_v2: {
      num_values: 4,
      num_nulls: 0,
      num_rows: 4,
      encoding: "RLE_DICTIONARY",
      definition_levels_byte_length: 0,
      repetition_levels_byte_length: 0,
      is_compressed: compressed,
    },
  } as Parameters<typeof writePageHeader>[1]);
  const valuesAt = writer.offset;
  writer.appendBytes(stored);
  return { bytes: new Uint8Array(writer.getBuffer()), valuesAt };
}

function runs(indices: number[], bitWidth: number): number[] {
  const writer = new ByteWriter();
  writer.appendUint8(bitWidth);
  writeRleBitPackedHybrid(writer, indices, bitWidth);
  return [...new Uint8Array(writer.getBuffer())];
}

describe("Parquet page values check of version 2 pages", () => {
  const layout = (bytes: Uint8Array): ColumnChunkLayout => ({ ...V2_CHUNK, end: 100 + bytes.length });

  it("leaves the indices of a compressed page to be checked where hyparquet decompresses them", () => {
    const valid = runs([0, 1, 2, 1], 2);
    const { bytes, valuesAt } = v2Chunk(valid, true);
    const [check, ...more] = checkColumnChunkPages(bytes, layout(bytes), parquetHeader);
    expect(more).toEqual([]);
    expect(check?.at).toBe(100 + valuesAt);
    expect(check?.problem(Uint8Array.from(valid))).toBeUndefined();
    expect(check?.problem(Uint8Array.from([2, ...HUGE_RUN]))).toBe(
      "dictionary indices: the run at their byte 0 repeats a value 1048576 times where 4 are left",
    );
    expect(check?.problem(Uint8Array.from(runs([0, 3, 2, 1], 2)))).toBe(
      "dictionary index 3 is outside the dictionary's 3 values",
    );
  });

  it("checks the indices of a page stored uncompressed at once", () => {
    const { bytes } = v2Chunk([2, ...HUGE_RUN], false);
    expect(() => checkColumnChunkPages(bytes, layout(bytes), parquetHeader)).toThrow(
      "column 's' of row group 1, page at byte 125: dictionary indices: the run at their byte 0 repeats",
    );
    const width = v2Chunk([33, 2, 0], false).bytes;
    expect(() => checkColumnChunkPages(width, layout(width), parquetHeader)).toThrow(
      "dictionary indices have a bit width of 33",
    );
  });
});
