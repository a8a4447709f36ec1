import { readFile } from "node:fs/promises";

import { parquetMetadata } from "hyparquet";
import { describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { ParquetPlainColumns } from "./parquetPlainColumns.js";
import {
  doubles,
  openBytes,
  readCells,
  useScratchDirectory,
  writeV1File,
} from "./parquetPlainColumnsFixtures.js";

useScratchDirectory();

describe("Parquet plain columns", () => {
  it("rejects a page with fewer values than rows, naming the file and rows", async () => {
    const path = await writeV1File("short.parquet", {
      optional: true,
      codec: "UNCOMPRESSED",
      dictionary: doubles(4, 9),
      pages: [{ indices: [0, 1, 2, 3] }, { values: doubles(10, 10), cut: 8 }],
    });
    const read = readCells(path);
    await expect(read).rejects.toThrow(FlowOpsError);
    await expect(readCells(path)).rejects.toThrow(
      `${path}: cannot read rows 1-14 as Parquet (page holds 72 bytes of values for 10 rows of 8 bytes)`,
    );
  });

  it("rejects a page that runs past its column chunk", async () => {
    const path = await writeV1File("overrun.parquet", {
      optional: false,
      codec: "UNCOMPRESSED",
      dictionary: doubles(2, 11),
      pages: [{ values: doubles(10, 12) }],
    });
    const bytes = await readFile(path);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const meta = metadata.row_groups[0]?.columns[0]?.meta_data;
    if (meta === undefined) throw new Error("no column chunk");
    meta.total_compressed_size -= 4n;
    const { file } = await openBytes(path);
    await expect(new ParquetPlainColumns(file, metadata).read(["x"], 0, 10)).rejects.toThrow(
      /a page of column 'x' at byte \d+ runs past its column chunk/,
    );
  });
});
