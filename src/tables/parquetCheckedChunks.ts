/**
 * The file as hyparquet is given it: each byte range it fetches is handed over only after the pages of every
 * column chunk of the read's columns that the range holds have passed parquetColumnChunkCheck.ts, so the check
 * costs a walk over page headers and level runs of bytes already read, never a second read. hyparquet (called
 * without an offset index) fetches whole column chunks, alone or several in one range, so each chunk it
 * decodes is inside a range it fetched. A chunk is checked once per pass, however many windows read it.
 */

import type { AsyncBuffer, FileMetaData } from "hyparquet";

import {
  checkColumnChunkPages,
  type ColumnChunkLayout,
  type HeaderParser,
} from "./parquetColumnChunkCheck.js";

interface Checking {
  /** Leaf column chunks by their top-level column's name. */
  chunks: ReadonlyMap<string, readonly ColumnChunkLayout[]>;
  parseHeader: HeaderParser;
}

/** The column chunk check of one pass over one open file. */
export class CheckedColumnChunks {
  private checking: Promise<Checking> | undefined;
  private readonly checked = new Set<ColumnChunkLayout>();

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
            checkColumnChunkPages(bytes.subarray(chunk.start - start, chunk.end - start), chunk, parseHeader);
            this.checked.add(chunk);
          }
        }
        return buffer;
      },
    };
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
