/**
 * JSON bodies read with the number types Python's json.loads gives them: a number written with `.`, `e` or `E` is
 * a float there (`1.0`, `2e3`), where JSON.parse makes it the integer 1 or 2000. MLflow's server types a tensor
 * or DataFrame column of a model without a signature from those Python values (np.array, pandas), so
 * `[[1.0, 2.0]]` reaches the model as float64, not int64. The parsed value stays plain JSON; a FloatLiterals
 * beside it says which of its numbers were whole floats. It searches the text only when first asked, which
 * inference does only for values that would otherwise be integers: a body of fractional numbers never pays.
 * This module types nothing itself.
 */
import { parseJsonWithBigIntegers } from "../../tables/jsonBigIntegers.js";

/** A parsed body and, when its text has any float literal at all, where it wrote whole numbers as floats. */
export interface LiteralJson {
  value: unknown;
  floats: FloatLiterals | undefined;
}

/** parseJsonWithBigIntegers, with a FloatLiterals for the value unless the text has no `.` and no exponent. */
export function parseJsonKeepingFloatLiterals(text: string): LiteralJson {
  const value = parseJsonWithBigIntegers(text);
  const floats = text.includes(".") || hasExponent(text) ? new FloatLiterals(text, value) : undefined;
  return { value, floats };
}

/** Which members of a parsed body's arrays and objects are whole numbers written as floats. */
export class FloatLiterals {
  private keysByContainer: ReadonlyMap<object, readonly (number | string)[]> | undefined;

  /** `value` is `text` as parsed; its arrays and objects are the containers asked about. */
  constructor(
    private readonly text: string,
    private readonly value: unknown,
  ) {}

  /** Whether `container[key]` was written as a float. */
  has(container: object, key: number | string): boolean {
    return this.keysIn(container)?.includes(key) === true;
  }

  /** Whether the nested arrays of `value` hold a whole number written as a float anywhere. */
  holdsAnyIn(value: unknown): boolean {
    if (!Array.isArray(value)) return false;
    if (this.keysIn(value) !== undefined) return true;
    return value.some((item) => this.holdsAnyIn(item));
  }

  /**
   * Whether a column of `rows` (frame rows as sent, each a list of cells, or one bare cell for a one-column
   * frame, as pandas reads a flat list) holds a cell written as a float; the rows are searched once.
   */
  columnsOfRows(rows: readonly unknown[]): (column: number) => boolean {
    let columns: Set<number> | undefined;
    return (column) => (columns ??= this.rowColumns(rows)).has(column);
  }

  /** columnsOfRows for records ({column: value} objects), given where each column name sits. */
  columnsOfRecords(
    records: readonly unknown[],
    indexOf: ReadonlyMap<string, number>,
  ): (column: number) => boolean {
    let columns: Set<number> | undefined;
    return (column) => (columns ??= this.recordColumns(records, indexOf)).has(column);
  }

  /** Whether the cell at (row, column) of `rows` (as in columnsOfRows) was written as a whole float. */
  cellsOfRows(rows: readonly unknown[]): (row: number, column: number) => boolean {
    return (row, column) => {
      const cells: unknown = rows[row];
      if (Array.isArray(cells)) return this.has(cells, column);
      return column === 0 && this.has(rows, row);
    };
  }

  /** cellsOfRows for records, given the frame's column names. */
  cellsOfRecords(
    records: readonly unknown[],
    columns: readonly string[],
  ): (row: number, column: number) => boolean {
    return (row, column) => {
      const record: unknown = records[row];
      const key = columns[column];
      return typeof record === "object" && record !== null && key !== undefined && this.has(record, key);
    };
  }

  private rowColumns(rows: readonly unknown[]): Set<number> {
    const columns = new Set<number>();
    // Members of `rows` itself that were written as floats can only be bare cells: column 0.
    if (this.keysIn(rows) !== undefined) columns.add(0);
    for (const row of rows) {
      if (Array.isArray(row)) for (const key of this.keysIn(row) ?? []) columns.add(key as number);
    }
    return columns;
  }

  private recordColumns(records: readonly unknown[], indexOf: ReadonlyMap<string, number>): Set<number> {
    const columns = new Set<number>();
    for (const record of records) {
      if (typeof record !== "object" || record === null) continue;
      for (const key of this.keysIn(record) ?? []) {
        const index = indexOf.get(key as string);
        if (index !== undefined) columns.add(index);
      }
    }
    return columns;
  }

  private keysIn(container: object): readonly (number | string)[] | undefined {
    this.keysByContainer ??= wholeFloatKeys(this.text, this.value);
    return this.keysByContainer.get(container);
  }
}

/**
 * Whether the text may hold a number literal with `.`, `e` or `E` whose value JSON.parse makes a safe integer.
 * Anchored on `.` and `e`/`E`; conservative (strings and some literals that are not whole match too), and it
 * must never miss one, so each alternative covers a way to get there:
 * - a fraction of zeros (`1.0`; `2.50e1` is left to the exponent rules);
 * - rounding: a literal of at least 16 significant digits can round to an integer (`0.99999999999999999`),
 *   which takes integer digits n and a run r of 0s or 9s opening the fraction with n + r >= 15 (below 2^53 the
 *   gap to the integer must be under |x| * 2^-53): r >= 7, or n >= 8 and r >= 1, or n >= 15;
 * - a non-negative exponent (`1e3`, `1.5E+1`);
 * - a negative exponent, which needs the mantissa to end in 0 (`10e-1`), an exponent of -0 or -1, two integer
 *   digits (a value of at least 1 with exponent -k has k of them), or underflow to 0 (`1e-400`). Python writes
 *   its small floats (`1.2345678901234567e-05`) as none of these.
 */
