import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { adaptInput } from "./adaptInput.js";
import { readMlflowRequest } from "./mlflowPayload.js";

const PARQUET = "application/vnd.apache.parquet";

describe("Parquet /invocations bodies (MLflow 3)", () => {
  it("reads the file's columns and rows as a data frame", async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: "x", data: [1.5, 2.5], type: "DOUBLE" },
        { name: "n", data: [3n, 4n], type: "INT64" },
        { name: "s", data: ["a", null], type: "STRING" },
      ],
    });
    const request = await readMlflowRequest(Buffer.from(bytes), PARQUET);
    expect(request).toMatchObject({
      input: {
        kind: "frame",
        columns: ["x", "n", "s"],
        rows: [
          [1.5, 3, "a"],
          [2.5, 4, null],
        ],
      },
      dataframe: true,
    });
  });

  it("regression: hands a model without a signature numeric text as text and whole doubles as floats", async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: "text", data: ["1.5", "2"], type: "STRING" },
        { name: "whole", data: [1, 2], type: "DOUBLE" },
        { name: "n", data: [3n, 4n], type: "INT64" },
      ],
    });
    const { input } = await readMlflowRequest(Buffer.from(bytes), PARQUET);
    const tensors = adaptInput(input, []);
    expect(tensors.map((t) => [t.name, t.datatype, Array.from(t.data as ArrayLike<unknown>)])).toEqual([
      ["text", "BYTES", ["1.5", "2"]],
      ["whole", "FP64", [1, 2]],
      ["n", "INT64", [3n, 4n]],
    ]);
  });

  it("keeps a leading U+FEFF of a column name and of text, as pandas.read_parquet does", async () => {
    const bytes = parquetWriteBuffer({
      columnData: [{ name: "\uFEFFid", data: ["\uFEFFr0", "r1"], type: "STRING" }],
    });
    expect(await readMlflowRequest(Buffer.from(bytes), PARQUET)).toMatchObject({
      input: { kind: "frame", columns: ["\uFEFFid"], rows: [["\uFEFFr0"], ["r1"]] },
    });
  });

  it("refuses a body that is no Parquet file with MLflow's message, as a 400", async () => {
    await expect(readMlflowRequest(Buffer.from("not parquet"), PARQUET)).rejects.toMatchObject({
      httpStatus: 400,
      message: expect.stringMatching(
        /^Failed to parse input as a Pandas DataFrame\. Ensure that the input is a valid Parquet/,
      ) as string,
    });
  });

  it("reads JSON and CSV bodies as mlflowRequest does", async () => {
    expect(await readMlflowRequest("a\n1\n", "text/csv")).toMatchObject({
      input: { kind: "frame", columns: ["a"] },
    });
  });
});
