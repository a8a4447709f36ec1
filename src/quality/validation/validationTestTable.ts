/**
 * Test support only: tables held in memory, chunked like a reader would chunk them, so expectation tests
 * control chunk boundaries, encodings and row descriptions without touching files.
 */
import type { CellValue, TableChunk, TableFormat, TableSource } from "../../tables/tableChunk.js";
import type { ExpectationSuite } from "./expectationSuite.js";
import { validateTable } from "./validateTable.js";
import type { ExpectationValidationResult } from "./validationResult.js";

export interface TestTableOptions {
  format?: TableFormat;
  chunkRows?: number;
  path?: string;
}

export function testTable(
  data: Record<string, readonly CellValue[]>,
  options: TestTableOptions = {},
): TableSource & { chunkPasses: number } {
  const columns = Object.keys(data);
  const rowCount = Math.max(0, ...columns.map((name) => data[name]?.length ?? 0));
  const chunkRows = options.chunkRows ?? 3;
  const format = options.format ?? "csv";
  const path = options.path ?? `data.${format}`;
  const source = {
    path,
    format,
    chunkPasses: 0,
    columns: () => Promise.resolve(columns),
    async *chunks(): AsyncIterable<TableChunk> {
      source.chunkPasses += 1;
      for (let start = 0; start === 0 || start < rowCount; start += chunkRows) {
        const count = Math.min(chunkRows, rowCount - start);
        yield {
          columns,
          startRow: start,
          rowCount: count,
          column: (name) => {
            const values = data[name];
            if (values === undefined) throw new Error(`test table has no column ${name}`);
            return values.slice(start, start + count);
          },
          describeRow: (row) =>
            format === "csv" || format === "tsv" ? `row ${row + 1} (line ${row + 2})` : `row ${row + 1}`,
        };
      }
    },
  };
  return source;
}

/** Runs one expectation over a test table and returns its result. */
export async function validateOne(
  type: string,
  kwargs: Record<string, unknown>,
  data: Record<string, readonly CellValue[]>,
  options: TestTableOptions & { now?: Date } = {},
): Promise<ExpectationValidationResult> {
  const suite: ExpectationSuite = { name: "test", expectations: [{ type, kwargs }] };
  const validation = await validateTable(
    testTable(data, options),
    suite,
    options.now ? { now: options.now } : {},
  );
  const [result] = validation.results;
  if (result === undefined) throw new Error("no result");
  return result;
}
