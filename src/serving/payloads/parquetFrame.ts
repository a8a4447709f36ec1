/**
 * `application/vnd.apache.parquet` request bodies (MLflow 3's `/invocations`, read there with
 * `pandas.read_parquet`): the file's columns as a frame, values as hyparquet decodes them, 64-bit integers as
 * numbers (exact up to 2^53, as the model's float or int64 tensors take them), dates as ISO text. A body that
 * is no Parquet file is a 400 in MLflow's words. Names and text keep a leading U+FEFF, as pyarrow reads them.
 * A model without a signature gets text as text, numeric text included, and numeric columns as the numpy arrays
 * `pandas.read_parquet` hands it (float16, float32 and int8 kept, 64-bit integers exact, an all-null one NaN),
 * and a text column of only nulls as pandas' str (NaN), which the frame carries beside its cells
 * (numpyFrameColumns.ts) unless the reader says the model types its inputs.
 */
import type { SchemaElement } from "hyparquet";
import { FlowOpsError } from "../../errors.js";
import type { NumpyFrameColumns, ReadFrameColumn } from "./numpyFrameColumns.js";
import type { ModelInput } from "./predictRequest.js";

type Frame = ModelInput & { kind: "frame" };

export interface ParquetFrameOptions {
  /** The model declares its inputs' types, which then cast the cells: no numpy columns are built for it. */
  typedInputs?: boolean;
}

export async function frameFromParquet(
  body: Buffer,
  options: ParquetFrameOptions = {},
): Promise<Frame & Partial<NumpyFrameColumns>> {
  const { parquetRead, parquetSchema } = await import("hyparquet");
  const { readParquetMetadata } = await import("../../tables/parquetFooterReader.js");
  const { PARQUET_TEXT_PARSERS } = await import("../../tables/parquetText.js");
  const { parquetNumpyColumn, parquetNumpyDtype } = await import("../../tables/parquetNumpyColumn.js");
  const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  let fields: SchemaElement[];
  let rows: unknown[][] = [];
  try {
    const metadata = readParquetMetadata(file);
    fields = parquetSchema(metadata).children.map((child) => child.element);
    await parquetRead({
      file,
      metadata,
      parsers: PARQUET_TEXT_PARSERS,
      onComplete: (data: unknown[][]) => {
        rows = data;
      },
    });
  } catch (error) {
    throw new FlowOpsError(
      "BAD_REQUEST",
      "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid Parquet Pandas DataFrame" +
        ` produced using the \`pandas.DataFrame.to_parquet()\` method. Error: '${(error as Error).message}'`,
    );
  }
  const columns = fields.map((field) => field.name);
  const cells = rows.map((row) => row.map(cellOf));
  // A model without a signature gets text as read_parquet leaves it (str, "1.5" too) and numeric columns as its
  // numpy arrays; a typed model's columns follow its signature.
  const frame: Frame = { kind: "frame", columns, rows: cells, textCells: "json" };
  if (options.typedInputs === true) return frame;
  const numpyColumns = fields.map((field, c): ReadFrameColumn | undefined => {
    if (parquetNumpyDtype(field) !== undefined) {
      return parquetNumpyColumn(
        field,
        rows.map((row) => row[c]),
      );
    }
    if (isTextField(field) && rows.every((row) => row[c] === null || row[c] === undefined)) {
      return { dtype: "str", rows: rows.length };
    }
    return undefined;
  });
  return { ...frame, numpyColumns };
}

/** A flat string column, which pyarrow reads as text and pandas 3 holds as its str dtype. */
function isTextField(field: SchemaElement): boolean {
  if ((field.num_children ?? 0) > 0 || field.repetition_type === "REPEATED") return false;
  return field.converted_type === "UTF8" || field.logical_type?.type === "STRING";
}

function cellOf(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}
