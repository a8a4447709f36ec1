import { parquetMetadata, parquetMetadataAsync, type AsyncBuffer } from "hyparquet";
import { parquetWriteBuffer, type ColumnSource } from "hyparquet-writer";
import { describe, expect, it } from "vitest";

import { readParquetMetadata, readParquetMetadataAsync } from "./parquetFooterReader.js";

const FEFF = "\uFEFF";

function fileOf(columnData: ColumnSource[], kvMetadata?: { key: string; value: string }[]): ArrayBuffer {
  return parquetWriteBuffer({ columnData, ...(kvMetadata === undefined ? {} : { kvMetadata }) });
}

/** An AsyncBuffer over `file` that records the byte ranges fetched. */
function recordedBuffer(file: ArrayBuffer): { buffer: AsyncBuffer; fetched: [number, number][] } {
  const fetched: [number, number][] = [];
  const buffer = {
    byteLength: file.byteLength,
    slice: (start: number, end = file.byteLength) => {
      fetched.push([start, end]);
      return file.slice(start, end);
    },
  };
  return { buffer, fetched };
}

describe("readParquetMetadata", () => {
  it("keeps a leading U+FEFF in column names, paths in schema, key-value metadata and text statistics", () => {
    const file = fileOf(
      [
        { name: `${FEFF}id`, data: [`${FEFF}r0`, "r1", `${FEFF}${FEFF}`], type: "STRING" },
        { name: "f0", data: [1, 2, 3], type: "DOUBLE" },
      ],
      [{ key: `${FEFF}k`, value: `${FEFF}v` }],
    );
    const metadata = readParquetMetadata(file);
    expect(metadata.schema.map((element) => element.name)).toEqual(["root", `${FEFF}id`, "f0"]);
    const chunk = metadata.row_groups[0]?.columns[0]?.meta_data;
    expect(chunk?.path_in_schema).toEqual([`${FEFF}id`]);
    // Compared as UTF-16 code units, as hyparquet-writer computes them: U+FEFF sorts after "r".
    expect(chunk?.statistics?.min_value).toBe("r1");
    expect(chunk?.statistics?.max_value).toBe(`${FEFF}${FEFF}`);
    expect(metadata.key_value_metadata).toEqual([{ key: `${FEFF}k`, value: `${FEFF}v` }]);
    // What hyparquet alone reads, which this module exists to avoid.
    expect(parquetMetadata(file).schema[1]?.name).toBe("id");
  });

  it("reads a footer as hyparquet does when U+FEFF is in it but leads no string", () => {
    const file = fileOf(
      [{ name: `a${FEFF}b`, data: [`x${FEFF}`, "y"], type: "STRING" }],
      [{ key: "pandas", value: `{"name": "a${FEFF}b"}` }],
    );
    expect(readParquetMetadata(file)).toEqual(parquetMetadata(file));
  });

  it("reads a Uint8Array holding the file's tail as it reads the file", () => {
    const file = fileOf([{ name: `${FEFF}id`, data: ["a"], type: "STRING" }]);
    const tail = new Uint8Array(file).subarray(4);
    expect(readParquetMetadata(tail)).toEqual(readParquetMetadata(file));
  });
});

describe("readParquetMetadataAsync", () => {
  it("fetches the file's last 512 KiB once when the footer lies within them", async () => {
    const file = fileOf([{ name: `${FEFF}id`, data: ["a", "b"], type: "STRING" }]);
    const { buffer, fetched } = recordedBuffer(file);
    const metadata = await readParquetMetadataAsync(buffer);
    expect(metadata.schema[1]?.name).toBe(`${FEFF}id`);
    expect(fetched).toEqual([[0, file.byteLength]]);
  });

  it("fetches a footer larger than 512 KiB whole and keeps its names", async () => {
    const big = "x".repeat(600_000);
    const file = fileOf([{ name: `${FEFF}id`, data: ["a"], type: "STRING" }], [{ key: "big", value: big }]);
    const { buffer, fetched } = recordedBuffer(file);
    const metadata = await readParquetMetadataAsync(buffer);
    expect(metadata.schema[1]?.name).toBe(`${FEFF}id`);
    expect(metadata.key_value_metadata?.[0]?.value).toBe(big);
    expect(fetched).toHaveLength(2);
    expect(fetched[1]).toEqual([file.byteLength - 8 - metadata.metadata_length, file.byteLength]);
  });

  it("refuses what hyparquet refuses, with its reasons", async () => {
    const file = new Uint8Array(fileOf([{ name: "a", data: ["x"], type: "STRING" }]));
    const noMagic = file.slice(0, -1);
    await expect(readParquetMetadataAsync(recordedBuffer(noMagic.buffer).buffer)).rejects.toThrow(
      "parquet file invalid (footer != PAR1)",
    );
    const tooLong = file.slice();
    new DataView(tooLong.buffer).setUint32(tooLong.length - 8, tooLong.length, true);
    const reason = await parquetMetadataAsync(recordedBuffer(tooLong.buffer).buffer).catch(
      (error: Error) => error.message,
    );
    await expect(readParquetMetadataAsync(recordedBuffer(tooLong.buffer).buffer)).rejects.toThrow(
      /^parquet metadata length \d+ exceeds available buffer \d+$/,
    );
    expect(reason).toMatch(/^parquet metadata length \d+ exceeds available buffer \d+$/);
  });
});
