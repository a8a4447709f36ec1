/**
 * The general path of batch inference, taken when the numeric fast path (numericBatchInput.ts) is not: a
 * chunk's rows as a frame, adapted to the model's inputs by the same adaptInput an HTTP request goes through,
 * so a file and a request with the same rows reach the model alike.
 */
import { hasTextCells } from "../tables/csvChunk.js";
import { PANDAS_NA_VALUES } from "../tables/numericColumn.js";
import type { CellValue, TableChunk } from "../tables/tableChunk.js";
import { integerColumns, integerMissingError } from "./integerFeatures.js";
import type { BatchInput } from "./numericBatchInput.js";
import { adaptInput } from "./payloads/adaptInput.js";
import type { LoadedModel } from "./runtime.js";

/** The general path: the chunk's rows as a frame, adapted to the model's inputs as the serving protocols are. */
export function frameBatchInput(
  model: Pick<LoadedModel, "inputs" | "signature">,
  chunk: TableChunk,
  names: readonly string[],
): BatchInput {
  const cells = names.map((name) => chunk.column(name));
  const integerTypes = integerColumns(model, names);
  const integers = names.map((name) => integerTypes.get(name));
  // CSV text as pandas.read_csv reads it (MLflow's batch scoring): its default NA markers are missing.
  const csv = hasTextCells(chunk);
  const cell = (value: CellValue | undefined, c: number, r: number): CellValue => {
    const missing =
      value === undefined ||
      value === null ||
      (csv && typeof value === "string" && PANDAS_NA_VALUES.has(value));
    if (!missing) return value;
    const integer = integers[c];
    if (integer !== undefined) throw integerMissingError(chunk, names[c] as string, r, value, integer);
    return null;
  };
  return (start, end) => {
    const rows: CellValue[][] = new Array<CellValue[]>(end - start);
    for (let r = start; r < end; r++) rows[r - start] = cells.map((column, c) => cell(column[r], c, r));
    const firstRow = chunk.startRow + start + 1;
    // A CSV file's text as read_csv types it for a model without a signature (true/false are booleans).
    const frame = {
      kind: "frame" as const,
      columns: [...names],
      rows,
      firstRow,
      ...(csv ? { textCells: "csv" as const } : {}),
    };
    return adaptInput(frame, model.inputs, model.signature);
  };
}
