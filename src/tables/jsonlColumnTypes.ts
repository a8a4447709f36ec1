/**
 * The first pass of batch inference over a JSON Lines file for a model without a signature: each column's
 * pandas dtype as `pandas.read_json(path, lines=True)` decides it, on all the file's rows, where a chunk of them
 * alone could decide otherwise (a null at row 90,000 makes every row's integers float64, not just its chunk's).
 * The file is streamed once, line by line, and each value taken into its column's PandasJsonProfile, which keeps
 * a few facts and, for a column that may hold text beside numbers, one bit a row for the whole numbers written
 * as floats (1.0): memory stays that of a block of lines, not of the file.
 *
 * The values are the JSON Lines reader's (jsonlReader.ts): the first line's keys are the columns, a missing key
 * is null, nested values are their JSON text (remembered as nested: pandas holds them as lists and dicts),
 * integers beyond 2^53 exact. A line the reader would refuse (not
 * JSON, not an object, not UTF-8) is skipped here; the reader reports it when it gets there. A line holding an
 * integer below -2^63 or beyond 2^64 - 1, which the reader takes but read_json refuses the file for, is refused
 * here: no frame of pandas' to follow. The decision is a
 * function of the file alone, so a resumed run decides as the interrupted one did.
 */
import { FlatJsonLineScanner, FlatValueKind } from "./flatJsonLine.js";
import { floatLiteralKeys } from "./jsonFloatLiterals.js";
import { FlowOpsError } from "../errors.js";
import {
  integerBeyondPandasJson,
  mayHoldBigIntegers,
  parseJsonKeepingBigIntegers,
} from "./jsonBigIntegers.js";
import { ParsedJsonLine } from "./jsonlReader.js";
import { decodeLine, lineBytesBlocks } from "./lineBytesStream.js";
import { PandasJsonProfile, type PandasJsonType } from "./pandasJsonCells.js";

const LF = 10;

/** Each of `columns` (default: all the file's) as read_json types it on the whole file at `path`. */
export async function jsonlColumnTypes(
  path: string,
  columns?: readonly string[],
): Promise<Map<string, PandasJsonType>> {
  const pass = new ColumnTypesPass(columns);
  for await (const block of lineBytesBlocks(path)) {
    for (let pos = 0; pos < block.length;) {
      const lineFeed = block.indexOf(LF, pos);
      const end = lineFeed === -1 ? block.length : lineFeed;
      pass.line(block, pos, end);
      pos = end + 1;
    }
  }
  return pass.types();
}

/** The pass's state: the columns the first line gave, and a profile for each column asked for. */
class ColumnTypesPass {
  private header: readonly string[] | undefined;
  private scanner: FlatJsonLineScanner | undefined;
  /** The columns profiled, with the index of their key in the header. */
  private slots: { name: string; key: number; profile: PandasJsonProfile }[] = [];
  /** The row the next line is, from 0, counting no blank line. */
  private row = 0;

  constructor(private readonly columns: readonly string[] | undefined) {}

  line(bytes: Buffer, start: number, end: number): void {
    const scanner = this.scanner;
    if (scanner !== undefined && scanner.scan(bytes, start, end)) {
      this.scanned(scanner, bytes);
      this.row++;
      return;
    }
    const source = decodeLine(bytes, start, end);
    if (source === undefined || source.trim() === "") return;
    const value = parsedObject(source);
    if (value !== undefined) {
      const beyond = mayHoldBigIntegers(source) ? integerBeyondPandasJson(source) : undefined;
      if (beyond !== undefined) throw integerBeyondError(this.row + 1, beyond);
      if (this.header === undefined) this.start(Object.keys(value));
      this.parsed(value, source);
    }
    this.row++;
  }

  types(): Map<string, PandasJsonType> {
    return new Map(this.slots.map(({ name, profile }) => [name, profile.decide()]));
  }

  private start(header: readonly string[]): void {
    this.header = header;
    this.scanner = new FlatJsonLineScanner(header);
    const wanted = this.columns ?? header;
    // A name the file lacks is the reader's to report.
    this.slots = [...new Set(wanted)]
      .filter((name) => header.includes(name))
      .map((name) => ({ name, key: header.indexOf(name), profile: new PandasJsonProfile(name) }));
  }

  private scanned(scanner: FlatJsonLineScanner, bytes: Buffer): void {
    const { kinds, numbers, strings, textStarts, textEnds } = scanner;
    for (const { key, profile } of this.slots) {
      const kind = kinds[key];
      if (kind === FlatValueKind.Number) {
        const value = numbers[key] as number;
        profile.observe(value, this.row);
        // Text that is not String's for an integer value is 1.0, 1e3 or -0.
        if (
          (textEnds[key] as number) < 0 &&
          Number.isInteger(value) &&
          floatBytes(bytes, textStarts[key] as number)
        )
          profile.wholeFloat(this.row);
      } else if (kind === FlatValueKind.String) {
        profile.observe(strings[key] as string, this.row);
      } else {
        profile.observe(
          kind === FlatValueKind.True ? true : kind === FlatValueKind.False ? false : null,
          this.row,
        );
      }
    }
  }

  private parsed(value: Record<string, unknown>, source: string): void {
    let floats: Set<string> | undefined;
    const line = new ParsedJsonLine(value, source);
    for (const { name, profile } of this.slots) {
      const item = value[name];
      if (line.isNested(name)) {
        profile.nested(this.row);
        continue;
      }
      profile.observe(line.cell(name), this.row);
      if (typeof item === "number" && Number.isInteger(item)) {
        floats ??= floatLiteralKeys(source);
        if (floats.has(name)) profile.wholeFloat(this.row);
      }
    }
  }
}

function integerBeyondError(row: number, value: bigint): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `row ${row}: integer ${value} is beyond -2^63 to 2^64 - 1, and pandas.read_json refuses the file for it ` +
      `("Value is too big!"), so a model without a signature has no frame to get; write it as text or a float, ` +
      `or log the model with a signature`,
  );
}

function parsedObject(source: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = mayHoldBigIntegers(source)
      ? parseJsonKeepingBigIntegers(source)
      : JSON.parse(source);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the number text at `at` has a fraction or an exponent. */
function floatBytes(bytes: Buffer, at: number): boolean {
  for (let i = at; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c === 46 || c === 101 || c === 69) return true;
    if (!((c >= 48 && c <= 57) || c === 45 || c === 43)) return false;
  }
  return false;
}
