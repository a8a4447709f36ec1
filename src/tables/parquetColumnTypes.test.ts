import type { FileMetaData } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";
import { describe, expect, it } from "vitest";

import { fileColumns, joinedElement, stringElement, type FileColumn } from "./parquetColumnTypes.js";

const column = (type: NonNullable<SchemaElement["type"]>, onlyNulls = false): FileColumn => ({
  element: { name: "c", repetition_type: "OPTIONAL", type },
  onlyNulls,
});
const text = (onlyNulls = false): FileColumn => ({ element: stringElement("c"), onlyNulls });

describe("joinedElement", () => {
  it("keeps the files' own type when they agree, nullable", () => {
    const required: FileColumn = {
      element: { name: "c", repetition_type: "REQUIRED", type: "INT64" },
      onlyNulls: false,
    };
    expect(joinedElement([required, column("INT64")])).toEqual({
      name: "c",
      repetition_type: "OPTIONAL",
      type: "INT64",
    });
  });

  it("widens integers to INT64, numbers to DOUBLE and anything mixed with text to STRING", () => {
    expect(joinedElement([column("INT32"), column("INT64")]).type).toBe("INT64");
    expect(joinedElement([column("INT64"), column("DOUBLE")]).type).toBe("DOUBLE");
    expect(joinedElement([column("FLOAT"), column("DOUBLE")]).type).toBe("DOUBLE");
    expect(joinedElement([column("DOUBLE"), text()])).toEqual(stringElement("c"));
    expect(joinedElement([column("BOOLEAN"), column("INT32")])).toEqual(stringElement("c"));
  });

  it("lets a file with only nulls in the column have no say, unless all are such", () => {
    expect(joinedElement([text(true), column("DOUBLE"), column("DOUBLE")]).type).toBe("DOUBLE");
    expect(joinedElement([text(true), text(true)])).toEqual(stringElement("c"));
  });
});

describe("fileColumns", () => {
  it("finds a column of only nulls from every row group's null count, and not without statistics", () => {
    const chunk = (name: string, nulls: bigint | undefined) => ({
      file_offset: 0n,
      meta_data: {
        path_in_schema: [name],
        statistics: nulls === undefined ? undefined : { null_count: nulls },
      },
    });
    const metadata = {
      num_rows: 5n,
      row_groups: [
        { columns: [chunk("a", 3n), chunk("b", 3n), chunk("c", undefined)] },
        { columns: [chunk("a", 2n), chunk("b", 1n), chunk("c", 2n)] },
      ],
    } as unknown as FileMetaData;
    const elements = ["a", "b", "c"].map((name) => stringElement(name));
    expect(fileColumns(metadata, elements).map((file) => file.onlyNulls)).toEqual([true, false, false]);
  });
});
