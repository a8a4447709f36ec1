import { parquetMetadata, parquetSchema } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { columnNullsInFile } from "./parquetColumnNulls.js";

function fileOf(columns: Parameters<typeof parquetWriteBuffer>[0]["columnData"], statistics = true) {
  const bytes = parquetWriteBuffer({ columnData: columns, rowGroupSize: 2, statistics });
  const metadata = parquetMetadata(bytes);
  const fields = parquetSchema(metadata).children.map((child) => child.element);
  return {
    metadata,
    field: (name: string) => fields.find((field) => field.name === name) as (typeof fields)[0],
  };
}

describe("columnNullsInFile", () => {
  it("counts the nulls of every row group, as pandas.read_parquet sees the whole file", () => {
    const { metadata, field } = fileOf([
      { name: "late", data: [1, 2, 3, null], type: "INT32" },
      { name: "none", data: [1, 2, 3, 4], type: "INT32" },
      { name: "required", data: [1, 2, 3, 4], type: "INT32", nullable: false },
    ]);
    expect(metadata.row_groups.length).toBe(2);
    expect(columnNullsInFile(metadata, field("late"))).toBe(true);
    expect(columnNullsInFile(metadata, field("none"))).toBe(false);
    expect(columnNullsInFile(metadata, field("required"))).toBe(false);
  });

  it("says nothing where an OPTIONAL column's statistics are missing, and false for a REQUIRED one", () => {
    const { metadata, field } = fileOf(
      [
        { name: "late", data: [1, 2, 3, null], type: "INT32" },
        { name: "required", data: [1, 2, 3, 4], type: "INT32", nullable: false },
      ],
      false,
    );
    expect(columnNullsInFile(metadata, field("late"))).toBe(undefined);
    expect(columnNullsInFile(metadata, field("required"))).toBe(false);
  });
});
