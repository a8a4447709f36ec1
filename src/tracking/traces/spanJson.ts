/**
 * Span attribute values as mlflow keeps them: each is Python's `json.dumps` of the decoded OTLP value, and
 * the stored span is `json.dumps` of the span's dict. Reading them back must tell `3` from `3.0` (an
 * `int_value` from a `double_value`), keep integers beyond 2^53 exact and keep the keys of an object in their
 * order (a `kvlist_value` is a list), none of which `JSON.parse` does; hence this tree of JSON values, read and
 * written the way Python's json module does.
 */
import { FlowOpsError } from "../../errors.js";
import type { OtlpAnyValue } from "./otlpProto.js";

export type JsonTree =
  | { kind: "null" }
  | { kind: "bool"; value: boolean }
  /** Decimal text, so that any integer stays exact. */
  | { kind: "int"; text: string }
  | { kind: "float"; value: number }
  | { kind: "string"; value: string }
  | { kind: "array"; items: JsonTree[] }
  | { kind: "object"; entries: [string, JsonTree][] };

export const jsonString = (value: string): JsonTree => ({ kind: "string", value });

export function fromOtlpAnyValue(value: OtlpAnyValue | undefined): JsonTree {
  if (value === undefined) return { kind: "null" };
  if (value.stringValue !== undefined) return jsonString(value.stringValue);
  if (value.boolValue !== undefined) return { kind: "bool", value: value.boolValue };
  if (value.intValue !== undefined) return { kind: "int", text: String(value.intValue) };
  if (value.doubleValue !== undefined) return { kind: "float", value: value.doubleValue };
  if (value.arrayValue !== undefined) {
    return { kind: "array", items: (value.arrayValue.values ?? []).map(fromOtlpAnyValue) };
  }
  if (value.kvlistValue !== undefined) {
    return {
      kind: "object",
      entries: (value.kvlistValue.values ?? []).map((kv) => [kv.key ?? "", fromOtlpAnyValue(kv.value)]),
    };
  }
  // mlflow's TraceJSONEncoder writes bytes as str(bytes), Python's repr.
  if (value.bytesValue !== undefined) return jsonString(pythonBytesRepr(value.bytesValue));
  return { kind: "null" };
}

/**
 * The AnyValue message in protobuf JSON, as mlflow answers it (`_set_otel_proto_anyvalue`): null leaves the
 * value unset, integers are JSON numbers (BigInt past 2^53, which the wire writer prints digit for digit).
 */
export function toAnyValueWire(tree: JsonTree): Record<string, unknown> | undefined {
  switch (tree.kind) {
    case "null":
      return undefined;
    case "bool":
      return { bool_value: tree.value };
    case "int": {
      const big = BigInt(tree.text);
      return { int_value: Number.isSafeInteger(Number(big)) ? Number(big) : big };
    }
    case "float":
      return { double_value: tree.value };
    case "string":
      return { string_value: tree.value };
    case "array":
      return { array_value: tree.items.length === 0 ? {} : { values: tree.items.map(anyValueOrEmpty) } };
    case "object":
      return {
        kvlist_value:
          tree.entries.length === 0
            ? {}
            : { values: tree.entries.map(([key, value]) => keyValueWire(key, value)) },
      };
  }
}

export function keyValueWire(key: string, value: JsonTree): Record<string, unknown> {
  const wire = toAnyValueWire(value);
  return wire === undefined ? { key } : { key, value: wire };
}

const anyValueOrEmpty = (tree: JsonTree) => toAnyValueWire(tree) ?? {};

/** Python's `json.dumps(value, ensure_ascii=False)`: `", "` and `": "` separators, floats as repr writes them. */
export function dumpPythonJson(tree: JsonTree): string {
  switch (tree.kind) {
    case "null":
      return "null";
    case "bool":
      return tree.value ? "true" : "false";
    case "int":
      return tree.text;
    case "float":
      return pythonFloatRepr(tree.value);
    case "string":
      // JSON.stringify escapes what json.dumps(ensure_ascii=False) escapes, in the same spelling.
      return JSON.stringify(tree.value);
    case "array":
      return `[${tree.items.map(dumpPythonJson).join(", ")}]`;
    case "object":
      return `{${tree.entries.map(([k, v]) => `${JSON.stringify(k)}: ${dumpPythonJson(v)}`).join(", ")}}`;
  }
}

