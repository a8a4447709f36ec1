/**
 * Values as DVC (Python) sees them. DVC reads params, vars and dvc.lock with Python's YAML/JSON loaders, so
 * `1.0` stays a float there and prints as `1.0` in a command line, a lock file or JSON output, while a JS
 * number would print `1`. Integral floats are therefore kept as `PyFloat`; every other number is a plain JS
 * number whose kind is obvious (a fraction is a float, an integer an int). This module also renders values
 * the way Python's `str`, `repr` and `json.dumps` do, and compares them with Python's `==`.
 */
import type { ScalarTag } from "yaml";
import { compareCodePoints } from "../data/dirManifest.js";
import { malformedFile, parseYamlDocument, type YamlFile } from "../data/yamlFile.js";
import { RUAMEL_FLOAT, RUAMEL_INT } from "./ruamelResolver.js";
import { pythonFloatRepr, pythonStrRepr } from "../pythonRepr.js";

/** A float whose value is integral (`1.0`, `1e3`): Python prints it with a fraction, JS would not. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/**
 * An int beyond 2**53, exact: Python's ints have no limit, and a seed like 12345678901234567890 read as a JS
 * number would be written back to dvc.lock as another number (and a change to its last digits missed).
 */
export class PyInt {
  constructor(readonly value: bigint) {}
}

export type PyValue =
  null | boolean | number | string | PyFloat | PyInt | PyValue[] | { [key: string]: PyValue };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof PyFloat) &&
    !(value instanceof PyInt)
  );
}

/** An int from a parser: a JS number while that is exact, else a PyInt. */
export function pyInt(value: bigint): number | PyInt {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : new PyInt(value);
}

/** A float from a parser: integral values are wrapped so they keep their kind. */
export function pyFloat(value: number): number | PyFloat {
  return Number.isInteger(value) ? new PyFloat(value) : value;
}

/** The number behind an int or float, or undefined for anything else (bools are not numbers here). */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof PyFloat) return value.value;
  if (value instanceof PyInt) return Number(value.value);
  return undefined;
}

export function isFloat(value: unknown): boolean {
  return value instanceof PyFloat || (typeof value === "number" && !Number.isInteger(value));
}

export { pythonFloatRepr as pyFloatRepr };

/** Python's `repr` for numbers: ints as digits, floats as `pyFloatRepr`. */
export function pyNumberRepr(value: number | PyFloat | PyInt): string {
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (value instanceof PyInt) return value.value.toString();
  return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
}

const pyStrRepr = pythonStrRepr;

/** Python's `repr(value)` (used inside `str(list)` and `str(dict)`). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" || value instanceof PyFloat || value instanceof PyInt)
    return pyNumberRepr(value);
  if (typeof value === "string") return pyStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

/** Python's `str(value)`. */
export function pyStr(value: unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

function jsonString(s: string): string {
  // json.dumps with ensure_ascii=True: every code unit above 0x7e becomes \uXXXX (surrogates stay pairs).
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const ch = s[i] ?? "";
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/** Python's `json.dumps(value)` with its default separators, as `dvc ... --json` prints when piped. */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof PyInt) return pyNumberRepr(value);
  if (typeof value === "number" || value instanceof PyFloat) {
    const n = numericValue(value) ?? 0;
    if (Number.isNaN(n)) return "NaN";
    if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
    return pyNumberRepr(value);
  }
  if (typeof value === "string") return jsonString(value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(", ")}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${jsonString(k)}: ${pyJsonDumps(v)}`)
      .join(", ")}}`;
  }
  return jsonString(String(value));
}

/**
 * dvc's `dict_hash` input: `json.dumps(dict_filter(value, exclude), sort_keys=True)`. Written by hand, not
 * through an object: JS orders integer-like keys first, Python sorts all keys alike.
 */
export function pySortedJsonDumps(value: unknown, exclude: ReadonlySet<string> = new Set()): string {
  if (Array.isArray(value)) return `[${value.map((item) => pySortedJsonDumps(item, exclude)).join(", ")}]`;
  if (!isPlainObject(value)) return pyJsonDumps(value);
  const keys = Object.keys(value)
    .filter((key) => !exclude.has(key) && value[key] !== undefined)
    .sort(compareCodePoints);
  return `{${keys.map((key) => `${pyJsonDumps(key)}: ${pySortedJsonDumps(value[key], exclude)}`).join(", ")}}`;
}

/** A deep copy that keeps PyFloat instances (structuredClone would turn them into plain objects). */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneValue(v)])) as T;
  }
  return value;
}

