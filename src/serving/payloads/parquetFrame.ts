/**
 * `application/vnd.apache.parquet` request bodies (MLflow 3's `/invocations`, read there with
 * `pandas.read_parquet`): the file's columns as a frame, values as hyparquet decodes them, 64-bit integers as
 * numbers (exact up to 2^53, as the model's float or int64 tensors take them), dates as ISO text. A body that
 * is no Parquet file is a 400 in MLflow's words. Names and text keep a leading U+FEFF, as pyarrow reads them.
 */
import { FlowOpsError } from "../../errors.js";
import type { ModelInput } from "./predictRequest.js";

export async function frameFromParquet(body: Buffer): Promise<ModelInput & { kind: "frame" }> {
  const { parquetRead, parquetSchema } = await import("hyparquet");
  const { readParquetMetadata } = await import("../../tables/parquetFooterReader.js");
  const { PARQUET_TEXT_PARSERS } = await import("../../tables/parquetText.js");
  const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  try {
    const metadata = readParquetMetadata(file);
    const columns = parquetSchema(metadata).children.map((child) => child.element.name);
    let rows: unknown[][] = [];
    await parquetRead({
      file,
      metadata,
      parsers: PARQUET_TEXT_PARSERS,
      onComplete: (data: unknown[][]) => {
        rows = data;
      },
    });
    return { kind: "frame", columns, rows: rows.map((row) => row.map(cellOf)) };
  } catch (error) {
    throw new FlowOpsError(
      "BAD_REQUEST",
      "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid Parquet Pandas DataFrame" +
        ` produced using the \`pandas.DataFrame.to_parquet()\` method. Error: '${(error as Error).message}'`,
    );
  }
}

function cellOf(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}
