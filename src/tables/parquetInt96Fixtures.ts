/**
 * Parquet files with INT96 timestamps for tests, as Spark and Impala wrote them (pyarrow reads them as
 * timestamp[ns]). hyparquet-writer writes no INT96, so the column is written as FIXED_LEN_BYTE_ARRAY(12),
 * whose plain encoding is INT96's, and the footer is written again calling it INT96.
 */
import { parquetMetadata } from "hyparquet";
import { ByteWriter, parquetWriteBuffer, type SchemaElement } from "hyparquet-writer";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";

import { PARQUET_MAGIC } from "./parquetFileEnd.js";

const NANOS_PER_DAY = 86_400_000_000_000n;
/** The Julian day of 1970-01-01, which INT96 counts days from. */
const JULIAN_EPOCH_DAY = 2_440_588n;

/** Nanoseconds since 1970 as INT96: nanoseconds of the day (8 bytes), then the Julian day (4), little-endian. */
export function int96Bytes(nanos: bigint): Uint8Array {
  let days = nanos / NANOS_PER_DAY;
  if (days * NANOS_PER_DAY > nanos) days -= 1n;
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, nanos - days * NANOS_PER_DAY, true);
  view.setUint32(8, Number(days + JULIAN_EPOCH_DAY), true);
  return bytes;
}

/** A file of an OPTIONAL DOUBLE column `a` and an OPTIONAL INT96 column `name` of the given nanoseconds. */
export function int96File(
  a: readonly number[],
  name: string,
  nanos: readonly (bigint | null)[],
): ArrayBuffer {
  const schema: SchemaElement[] = [
    { name: "root", num_children: 2 },
    { name: "a", repetition_type: "OPTIONAL", type: "DOUBLE" },
    { name, repetition_type: "OPTIONAL", type: "FIXED_LEN_BYTE_ARRAY", type_length: 12 },
  ];
  const written = parquetWriteBuffer({
    schema,
    statistics: false,
    columnData: [
      { name: "a", data: [...a] },
      {
        name,
        data: nanos.map((value) => (value === null ? null : int96Bytes(value))),
        encoding: "PLAIN",
        offsetIndex: false,
      },
    ],
  });
  const view = new DataView(written);
  const footerLength = view.getUint32(written.byteLength - 8, true);
  const footerStart = written.byteLength - 8 - footerLength;
  const metadata = parquetMetadata(written);
  const int96 = <T extends { type?: string; type_length?: number }>(element: T): T => {
    const { type_length: _length, ...rest } = element;
    return { ...rest, type: "INT96" } as T;
  };
  const footer = {
    ...metadata,
    schema: metadata.schema.map((element) => (element.name === name ? int96(element) : element)),
    row_groups: metadata.row_groups.map((group) => ({
      ...group,
      columns: group.columns.map((chunk) =>
        chunk.meta_data?.path_in_schema[0] === name
          ? { ...chunk, meta_data: { ...chunk.meta_data, type: "INT96" as const } }
          : chunk,
      ),
    })),
  };
  const out = new ByteWriter();
  out.appendBytes(new Uint8Array(written, 0, footerStart));
  writeMetadata(out, footer as Parameters<typeof writeMetadata>[1]);
  out.appendUint32(PARQUET_MAGIC);
  return out.getBuffer();
}
