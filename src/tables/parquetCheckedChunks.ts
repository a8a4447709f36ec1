/**
 * The file and the decompressors as hyparquet is given them. Each byte range it fetches is handed over only
 * after the pages of every column chunk of the read's columns that the range holds have passed
 * parquetColumnChunkCheck.ts, so the check costs a walk over page headers and runs of bytes already read, never
 * a second read. hyparquet (called without an offset index) fetches whole column chunks, alone or several in one
 * range, so each chunk it decodes is inside a range it fetched. A chunk is checked once per pass, however many
 * windows read it.
 *
 * A compressed page's levels and value runs can only be checked decompressed, and hyparquet decompresses each
 * page it reads (and only those) through `compressors`: there the check runs on the bytes hyparquet will decode,
 * so no page is decompressed twice. A decompressor is given a view of the buffer hyparquet decodes from, which
 * is the range this file handed over or, for a chunk inside a larger range, a copy hyparquet made of its part
 * with ArrayBuffer#slice; every such buffer is tagged with its file offset (`origins`), so a view names its
 * page's file offset exactly, where matching pages by their size or bytes could mistake one page for another.
 */

import type { AsyncBuffer, Compressors, FileMetaData } from "hyparquet";

import {
  checkColumnChunkPages,
  type ColumnChunkLayout,
  type DecompressedPageCheck,
  type HeaderParser,
} from "./parquetColumnChunkCheck.js";
import { PARQUET_DECOMPRESSORS } from "./parquetDecompressors.js";

interface Checking {
  /** Leaf column chunks by their top-level column's name. */
  chunks: ReadonlyMap<string, readonly ColumnChunkLayout[]>;
  parseHeader: HeaderParser;
}

/** The column chunk check of one pass over one open file. */
export class CheckedColumnChunks {
  private checking: Promise<Checking> | undefined;
  private readonly checked = new Set<ColumnChunkLayout>();
  /** The checks of compressed pages not yet read (or that failed), by the file offset hyparquet decompresses at. */
  private readonly pending = new Map<number, DecompressedPageCheck>();
  /** The file offset of each buffer hyparquet was handed, or copied part of one. */
  private readonly origins = new WeakMap<ArrayBuffer, number>();

  /** PARQUET_DECOMPRESSORS, each checking the page it decompressed before hyparquet decodes it. */
  readonly compressors: Compressors = Object.fromEntries(
    Object.entries(PARQUET_DECOMPRESSORS).map(([codec, decompress]) => [
      codec,
      (input: Uint8Array, size: number): Uint8Array => {
        const output = decompress(input, size);
        this.checkDecompressed(input, output, size);
        return output;
      },
    ]),
  );

  constructor(private readonly metadata: FileMetaData) {}

  /** `file` for a hyparquet read of the top-level `columns`. */
  over(file: AsyncBuffer, columns: readonly string[]): AsyncBuffer {
    return {
      byteLength: file.byteLength,
      slice: async (start, end) => {
        const buffer = await file.slice(start, end);
        const { chunks, parseHeader } = await (this.checking ??= this.prepare());
        const bytes = new Uint8Array(buffer);
        for (const name of columns) {
          for (const chunk of chunks.get(name) ?? []) {
            if (this.checked.has(chunk) || chunk.start < start || chunk.end > start + bytes.length) continue;
            const chunkBytes = bytes.subarray(chunk.start - start, chunk.end - start);
            for (const check of checkColumnChunkPages(chunkBytes, chunk, parseHeader)) {
              this.pending.set(check.at, check);
            }
            this.checked.add(chunk);
          }
        }
        return this.tagged(buffer, start);
      },
    };
  }

  private checkDecompressed(input: Uint8Array, output: Uint8Array, size: number): void {
    const origin = this.origins.get(input.buffer as ArrayBuffer);
    if (origin === undefined) {
      // hyparquet changed how it hands pages over: checking nothing here would let damaged runs through.
      throw new Error(`a page was decompressed from bytes not fetched through its check`);
    }
    const at = origin + input.byteOffset;
    const check = this.pending.get(at);
    // A page of another size than its header's hyparquet refuses itself, naming both sizes.
    if (check === undefined || output.length !== size) return;
    const problem = check.problem(output);
    if (problem !== undefined) throw new Error(`${check.where}: ${problem}`);
    // The same bytes decode the same when a later window reads the page again.
    this.pending.delete(at);
  }

  /** `buffer`, from file offset `origin`, tagged so that it and the parts copied from it name their offset. */
  private tagged(buffer: ArrayBuffer, origin: number): ArrayBuffer {
    const known = this.origins.get(buffer);
    // A source that hands out one buffer for two offsets gets a copy, so each buffer has one origin.
    const own =
      known === undefined || known === origin ? buffer : ArrayBuffer.prototype.slice.call(buffer, 0);
    this.origins.set(own, origin);
    Object.defineProperty(own, "slice", {
      configurable: true,
      value: (begin?: number, end?: number): ArrayBuffer =>
        this.tagged(ArrayBuffer.prototype.slice.call(own, begin, end), origin + sliceStart(own, begin)),
    });
    return own;
  }

  /** Loaded on first use, for the reason parquetReader.ts gives; the same modules hyparquet's reader uses. */
  private async prepare(): Promise<Checking> {
    const [{ parquetHeader }, { parquetSchema }, schema] = await Promise.all([
      import("hyparquet/src/column.js"),
      import("hyparquet"),
      import("hyparquet/src/schema.js"),
    ]);
    const tree = parquetSchema(this.metadata);
    const chunks = new Map<string, ColumnChunkLayout[]>();
    this.metadata.row_groups.forEach((rowGroup, group) => {
      for (const column of rowGroup.columns) {
        const meta = column.meta_data;
        // hyparquet refuses these itself before fetching anything.
        if (meta === undefined || column.file_path !== undefined) continue;
        let path: ReturnType<typeof schema.getTreePath>;
        try {
          path = schema.getTreePath(tree, meta.path_in_schema);
        } catch {
          // Not in the schema: hyparquet refuses the chunk if a read asks for it.
          continue;
        }
        // As hyparquet locates a chunk: some writers store a dictionary offset of 0 for "none".
        const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
        const layout: ColumnChunkLayout = {
          group,
          column: meta.path_in_schema.join("."),
          start,
          end: start + Number(meta.total_compressed_size),
          codec: meta.codec,
          boolean: meta.type === "BOOLEAN",
          maxDefinitionLevel: schema.getMaxDefinitionLevel(path),
          maxRepetitionLevel: schema.getMaxRepetitionLevel(path),
          flatRows: schema.isFlatColumn(path) ? Number(rowGroup.num_rows) : undefined,
        };
        const name = meta.path_in_schema[0] ?? "";
        const list = chunks.get(name) ?? [];
        list.push(layout);
        chunks.set(name, list);
      }
    });
    return { chunks, parseHeader: parquetHeader };
  }
}

/** Where `ArrayBuffer#slice(begin)` starts in `buffer`, as the method resolves a relative or missing start. */
function sliceStart(buffer: ArrayBuffer, begin: number | undefined): number {
  const length = buffer.byteLength;
  const relative = Math.trunc(begin ?? 0) || 0;
  return relative < 0 ? Math.max(length + relative, 0) : Math.min(relative, length);
}