/** Replaces PyFloat by its number, for consumers that only need plain JSON-able data. */
export function toPlain(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/** Python's `==`: 1 == 1.0 == True, lists and dicts element-wise; big ints exactly. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a instanceof PyInt || b instanceof PyInt)
    return exactInt(a) !== undefined && exactInt(a) === exactInt(b);
  const na = typeof a === "boolean" ? Number(a) : numericValue(a);
  const nb = typeof b === "boolean" ? Number(b) : numericValue(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => pyEquals(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && pyEquals(a[k], b[k]));
  }
  return a === b || (a === undefined && b === null) || (a === null && b === undefined);
}

/** The exact integer behind an int (or an integral float), for comparing with a PyInt. */
function exactInt(value: unknown): bigint | undefined {
  if (value instanceof PyInt) return value.value;
  const n = typeof value === "boolean" ? Number(value) : numericValue(value);
  return n !== undefined && Number.isInteger(n) ? BigInt(n) : undefined;
}

const FLOAT_TAG = "tag:yaml.org,2002:float";
const INT_TAG = "tag:yaml.org,2002:int";

/** ruamel's `construct_yaml_float` (dvc reads YAML with ruamel's safe loader): underscores are dropped. */
const ruamelFloatTag: ScalarTag = {
  identify: (value) => value instanceof PyFloat,
  default: true,
  tag: FLOAT_TAG,
  test: RUAMEL_FLOAT,
  resolve: (str: string) => {
    const text = str.replaceAll("_", "").toLowerCase();
    const sign = text.startsWith("-") ? -1 : 1;
    const unsigned = text.replace(/^[-+]/, "");
    if (unsigned === ".inf") return sign * Infinity;
    if (unsigned === ".nan") return NaN;
    return pyFloat(Number(text)) as unknown as number;
  },
};

/** ruamel's `construct_yaml_int`: underscores are dropped, `0b`/`0o`/`0x` set the base, `010` is decimal. */
const ruamelIntTag: ScalarTag = {
  default: true,
  tag: INT_TAG,
  test: RUAMEL_INT,
  resolve: (str: string, onError: (message: string) => void) => {
    const text = str.replaceAll("_", "");
    const negative = text.startsWith("-");
    const unsigned = text.replace(/^[-+]/, "");
    const prefix = /^0[box]/.test(unsigned) ? unsigned.slice(0, 2) : "";
    const digits = unsigned.slice(prefix.length);
    // `0x_` and `-_` match the pattern but leave no digits: Python's int() raises, so dvc cannot load the file.
    if (digits === "") {
      onError(`cannot construct an int from '${str}'`);
      return str;
    }
    // BigInt reads a leading zero as decimal, as Python's int() does.
    const value = BigInt(`${prefix}${digits}`);
    return pyInt(negative ? -value : value) as unknown as number;
  },
};

/**
 * The parse cache's key for these rules. Renamed whenever they change (last: ruamel's ints, `1_000`), so a
 * parse cached under the old rules is never reused.
 */
export const PYTHON_YAML_FLAVOUR = "python-yaml-ruamel";

/** Parses YAML like `yamlFile.parseYamlText`, keeping integral floats as PyFloat. */
export function parsePythonYaml(path: string, text: string): YamlFile {
  return parseYamlDocument(path, text, {
    flavour: PYTHON_YAML_FLAVOUR,
    // ruamel's number rules replace the YAML 1.2 core schema's, which read `1_000` as a string.
    customTags: (tags) => [
      ruamelIntTag,
      ruamelFloatTag,
      ...tags.filter((tag) => typeof tag === "string" || (tag.tag !== INT_TAG && tag.tag !== FLOAT_TAG)),
    ],
    codec: {
      encode: (value) =>
        value instanceof PyFloat ? value.value : value instanceof PyInt ? `int:${value.value}` : undefined,
      decode: (encoded) =>
        typeof encoded === "string" && encoded.startsWith("int:")
          ? new PyInt(BigInt(encoded.slice(4)))
          : new PyFloat(encoded as number),
    },
  });
}

const SENTINEL = "\u0000pyfloat:";
const INT_SENTINEL = "\u0000pyint:";

/** Parses JSON keeping integral floats (`1.0`, `1e3`) as PyFloat, as Python's json module does. */
export function parsePythonJson(path: string, text: string): unknown {
  // Number tokens written with a fraction or exponent are swapped for tagged strings before JSON.parse.
  let rewritten = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? "";
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      rewritten += text.slice(i, j + 1);
      i = j + 1;
    } else if (/[-0-9]/.test(ch)) {
      const match = /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(i));
      const token = match?.[0] ?? ch;
      const isFloatToken = match !== null && (match[1] !== undefined || match[2] !== undefined);
      const bigInt = !isFloatToken && match !== null && !Number.isSafeInteger(Number(token));
      // The JSON escape \u0000 decodes to SENTINEL's first character; no real params string starts that way.
      if (bigInt) rewritten += `"\\u0000pyint:${token}"`;
      else rewritten += isFloatToken && Number.isInteger(Number(token)) ? `"\\u0000pyfloat:${token}"` : token;
      i += token.length;
    } else {
      rewritten += ch;
      i += 1;
    }
  }
  try {
    return JSON.parse(rewritten, (_key, value: unknown) => {
      if (typeof value !== "string") return value;
      if (value.startsWith(SENTINEL)) return new PyFloat(Number(value.slice(SENTINEL.length)));
      if (value.startsWith(INT_SENTINEL)) return new PyInt(BigInt(value.slice(INT_SENTINEL.length)));
      return value;
    });
  } catch (error) {
    throw malformedFile(path, undefined, `invalid JSON: ${(error as Error).message}`);
  }
}
