/**
 * A `dataframe_split` whose flat `data` list opens with a JSON object: pandas' DataFrame(data=..., columns=...)
 * then reads the list as records (`dict(item)` of each), keeps the `columns` named (NaN for a key no record
 * has) or, without `columns`, every key in first-seen order, as MLflow's dataframe_from_parsed_json gets it.
 */
import { invalidInput, isJsonObject } from "./invalidInput.js";
import type { FloatLiterals } from "./jsonFloatLiterals.js";
import type { ModelInput } from "./predictRequest.js";
import { frameFromRecords } from "./recordsFrame.js";

type Frame = ModelInput & { kind: "frame" };

/** `data` is the split's list (its first item an object); `columns` its column names, when it names them. */
export function frameFromSplitRecords(
  data: readonly unknown[],
  columns: readonly string[] | undefined,
  floats: FloatLiterals | undefined,
): Frame {
  const records = data.map((item) => (isJsonObject(item) ? item : pythonDict(item)));
  const frame = frameFromRecords(records, "dataframe_split data", floats);
  return columns === undefined ? frame : projectColumns(frame, columns);
}

/** The frame with exactly `columns`, in their order: a column no record holds is absent (NaN) in every row. */
function projectColumns(frame: Frame, columns: readonly string[]): Frame {
  const had = frame.columns ?? [];
  const picks = columns.map((name) => had.indexOf(name));
  const rows = frame.rows.map((row) => picks.map((pick) => (pick === -1 ? null : row[pick])));
  const allRows = frame.rows.map((_, r) => r);
  const projected: Frame = { ...frame, columns: [...columns], rows };
  if (picks.includes(-1) || frame.absentKeys !== undefined) {
    projected.absentKeys = picks.map((pick) => (pick === -1 ? allRows : (frame.absentKeys?.[pick] ?? [])));
  }
  const { floatColumn, floatCell } = frame;
  if (floatColumn !== undefined)
    projected.floatColumn = (c) => (picks[c] ?? -1) !== -1 && floatColumn(picks[c] as number);
  if (floatCell !== undefined)
    projected.floatCell = (r, c) => (picks[c] ?? -1) !== -1 && floatCell(r, picks[c] as number);
  return projected;
}

/**
 * What Python's dict(item) makes of a later item that is not an object: a sequence of key-value pairs, or the
 * TypeError / ValueError pandas reports.
 */
function pythonDict(item: unknown): Record<string, unknown> {
  if (typeof item === "string" || Array.isArray(item)) {
    const elements: unknown[] = typeof item === "string" ? [...item] : item;
    const record: Record<string, unknown> = {};
    elements.forEach((element, i) => {
      const pair: unknown[] | undefined =
        typeof element === "string" ? [...element] : Array.isArray(element) ? element : undefined;
      if (pair === undefined)
        throw splitError(`cannot convert dictionary update sequence element #${i} to a sequence`);
      if (pair.length !== 2) {
        throw splitError(`dictionary update sequence element #${i} has length ${pair.length}; 2 is required`);
      }
      record[String(pair[0])] = pair[1];
    });
    return record;
  }
  throw splitError(`'${pythonTypeName(item)}' object is not iterable`);
}

function pythonTypeName(value: unknown): string {
  if (value === null) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "bigint") return "int";
  return typeof value === "number" && Number.isInteger(value) ? "int" : "float";
}

function splitError(detail: string): Error {
  return invalidInput(
    `Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: '${detail}'`,
  );
}
