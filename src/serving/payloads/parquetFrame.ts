/**
 * `application/vnd.apache.parquet` request bodies (MLflow 3's `/invocations`, read there with
 * `pandas.read_parquet`): the file's columns as a frame, values as hyparquet decodes them, 64-bit integers as
 * numbers (exact up to 2^53, as the model's float or int64 tensors take them), dates as ISO text. A body that
 * is no Parquet file is a 400 in MLflow's words. Names and text keep a leading U+FEFF, as pyarrow reads them.
 * A model without a signature gets text as text, numeric text included, and float columns as floats, as
 * `pandas.read_parquet` hands them to it.
 */
import { FlowOpsError } from "../../errors.js";
import type { ModelInput } from "./predictRequest.js";

type Frame = ModelInput & { kind: "frame" };

export async function frameFromParquet(body: Buffer): Promise<Frame> {
  const { parquetRead, parquetSchema } = await import("hyparquet");
  const { readParquetMetadata } = await import("../../tables/parquetFooterReader.js");
  const { PARQUET_TEXT_PARSERS } = await import("../../tables/parquetText.js");
  const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  try {
    const metadata = readParquetMetadata(file);
    const fields = parquetSchema(metadata).children.map((child) => child.element);
    const columns = fields.map((field) => field.name);
    let rows: unknown[][] = [];
    await parquetRead({
      file,
      metadata,
      parsers: PARQUET_TEXT_PARSERS,
      onComplete: (data: unknown[][]) => {
        rows = data;
      },
    });
    // For a model without a signature, typed as read_parquet types them: text stays str ("1.5" too), and a
    // float column stays float64 though its numbers are whole. A typed model's columns follow its signature.
    const floatColumn = (column: number): boolean => FLOAT_TYPES.has(fields[column]?.type ?? "");
    const cells = rows.map((row) => row.map(cellOf));
    return { kind: "frame", columns, rows: cells, textCells: "json", floatColumn };
  } catch (error) {
    throw new FlowOpsError(
      "BAD_REQUEST",
      "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid Parquet Pandas DataFrame" +
        ` produced using the \`pandas.DataFrame.to_parquet()\` method. Error: '${(error as Error).message}'`,
    );
  }
}

const FLOAT_TYPES: ReadonlySet<string> = new Set(["FLOAT", "DOUBLE"]);

function cellOf(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}
