/**
 * JSON as Python's json module reads and writes it, for the places where MLflow's server keeps or answers
 * what `json.loads` gave and `json.dumps` wrote: webhook bodies it signs, dataset records and tags, span
 * attributes, page tokens and the messages that quote them. Three things set it apart from JSON.parse and
 * JSON.stringify: `1.0` stays a float (a PythonFloat), an integer of any size keeps every digit (a BigInt past
 * 2^53), and a dict keeps the order of its keys even when they look like integers (a Map). NaN, Infinity and
 * -Infinity, which Python writes for non-finite floats, are read and written too.
 */
import { pythonFiniteFloatRepr, pythonFloatRepr, pythonStrRepr } from "./pythonRepr.js";

/** A number Python holds as a float: integral values keep their `.0`. */
export class PythonFloat {
  constructor(readonly value: number) {}
}

/**
 * A value of Python's json module. An integer is a number (a safe integer when parsed) or a BigInt; a float
 * is a PythonFloat, or a number that is not an integer.
 */
export type PythonJsonValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | PythonFloat
  | readonly PythonJsonValue[]
  /** A dict whose keys keep their insertion order even when they look like integers ("2", "10"). */
  | ReadonlyMap<string, PythonJsonValue>
  | { readonly [key: string]: PythonJsonValue };

export interface PythonJsonDumpsOptions {
  /** `ensure_ascii`, on by default as in Python: anything but printable ASCII is written `\uXXXX`. */
  ensureAscii?: boolean;
}

/**
 * `json.dumps(value)` with default separators (`", "` and `": "`), keys in insertion order and floats in
 * Python's spelling (`100.0`). mlflow signs the webhook body it sends, and a receiver that re-serialises what
 * it parsed only matches a body written this way; it also lets tests compare with mlflow byte for byte.
 */
export function pythonJsonDumps(value: PythonJsonValue, options: PythonJsonDumpsOptions = {}): string {
  // ensure_ascii=False escapes only what JSON.stringify escapes, in the same spelling.
  const quote = options.ensureAscii === false ? JSON.stringify : asciiJsonString;
  const write = (item: PythonJsonValue | undefined): string => {
    // A record field left undefined (not a JSON value) is written as None would be.
    if (item === null || item === undefined) return "null";
    if (typeof item === "string") return quote(item);
    if (typeof item === "boolean") return item ? "true" : "false";
    if (typeof item === "bigint") return item.toString();
    if (typeof item === "number") return Number.isInteger(item) ? String(item) : pythonJsonFloat(item);
    if (item instanceof PythonFloat) return pythonJsonFloat(item.value);
    if (Array.isArray(item)) return `[${item.map(write).join(", ")}]`;
    return `{${pythonDictEntries(item)
      .map(([k, v]) => `${quote(k)}: ${write(v)}`)
      .join(", ")}}`;
  };
  return write(value);
}

/** A float as `json.dumps` writes it: its repr, with `NaN`, `Infinity` and `-Infinity` for the others. */
export function pythonJsonFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  return pythonFiniteFloatRepr(value);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** `ensure_ascii=True`: anything but printable ASCII becomes `\uXXXX` (UTF-16 units, so surrogate pairs). */
function asciiJsonString(text: string): string {
  const escape = (c: string): string =>
    SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return `"${text.replace(/[^ -~]|["\\]/g, escape)}"`;
}

/** A dict's keys and values in its order, whether it is a Map or a plain object. */
export function pythonDictEntries(dict: object): [string, PythonJsonValue][] {
  return dict instanceof Map
    ? [...(dict as ReadonlyMap<string, PythonJsonValue>)]
    : Object.entries(dict as { readonly [key: string]: PythonJsonValue });
}

