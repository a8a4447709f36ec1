import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { ByteWriter, ParquetWriter, schemaFromColumnData } from "hyparquet-writer";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import { describe, expect, it } from "vitest";

import { writeParquetFooter } from "./parquetFooter.js";
import { ParquetTableWriter } from "./parquetWriter.js";

type FooterMetadata = Parameters<typeof writeParquetFooter>[1];

function bytesOf(write: (out: ByteWriter) => void): Uint8Array {
  const out = new ByteWriter();
  write(out);
  return out.getBytes();
}

function sameAsWriteMetadata(metadata: FooterMetadata): void {
  const expected = bytesOf((out) => writeMetadata(out, metadata));
  expect(bytesOf((out) => writeParquetFooter(out, metadata))).toEqual(expected);
}

const floatColumn = (name: string, offset: bigint) => ({
  file_offset: offset,
  meta_data: {
    type: "FLOAT" as const,
    encodings: ["PLAIN" as const, "RLE" as const],
    path_in_schema: [name],
    codec: "SNAPPY" as const,
    num_values: 8192n,
    total_uncompressed_size: 32_800n,
    total_compressed_size: 30_001n,
    data_page_offset: offset,
    statistics: { null_count: 0n, max_value: 3.5, min_value: -0.25, is_max_value_exact: true },
    encoding_stats: [{ page_type: "DATA_PAGE_V2" as const, encoding: "PLAIN" as const, count: 1 }],
  },
  offset_index_offset: 9_000_000_000n,
  offset_index_length: 24,
});

