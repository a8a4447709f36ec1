import type { RowGroup } from "hyparquet";
import { describe, expect, it } from "vitest";

import { relocatedRowGroup, rowGroupSpans, sameLeafSchema } from "./parquetRowGroupSpans.js";

const rowGroup: RowGroup = {
  num_rows: 10n,
  total_byte_size: 200n,
  file_offset: 4n,
  columns: [
    {
      file_offset: 4n,
      offset_index_offset: 900n,
      offset_index_length: 20,
      meta_data: {
        type: "BYTE_ARRAY",
        encodings: ["PLAIN", "RLE_DICTIONARY"],
        path_in_schema: ["s"],
        codec: "SNAPPY",
        num_values: 10n,
        total_uncompressed_size: 120n,
        total_compressed_size: 100n,
        dictionary_page_offset: 4n,
        data_page_offset: 40n,
        bloom_filter_offset: 950n,
        bloom_filter_length: 16,
      },
    },
    {
      file_offset: 104n,
      meta_data: {
        type: "FLOAT",
        encodings: ["PLAIN"],
        path_in_schema: ["x"],
        codec: "UNCOMPRESSED",
        num_values: 10n,
        total_uncompressed_size: 60n,
        total_compressed_size: 60n,
        data_page_offset: 104n,
      },
    },
  ],
};

describe("row group spans", () => {
  it("covers a row group from its first dictionary page to the end of its last column chunk", () => {
    const spans = rowGroupSpans({
      version: 2,
      schema: [],
      num_rows: 10n,
      row_groups: [rowGroup],
      metadata_length: 0,
    });
    expect(spans.map(({ start, end }) => [start, end])).toEqual([[4, 164]]);
  });

  it("moves every page offset by the distance the bytes moved and drops indexes left behind", () => {
    const moved = relocatedRowGroup(rowGroup, 1000n);
    expect(moved.file_offset).toBe(1004n);
    const [s, x] = moved.columns;
    expect(s?.file_offset).toBe(1004n);
    expect(s?.offset_index_offset).toBeUndefined();
    expect(s?.meta_data?.dictionary_page_offset).toBe(1004n);
    expect(s?.meta_data?.data_page_offset).toBe(1040n);
    expect(s?.meta_data?.bloom_filter_offset).toBeUndefined();
    expect(x?.meta_data?.data_page_offset).toBe(1104n);
    expect(x?.meta_data?.dictionary_page_offset).toBeUndefined();
  });

  it("tells schemas apart by nullability, so a REQUIRED column is never copied into an OPTIONAL one", () => {
    const root = { name: "root", num_children: 1 };
    const optional = { name: "x", type: "FLOAT", repetition_type: "OPTIONAL" } as const;
    expect(sameLeafSchema([root, optional], [root, { ...optional }])).toBe(true);
    expect(sameLeafSchema([root, optional], [root, { ...optional, repetition_type: "REQUIRED" }])).toBe(
      false,
    );
  });
});