/** `repr()` of a value `json.loads` gave: `None`, `True`, `1.0`, `{'a': [1, "it's"]}`. */
export function pythonValueRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return pythonStrRepr(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (value instanceof PythonFloat) return pythonFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(pythonValueRepr).join(", ")}]`;
  return `{${pythonDictEntries(value as object)
    .map(([k, v]) => `${pythonStrRepr(k)}: ${pythonValueRepr(v)}`)
    .join(", ")}}`;
}

/** `str(value)`: a str as it is, anything else as its repr (how MLflow stores a non-string tag value). */
export function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pythonValueRepr(value);
}

/** Text Python's `json.loads` refuses, and where in it the reading stopped. */
export class PythonJsonSyntaxError extends SyntaxError {
  constructor(
    what: string,
    readonly position: number,
  ) {
    super(`${what} at position ${position}`);
  }
}

/**
 * `json.loads(text)`; throws a PythonJsonSyntaxError for text Python's parser refuses. A dict comes back as a
 * Map, which keeps every key where Python's dict keeps it (a plain object would move "10" to the front).
 */
export function parsePythonJson(text: string): PythonJsonValue {
  const reader = new PythonJsonReader(text);
  let value: PythonJsonValue;
  try {
    value = reader.value();
  } catch (error) {
    // A nesting deeper than the call stack: Python's parser gives up earlier (RecursionError).
    if (error instanceof RangeError) throw new PythonJsonSyntaxError("JSON nested too deeply", 0);
    throw error;
  }
  reader.end();
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const CONSTANTS: ReadonlyArray<readonly [string, () => PythonJsonValue]> = [
  ["true", () => true],
  ["false", () => false],
  ["null", () => null],
  ["NaN", () => new PythonFloat(NaN)],
  ["Infinity", () => new PythonFloat(Infinity)],
  ["-Infinity", () => new PythonFloat(-Infinity)],
];

class PythonJsonReader {
  private at = 0;

  constructor(private readonly text: string) {}

  value(): PythonJsonValue {
    this.skipSpace();
    const ch = this.text.charAt(this.at);
    if (ch === "{") return this.dict();
    if (ch === "[") return this.list();
    if (ch === '"') return this.string();
    for (const [word, make] of CONSTANTS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return make();
      }
    }
    return this.number();
  }

  end(): void {
    this.skipSpace();
    if (this.at < this.text.length) this.fail("extra data");
  }

  /** A repeated key keeps its first place and takes its last value, as in a Python dict. */
  private dict(): PythonJsonValue {
    const map = new Map<string, PythonJsonValue>();
    this.at += 1;
    this.skipSpace();
    if (this.take("}")) return map;
    for (;;) {
      this.skipSpace();
      if (this.text.charAt(this.at) !== '"') this.fail("expected a property name");
      const key = this.string();
      this.skipSpace();
      if (!this.take(":")) this.fail("expected ':'");
      const value = this.value();
      map.set(key, value);
      this.skipSpace();
      if (this.take("}")) return map;
      if (!this.take(",")) this.fail("expected ',' or '}'");
    }
  }

  private list(): PythonJsonValue[] {
    const list: PythonJsonValue[] = [];
    this.at += 1;
    this.skipSpace();
    if (this.take("]")) return list;
    for (;;) {
      list.push(this.value());
      this.skipSpace();
      if (this.take("]")) return list;
      if (!this.take(",")) this.fail("expected ',' or ']'");
    }
  }

  /** A string literal, decoded by JSON.parse (the same escapes and control-character rules as Python's). */
  private string(): string {
    const start = this.at;
    let i = start + 1;
    for (;;) {
      const ch = this.text.charAt(i);
      if (ch === "") this.fail("unterminated string");
      if (ch === "\\") i += 2;
      else if (ch === '"') break;
      else i += 1;
    }
    this.at = i + 1;
    try {
      return JSON.parse(this.text.slice(start, this.at)) as string;
    } catch {
      throw new PythonJsonSyntaxError("invalid string", start);
    }
  }

  private number(): number | bigint | PythonFloat {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail("expected a value");
    const literal = match[0];
    this.at += literal.length;
    if (match[1] !== undefined || match[2] !== undefined) return new PythonFloat(Number(literal));
    const value = Number(literal);
    return Number.isSafeInteger(value) ? value : BigInt(literal);
  }

  private skipSpace(): void {
    while (this.at < this.text.length && " \t\n\r".includes(this.text.charAt(this.at))) this.at += 1;
  }

  private take(ch: string): boolean {
    if (this.text.charAt(this.at) !== ch) return false;
    this.at += 1;
    return true;
  }

  private fail(what: string): never {
    throw new PythonJsonSyntaxError(what, this.at);
  }
}