describe("writeParquetFooter", () => {
  it("writes the bytes writeMetadata writes for number, text and boolean columns", () => {
    const metadata = {
      version: 2,
      created_by: "flowops",
      schema: [
        { name: "root", num_children: 6 },
        { name: "f", type: "FLOAT", repetition_type: "OPTIONAL" },
        { name: "d", type: "DOUBLE", repetition_type: "REQUIRED" },
        { name: "i", type: "INT32", repetition_type: "OPTIONAL" },
        { name: "n", type: "INT64", repetition_type: "OPTIONAL" },
        { name: "s", type: "BYTE_ARRAY", repetition_type: "OPTIONAL", converted_type: "UTF8" },
        { name: "b", type: "BOOLEAN", repetition_type: "OPTIONAL" },
      ],
      num_rows: 8192n,
      key_value_metadata: [{ key: "origin", value: "flowops predict" }, { key: "empty" }],
      row_groups: [
        {
          columns: [
            floatColumn("f", 4n),
            {
              file_offset: 40_000n,
              meta_data: {
                type: "DOUBLE",
                encodings: ["PLAIN"],
                path_in_schema: ["d"],
                codec: "UNCOMPRESSED",
                num_values: 8192n,
                total_uncompressed_size: 65_600n,
                total_compressed_size: 65_600n,
                data_page_offset: 40_000n,
                statistics: { max: 1e300, min: -1e-300, null_count: 0n, distinct_count: 7n },
                bloom_filter_offset: 7_000_000n,
                bloom_filter_length: 1024,
              },
            },
            {
              file_offset: 110_000n,
              meta_data: {
                type: "INT32",
                encodings: ["PLAIN", "RLE_DICTIONARY"],
                path_in_schema: ["i"],
                codec: "SNAPPY",
                num_values: 8192n,
                total_uncompressed_size: 100n,
                total_compressed_size: 90n,
                data_page_offset: 110_050n,
                dictionary_page_offset: 110_000n,
                key_value_metadata: [{ key: "k", value: "v" }],
                statistics: { null_count: 12n, max_value: 2_147_483_647, min_value: -2_147_483_648 },
              },
            },
            {
              file_offset: 120_000n,
              meta_data: {
                type: "INT64",
                encodings: ["PLAIN"],
                path_in_schema: ["n"],
                codec: "SNAPPY",
                num_values: 8192n,
                total_uncompressed_size: 100n,
                total_compressed_size: 90n,
                data_page_offset: 120_000n,
                statistics: { null_count: 0n, max_value: 9_007_199_254_740_993n, min_value: -5n },
              },
            },
            {
              file_offset: 130_000n,
              meta_data: {
                type: "BYTE_ARRAY",
                encodings: ["PLAIN"],
                path_in_schema: ["s"],
                codec: "SNAPPY",
                num_values: 8192n,
                total_uncompressed_size: 100n,
                total_compressed_size: 90n,
                data_page_offset: 130_000n,
                statistics: { null_count: 1n, max_value: "zebra crossing at the end", min_value: "aardvark" },
                size_statistics: {
                  unencoded_byte_array_data_bytes: 4_000n,
                  definition_level_histogram: [1n, 8191n],
                },
              },
              column_index_offset: 200_000n,
              column_index_length: 31,
            },
            {
              file_offset: 140_000n,
              meta_data: {
                type: "BOOLEAN",
                encodings: [],
                path_in_schema: ["b"],
                codec: "SNAPPY",
                num_values: 8192n,
                total_uncompressed_size: 100n,
                total_compressed_size: 90n,
                data_page_offset: 140_000n,
                statistics: { null_count: 0n, max_value: true, min_value: false },
              },
            },
          ],
          total_byte_size: 300_000n,
          num_rows: 8192n,
          file_offset: 4n,
          total_compressed_size: 290_000n,
        },
      ],
    } as unknown as FooterMetadata;
    sameAsWriteMetadata(metadata);
  });

  it("writes the bytes writeMetadata writes for a footer listing hundreds of row groups", () => {
    const rowGroups = Array.from({ length: 130 }, (_, g) => ({
      columns: Array.from({ length: 23 }, (_, c) =>
        floatColumn(`f${c}`, BigInt(4 + g * 700_000 + c * 30_000)),
      ),
      total_byte_size: 700_000n,
      num_rows: 8192n,
      total_compressed_size: 690_000n,
    }));
    const schema = [
      { name: "root", num_children: 23 },
      ...Array.from({ length: 23 }, (_, c) => ({
        name: `f${c}`,
        type: "FLOAT",
        repetition_type: "OPTIONAL",
      })),
    ];
    sameAsWriteMetadata({
      version: 2,
      created_by: "flowops",
      schema,
      num_rows: 130n * 8192n,
      row_groups: rowGroups,
    } as unknown as FooterMetadata);
  });

  it("hands a footer with logical types to writeMetadata", () => {
    sameAsWriteMetadata({
      version: 2,
      created_by: "flowops",
      schema: [
        { name: "root", num_children: 1 },
        {
          name: "when",
          type: "INT64",
          repetition_type: "OPTIONAL",
          logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
        },
      ],
      num_rows: 0n,
      row_groups: [],
    } as unknown as FooterMetadata);
  });

  it("writes the bytes writeMetadata writes for the row groups hyparquet-writer encodes", () => {
    const columnData = [
      { name: "x", data: Float32Array.from([0.5, -1.25, 3, Number.NaN]), type: "FLOAT" as const },
      { name: "count", data: [1, null, 3, 4], type: "INT32" as const },
      { name: "big", data: [1n, null, -3n, 2n ** 60n], type: "INT64" as const },
      { name: "name", data: ["a", null, "ccc", "a"], type: "STRING" as const },
      { name: "flag", data: [true, false, null, true], type: "BOOLEAN" as const },
    ];
    const writer = new ParquetWriter({
      writer: new ByteWriter(),
      schema: schemaFromColumnData({ columnData }),
    });
    writer.write({ columnData, rowGroupSize: 2 });
    sameAsWriteMetadata({
      version: 2,
      created_by: writer.createdBy,
      schema: writer.schema,
      num_rows: writer.num_rows,
      row_groups: writer.row_groups,
    } as unknown as FooterMetadata);
  });

  it("closes files whose rows hyparquet reads back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-footer-"));
    try {
      const path = join(dir, "out.parquet");
      const writer = new ParquetTableWriter(path, ["x", "label"]);
      await writer.write({ x: Float32Array.from([0.5, -1.25, 3]), label: ["a", null, "c"] });
      await writer.write({ x: Float32Array.from([7]), label: ["d"] });
      await writer.close();
      const file = new Uint8Array(await readFile(path));
      const rows = await parquetReadObjects({
        file: file.buffer.slice(file.byteOffset, file.byteOffset + file.length),
      });
      expect(rows).toEqual([
        { x: 0.5, label: "a" },
        { x: -1.25, label: null },
        { x: 3, label: "c" },
        { x: 7, label: "d" },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
