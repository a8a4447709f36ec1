/**
 * A `dataframe_split` whose flat `data` list opens with a JSON object: pandas' DataFrame(data=..., columns=...)
 * then reads the list as records (`dict(item)` of each), keeps the `columns` named (NaN for a key no record
 * has) or, without `columns`, every key in first-seen order, as MLflow's dataframe_from_parsed_json gets it.
 * A later item of key-value pairs keeps whether each value was written as a whole float (`["b", 2.0]`), as the
 * dict json.loads' list makes holds the float.
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
  const pairsOf = new Map<object, Map<string, unknown[]>>();
  const records = data.map((item) => {
    if (isJsonObject(item)) return item;
    const pairs = new Map<string, unknown[]>();
    const record = pythonDict(item, pairs);
    pairsOf.set(record, pairs);
    return record;
  });
  const frame = frameFromRecords(records, "dataframe_split data", floats);
  if (floats !== undefined && pairsOf.size > 0) keepPairFloats(frame, records, pairsOf, floats);
  return columns === undefined ? frame : projectColumns(frame, columns);
}

/** The frame's float tests, told for a record made of pairs by the pair that gave each key its value. */
function keepPairFloats(
  frame: Frame,
  records: readonly object[],
  pairsOf: ReadonlyMap<object, ReadonlyMap<string, unknown[]>>,
  floats: FloatLiterals,
): void {
  const names = frame.columns ?? [];
  const pairFloat = (record: object | undefined, c: number): boolean | undefined => {
    const pairs = record === undefined ? undefined : pairsOf.get(record);
    if (pairs === undefined) return undefined;
    const pair = pairs.get(names[c] as string);
    return pair !== undefined && floats.has(pair, 1);
  };
  const { floatColumn, floatCell } = frame;
  frame.floatCell = (r, c) => pairFloat(records[r], c) ?? floatCell?.(r, c) === true;
  frame.floatColumn = (c) =>
    floatColumn?.(c) === true || records.some((record) => pairFloat(record, c) === true);
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
function pythonDict(item: unknown, pairs: Map<string, unknown[]>): Record<string, unknown> {
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
      pairs.set(String(pair[0]), pair);
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