const WHOLE_FLOAT_CANDIDATE = new RegExp(
  [
    String.raw`\.(?:0+(?!\d)|0{7}|9{7}|(?<=\d{8}\.)[09]|(?<=\d{15}\.))`,
    String.raw`[eE](?:(?<=\d[eE])\+?\d|-(?:0*[01](?!\d)|\d{3}|(?<=0[eE]-)|(?<=\d\d\.\d*[eE]-|(?:^|[^.\d])\d\d+[eE]-)))`,
  ].join("|"),
);

/** Whether the text may hold a float literal of a whole number; exported for its tests. */
export function mayHoldWholeFloats(text: string): boolean {
  return WHOLE_FLOAT_CANDIDATE.test(text);
}

const NO_KEYS: ReadonlyMap<object, readonly (number | string)[]> = new Map();

/**
 * For each array and object of `value` (`text` parsed), the indices or keys of its members written as whole
 * floats. The text is parsed again with each such literal turned into an empty string (`1.0` becomes `"" `):
 * where that twin holds a string and `value` a number, the number was one. Explicit stacks rather than
 * recursion: a body may nest deeper than the call stack goes, which its parser refuses later.
 */
function wholeFloatKeys(text: string, value: unknown): ReadonlyMap<object, readonly (number | string)[]> {
  if (typeof value !== "object" || value === null || !mayHoldWholeFloats(text)) return NO_KEYS;
  // UTF-8 bytes, whose multi-byte sequences hold no ASCII byte, so quotes and digits are found as they are.
  const bytes = Buffer.from(text, "utf8");
  if (!quoteWholeFloats(bytes)) return NO_KEYS;
  const twin = parseJsonWithBigIntegers(bytes.toString("utf8"));
  const keys = new Map<object, (number | string)[]>();
  const pending: unknown[] = [value, twin];
  while (pending.length > 0) {
    const twinContainer = pending.pop() as Record<string, unknown>;
    const container = pending.pop() as Record<string, unknown>;
    let found: (number | string)[] | undefined;
    if (Array.isArray(container)) {
      const twinItems = twinContainer as unknown as unknown[];
      for (let i = 0; i < container.length; i++) {
        const item: unknown = container[i];
        if (typeof item === "object" && item !== null) pending.push(item, twinItems[i]);
        else if (typeof item === "number" && typeof twinItems[i] === "string") (found ??= []).push(i);
      }
    } else {
      for (const key of Object.keys(container)) {
        const item = container[key];
        if (typeof item === "object" && item !== null) pending.push(item, twinContainer[key]);
        else if (typeof item === "number" && typeof twinContainer[key] === "string") (found ??= []).push(key);
      }
    }
    if (found !== undefined) keys.set(container, found);
  }
  return keys;
}

/**
 * Turns each float literal of a safe integer (outside strings) into an empty string padded to the literal's
 * length, in place; whether it found one.
 */
function quoteWholeFloats(bytes: Buffer): boolean {
  let quoted = false;
  let i = 0;
  while (i < bytes.length) {
    const code = bytes[i] as number;
    if (code === QUOTE) {
      i = endOfString(bytes, i);
      continue;
    }
    if (code !== MINUS && (code < DIGIT_0 || code > DIGIT_9)) {
      i++;
      continue;
    }
    const start = i;
    let dot = false;
    let exponent = false;
    let fractionDigit = false;
    for (i++; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (c >= DIGIT_0 && c <= DIGIT_9) {
        if (dot && !exponent && c !== DIGIT_0) fractionDigit = true;
      } else if (c === DOT) dot = true;
      else if (c === LOWER_E || c === UPPER_E) exponent = true;
      else if (c !== PLUS && c !== MINUS) break;
    }
    if (!dot && !exponent) continue;
    // Up to 15 digits without an exponent, a literal is whole exactly when its fraction is all zeros (and then
    // below 2^53); longer ones may round, so the number itself decides, as it does with an exponent.
    const whole =
      exponent || i - start > 16
        ? Number.isSafeInteger(Number(bytes.toString("latin1", start, i)))
        : !fractionDigit;
    if (whole) {
      // `""`, which JSON.parse reads without allocating, then spaces to the literal's end.
      bytes[start] = QUOTE;
      bytes[start + 1] = QUOTE;
      for (let at = start + 2; at < i; at++) bytes[at] = SPACE;
      quoted = true;
    }
  }
  return quoted;
}

/** Whether a digit precedes an `e` or `E` somewhere (single-character searches are fast, unlike a RegExp's). */
function hasExponent(text: string): boolean {
  for (const letter of ["e", "E"]) {
    for (let at = text.indexOf(letter, 1); at !== -1; at = text.indexOf(letter, at + 1)) {
      const before = text.charCodeAt(at - 1);
      if (before >= DIGIT_0 && before <= DIGIT_9) return true;
    }
  }
  return false;
}

/** The index just past the string that opens at `start`, skipping escaped characters. */
function endOfString(bytes: Uint8Array, start: number): number {
  let i = start + 1;
  while (i < bytes.length) {
    const code = bytes[i];
    if (code === BACKSLASH) i += 2;
    else if (code === QUOTE) return i + 1;
    else i++;
  }
  return i;
}

const QUOTE = 0x22;
const SPACE = 0x20;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
