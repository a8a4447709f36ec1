/**
 * Record values as MLflow's server holds them: it reads a `records` text with Python's `json.loads`, keeps
 * the Python values in JSON columns and writes them back with `json.dumps`. So a number written `1.0` stays
 * the float 1.0 (JSON.parse would make it the integer 1, and the dataset schema would call it "integer"), an
 * integer of any size keeps every digit, and NaN and Infinity, which Python clients send for non-finite
 * floats, are read too. Parsed values are plain JSON values except for those numbers: a float is a
 * PythonFloat whatever its value, an integer a number up to 2^53 and a BigInt beyond.
 */
import { invalidParameter } from "../../errors.js";
import { pythonFloatRepr as pythonReprOfFloat, pythonStrRepr } from "../../pythonRepr.js";
import { PythonFloat, pythonFloatRepr, pythonJsonDumps } from "../../registry/webhooks/pythonJson.js";

/** `json.loads(text)`; throws a SyntaxError for text Python's parser refuses. */
export function parsePythonJson(text: string): unknown {
  const reader = new PythonJsonReader(text);
  let value: unknown;
  try {
    value = reader.value();
  } catch (error) {
    // A nesting deeper than the call stack: Python's parser gives up earlier (RecursionError).
    if (error instanceof RangeError) throw new SyntaxError("JSON nested too deeply");
    throw error;
  }
  reader.end();
  return value;
}

/** `json.dumps(value)` for values parsePythonJson builds (a Map keeps its insertion order, as a dict). */
export function pythonJsonText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (value instanceof PythonFloat) return pythonFloatRepr(value.value);
  if (typeof value === "string" || typeof value === "boolean") return pythonJsonDumps(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonText).join(", ")}]`;
  const entries = value instanceof Map ? [...(value as Map<string, unknown>)] : Object.entries(value);
  return `{${entries.map(([k, v]) => `${pythonJsonDumps(String(k))}: ${pythonJsonText(v)}`).join(", ")}}`;
}

/** `str(value)`, how MLflow stores a tag value that is not a string: `1.0`, `True`, `{'a': [None]}`. */
export function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return pythonStrRepr(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (value instanceof PythonFloat) return pythonReprOfFloat(value.value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonStrRepr(k)}: ${pythonRepr(v)}`).join(", ")}}`;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const CONSTANTS: ReadonlyArray<readonly [string, unknown]> = [
  ["true", true],
  ["false", false],
  ["null", null],
  ["NaN", new PythonFloat(NaN)],
  ["Infinity", new PythonFloat(Infinity)],
  ["-Infinity", new PythonFloat(-Infinity)],
];

class PythonJsonReader {
  private at = 0;

  constructor(private readonly text: string) {}

  value(): unknown {
    this.skipSpace();
    const ch = this.text.charAt(this.at);
    if (ch === "{") return this.object();
    if (ch === "[") return this.array();
    if (ch === '"') return this.string();
    for (const [word, value] of CONSTANTS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value instanceof PythonFloat ? new PythonFloat(value.value) : value;
      }
    }
    return this.number();
  }

  end(): void {
    this.skipSpace();
    if (this.at < this.text.length) this.fail("extra data");
  }

  private object(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.at += 1;
    this.skipSpace();
    if (this.take("}")) return object;
    for (;;) {
      this.skipSpace();
      if (this.text.charAt(this.at) !== '"') this.fail("expected a property name");
      const key = this.string();
      this.skipSpace();
      if (!this.take(":")) this.fail("expected ':'");
      // defineProperty: a key "__proto__" is data, as it is for JSON.parse, not the object's prototype.
      Object.defineProperty(object, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
      if (this.take("}")) return object;
      if (!this.take(",")) this.fail("expected ',' or '}'");
    }
  }

  private array(): unknown[] {
    const array: unknown[] = [];
    this.at += 1;
    this.skipSpace();
    if (this.take("]")) return array;
    for (;;) {
      array.push(this.value());
      this.skipSpace();
      if (this.take("]")) return array;
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
    return JSON.parse(this.text.slice(start, this.at)) as string;
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
    while (" \t\n\r".includes(this.text.charAt(this.at)) && this.at < this.text.length) this.at += 1;
  }

  private take(ch: string): boolean {
    if (this.text.charAt(this.at) !== ch) return false;
    this.at += 1;
    return true;
  }

  private fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.at}`);
  }
}

/** The `tags` field of a request: JSON text of an object, read as mlflow reads it. */
export function parseJsonObjectField(name: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parsePythonJson(text);
  } catch {
    throw invalidParameter(`Invalid value for parameter '${name}': not valid JSON.`);
  }
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    Array.isArray(parsed) ||
    parsed instanceof PythonFloat
  ) {
    throw invalidParameter(`Parameter '${name}' must be a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}