/** repr(float): shortest round-trip digits, fixed notation for exponents -4..15, else `1e+16` style. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa = "0", exponentText = "0"] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) {
    const fixed = value.toFixed(Math.max(0, mantissa.replace(/^-?\d\.?/, "").length - exponent));
    return fixed.includes(".") ? fixed : `${fixed}.0`;
  }
  const sign = exponent < 0 ? "-" : "+";
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

function pythonBytesRepr(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString("latin1");
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = "";
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (ch === "\\" || ch === quote) body += `\\${ch}`;
    else if (ch === "\t") body += "\\t";
    else if (ch === "\n") body += "\\n";
    else if (ch === "\r") body += "\\r";
    else if (code < 0x20 || code >= 0x7f) body += `\\x${code.toString(16).padStart(2, "0")}`;
    else body += ch;
  }
  return `b${quote}${body}${quote}`;
}

/** Python's `json.loads`: standard JSON plus NaN, Infinity and -Infinity. */
export function parsePythonJson(text: string): JsonTree {
  const parser = new JsonTreeParser(text);
  const tree = parser.value();
  parser.end();
  return tree;
}

/** The tree back as a plain JavaScript value (objects lose nothing a span's own fields need). */
export function plainValue(tree: JsonTree): unknown {
  switch (tree.kind) {
    case "null":
      return null;
    case "int": {
      const n = Number(tree.text);
      return Number.isSafeInteger(n) ? n : BigInt(tree.text);
    }
    case "array":
      return tree.items.map(plainValue);
    case "object":
      return Object.fromEntries(tree.entries.map(([k, v]) => [k, plainValue(v)]));
    default:
      return tree.value;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class JsonTreeParser {
  private at = 0;
  constructor(private readonly text: string) {}

  value(): JsonTree {
    this.skipSpace();
    const ch = this.text[this.at];
    if (ch === "{") return this.object();
    if (ch === "[") return this.array();
    if (ch === '"') return jsonString(this.string());
    for (const [word, tree] of WORDS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return tree;
      }
    }
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null) throw this.fail();
    this.at += match[0].length;
    const isFloat = match[1] !== undefined || match[2] !== undefined;
    return isFloat ? { kind: "float", value: Number(match[0]) } : { kind: "int", text: match[0] };
  }

  end(): void {
    this.skipSpace();
    if (this.at !== this.text.length) throw this.fail();
  }

  private object(): JsonTree {
    this.at += 1;
    const entries: [string, JsonTree][] = [];
    this.skipSpace();
    if (this.text[this.at] === "}") {
      this.at += 1;
      return { kind: "object", entries };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') throw this.fail();
      const key = this.string();
      this.expect(":");
      entries.push([key, this.value()]);
      if (this.separator("}")) return { kind: "object", entries };
    }
  }

  private array(): JsonTree {
    this.at += 1;
    const items: JsonTree[] = [];
    this.skipSpace();
    if (this.text[this.at] === "]") {
      this.at += 1;
      return { kind: "array", items };
    }
    for (;;) {
      items.push(this.value());
      if (this.separator("]")) return { kind: "array", items };
    }
  }

  private string(): string {
    const start = this.at;
    this.at += 1;
    while (this.at < this.text.length && this.text[this.at] !== '"') {
      this.at += this.text[this.at] === "\\" ? 2 : 1;
    }
    if (this.at >= this.text.length) throw this.fail();
    this.at += 1;
    try {
      return JSON.parse(this.text.slice(start, this.at)) as string;
    } catch {
      throw this.fail();
    }
  }

  /** After an item: true at the closing bracket, false after a comma. */
  private separator(close: string): boolean {
    this.skipSpace();
    const ch = this.text[this.at];
    this.at += 1;
    if (ch === close) return true;
    if (ch === ",") return false;
    throw this.fail();
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.at] !== ch) throw this.fail();
    this.at += 1;
  }

  private skipSpace(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  private fail(): FlowOpsError {
    return new FlowOpsError("INTERNAL_ERROR", `Malformed span JSON at offset ${this.at}`);
  }
}

const WORDS: [string, JsonTree][] = [
  ["null", { kind: "null" }],
  ["true", { kind: "bool", value: true }],
  ["false", { kind: "bool", value: false }],
  ["NaN", { kind: "float", value: NaN }],
  ["Infinity", { kind: "float", value: Infinity }],
  ["-Infinity", { kind: "float", value: -Infinity }],
];
