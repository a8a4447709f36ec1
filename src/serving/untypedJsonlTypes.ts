/**
 * The first pass of batch inference for a model without a signature over a JSON Lines file: MLflow hands such a
 * model the frame pandas.read_json gives, which types each column on the whole file (tables/jsonlColumnTypes.ts).
 * A typed model, or another format, pays nothing for it.
 */
import { FlowOpsError } from "../errors.js";
import { jsonlColumnTypes } from "../tables/jsonlColumnTypes.js";
import type { PandasJsonType } from "../tables/pandasJsonCells.js";
import type { TableSource } from "../tables/tableChunk.js";
import type { LoadedModel } from "./runtime.js";

/** `input`'s column types on the whole file where `model` takes the frame as read; else undefined. */
export async function untypedJsonlTypes(
  model: Pick<LoadedModel, "inputs">,
  input: Pick<TableSource, "path" | "format">,
  columns: readonly string[] | undefined,
): Promise<ReadonlyMap<string, PandasJsonType> | undefined> {
  if (model.inputs.length > 0 || input.format !== "jsonl") return undefined;
  try {
    return await jsonlColumnTypes(input.path, columns);
  } catch (error) {
    if (!(error instanceof FlowOpsError)) throw error;
    throw new FlowOpsError(error.code, `${input.path}: ${error.message}`, { cause: error });
  }
}
