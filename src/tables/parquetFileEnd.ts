/**
 * How a Parquet output reaches the disk: row groups flushed as they are encoded, and the file's (or a part's)
 * end, whose footer parquetFooter.ts writes.
 */
import { ByteWriter, type ParquetWriter } from "hyparquet-writer";
import { writeBlooms } from "hyparquet-writer/src/bloom.js";
import { writeIndexes } from "hyparquet-writer/src/indexes.js";

import { renameSync, writeFileSync } from "node:fs";

import { writeParquetFooter } from "./parquetFooter.js";
import type { TableFileSink } from "./tableWriter.js";

/** "PAR1" read as a little-endian uint32: the bytes that open and close a Parquet file. */
export const PARQUET_MAGIC = 0x31524150;

/** A ByteWriter that hands its bytes to the file after each row group instead of keeping the whole file. */
export class FlushingByteWriter extends ByteWriter {
  constructor(private readonly sink: TableFileSink) {
    super(1 << 16);
  }

  flush(): void {
    if (this.index > 0) this.sink.write(new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
  }

  /** Writes bytes to the file after those buffered, without copying them into the buffer. */
  appendDirect(bytes: Uint8Array): void {
    this.flush();
    this.sink.write(bytes);
    this.offset += bytes.length;
  }

  override finish(): void {
    this.flush();
  }
}

/**
 * ParquetWriter.finish with the footer written by parquetFooter.ts (same bytes, a fraction of the time; batch
 * prediction writes one footer per part and one for the joined file): page indexes, bloom filters, the
 * footer, the closing magic.
 */
export function finishFile(out: FlushingByteWriter, writer: ParquetWriter): void {
  writeIndexes(out, writer.pendingIndexes);
  writeBlooms(out, writer.pendingIndexes);
  writeFooterOf(out, writer);
  out.finish();
}

/**
 * A part's end: its row groups are in the shared file, its footer (with their offsets in that file) goes to a file
 * of its own, written whole before it takes its name. Parts are intermediate, so there are no page indexes.
 */
export function finishPart(out: FlushingByteWriter, writer: ParquetWriter, footerPath: string): void {
  out.finish();
  const footer = new ByteWriter();
  writeFooterOf(footer, writer);
  writeFileSync(`${footerPath}.tmp`, footer.getBytes());
  renameSync(`${footerPath}.tmp`, footerPath);
}

/** The footer listing the writer's row groups, its length and the closing magic. */
function writeFooterOf(out: ByteWriter, writer: ParquetWriter): void {
  writeParquetFooter(out, {
    version: 2,
    created_by: writer.createdBy,
    schema: writer.schema,
    num_rows: writer.num_rows,
    row_groups: writer.row_groups,
    key_value_metadata: writer.kvMetadata,
  } as Parameters<typeof writeParquetFooter>[1]);
  out.appendUint32(PARQUET_MAGIC);
}
