/**
 * MLflow's wire conventions in one place: how request fields are read (query strings for GET, JSON bodies
 * otherwise), how numbers travel (int64 as JSON numbers, NaN and infinities as strings) and how a zod
 * failure becomes MLflow's INVALID_PARAMETER_VALUE message.
 */
import { isUtf8 } from "node:buffer";
import { z } from "zod";
import { FlowOpsError } from "../errors.js";
import { mayHoldUnsafeIntegers, parseJsonWithBigIntegers } from "../tables/jsonBigIntegers.js";
import { pythonJsonDumps, type PythonJsonValue } from "../pythonJson.js";
import { isInt64 } from "../wireJson.js";
import { withoutEmptyRequiredText } from "./protoFields.js";

export { toWireJson } from "../wireJson.js";

const API_DOCS_HINT = "See the API docs for more information about request parameters.";

/**
 * An int64 field: a JSON number, or a decimal string (query strings, and protobuf's own JSON form). The
 * whole int64 range is accepted (MLflow clients send steps like 2**62), but JSON numbers are read as
 * doubles, so above 2**53 a value is kept only to the nearest double: exact for powers of two and other
 * representable values, rounded otherwise.
 */
export const int64 = (): z.ZodType<number> =>
  z.union([
    z.number().refine(isInt64, { message: "Expected a 64-bit integer" }),
    z
      .string()
      .regex(/^-?\d+$/)
      .transform((s) => Number(s))
      .refine(isInt64, { message: "Expected a 64-bit integer" }),
  ]) as unknown as z.ZodType<number>;

/**
 * An int64 field of a JSON body, read the way MLflow's server reads it: protobuf's JSON parser refuses a
 * number with a fraction, and MLflow's handler goes on with the field at its proto default, so 1.5 reads as
 * `protoDefault` (undefined: as if the field were not sent). A string must still be a whole number, and a
 * number beyond int64 is still refused (MLflow's answer there depends on each handler's own checks).
 */
export function int64OrDefault(protoDefault: number): z.ZodType<number>;
export function int64OrDefault(protoDefault?: undefined): z.ZodType<number | undefined>;
export function int64OrDefault(protoDefault?: number): z.ZodType<number | undefined> {
  return z.union([
    int64(),
    z
      .custom<number>((v) => typeof v === "number" && Math.abs(v) < 2 ** 63, {
        message: "Expected a 64-bit integer",
      })
      .transform(() => protoDefault),
  ]) as unknown as z.ZodType<number | undefined>;
}

/** A double field; protobuf JSON spells the non-finite values "NaN", "Infinity" and "-Infinity". */
export const double = (): z.ZodType<number> =>
  z.union([
    // Any number, NaN and infinities included: a body's 1e999 or Python's bare NaN reads as one (as in MLflow).
    z.custom<number>((v) => typeof v === "number", { message: "Expected a number" }),
    z.literal("NaN").transform(() => Number.NaN),
    z.literal("Infinity").transform(() => Number.POSITIVE_INFINITY),
    z.literal("-Infinity").transform(() => Number.NEGATIVE_INFINITY),
    z
      .string()
      .regex(/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/)
      .transform((s) => Number(s)),
  ]) as unknown as z.ZodType<number>;

/** A bool field: JSON true/false, or "true"/"false" in any case from a query string. */
export const bool = (): z.ZodType<boolean> =>
  z.union([
    z.boolean(),
    z
      .string()
      .regex(/^(true|false)$/i)
      .transform((s) => s.toLowerCase() === "true"),
  ]) as unknown as z.ZodType<boolean>;

/** A repeated field: a query string sends one value as a scalar, several as repeated keys. */
export const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? undefined : Array.isArray(v) ? v : [v]),
    z.array(item),
  );

/** Key/value pairs as MLflow's tag messages. */
export const keyValue = z.object({ key: z.string(), value: z.string().optional().default("") });
export type KeyValue = { key: string; value: string };

/** Reads a request through its schema; the first problem is reported the way MLflow's handlers word it. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const fields = withoutEmptyRequiredText(schema, input ?? {});
  const result = schema.safeParse(fields);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined ? "request" : fieldPath(issue.path);
  const value = valueAt(fields, issue?.path ?? []);
  if (value === undefined) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `Missing value for required parameter '${field}'. ${API_DOCS_HINT}`,
    );
  }
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `Invalid value ${describeValue(value)} for parameter '${field}' supplied: ${issue?.message ?? "invalid"}. ${API_DOCS_HINT}`,
  );
}

/** A nested field as MLflow names it in messages: `tags[0].key`. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, at) => (typeof key === "number" ? `[${key}]` : at === 0 ? String(key) : `.${String(key)}`))
    .join("");
}

/** Longest part of a refused value quoted back in an error message. */
const QUOTED_VALUE_LIMIT = 200;

/**
 * The refused value as JSON, cut short: a client may send megabytes or thousands of nested arrays, and
 * neither may turn a 400 into a 500 (JSON.stringify overflows the stack) or into a huge answer.
 */
function describeValue(value: unknown): string {
  let text: string;
  try {
    // Non-finite numbers as the client wrote them, not as JSON.stringify's null.
    text = (
      JSON.stringify(value, (_key, v: unknown) =>
        typeof v === "number" && !Number.isFinite(v) ? `\u0000${String(v)}` : v,
      ) ?? String(value)
    ).replace(/"\\u0000(NaN|-?Infinity)"/g, "$1");
  } catch {
    return "(a value nested too deeply to show)";
  }
  return text.length > QUOTED_VALUE_LIMIT
    ? `${text.slice(0, QUOTED_VALUE_LIMIT)}... (${text.length} characters)`
    : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * An error body as MLflow writes it (mlflow/exceptions.py `serialize_as_json`, Python's `json.dumps`): `", "`
 * and `": "` between items, and every character outside printable ASCII written as a `\u` escape of four hex
 * digits (ensure_ascii), so an error naming "été" has the same bytes and Content-Length on both servers.
 */
export function errorBodyText(error: FlowOpsError): string {
  // ErrorBody's optional fields are left out when unset, never undefined, so it is a Python JSON value.
  return pythonJsonDumps(error.toJSON() as unknown as PythonJsonValue);
}

/** Drops keys whose value is undefined or null, as proto JSON omits unset fields. */
export function omitUnset<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

/**
 * Reads a JSON request body as MLflow's server does: Python's json module writes float("nan") and the
 * infinities as bare NaN, Infinity and -Infinity, and reads them back, so clients that post with
 * `requests.post(json=...)` send them. JSON.parse refuses them; they are read here as the numbers they name.
 * Anything else that is not JSON still throws JSON.parse's error. With `keepBigIntegers`, an integer beyond
 * 2^53 is read as the exact BigInt (an int64 step of 2^63-1 must not become the double 2^63).
 */
export function parseJsonBody(text: string, keepBigIntegers = false): unknown {
  if (keepBigIntegers && mayHoldUnsafeIntegers(text)) return parseJsonWithBigIntegers(text);
  try {
    return JSON.parse(text);
  } catch (error) {
    const marker = `\u0000${Math.random().toString(36).slice(2)}:`;
    const quoted = quoteNonFiniteLiterals(text, JSON.stringify(marker).slice(1, -1));
    if (quoted === text) throw error;
    return JSON.parse(quoted, (key, v: unknown) => {
      // A bare NaN where a key belongs is no more JSON to Python than to JavaScript.
      if (key.startsWith(marker)) throw error;
      return typeof v === "string" && v.startsWith(marker) ? NON_FINITE[v.slice(marker.length)] : v;
    });
  }
}

/** Rewrites bare NaN, Infinity and -Infinity tokens outside strings as strings that start with `marker`. */
function quoteNonFiniteLiterals(text: string, marker: string): string {
  let out = "";
  let from = 0;
  let inString = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (inString) {
      if (char === "\\") at++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      continue;
    }
    // Only N, I and - can start one; the others skip the slice and the regex (a malformed body may be large).
    if (char !== "N" && char !== "I" && char !== "-") continue;
    const literal = /^(?:NaN|-?Infinity)(?![\w$])/.exec(text.slice(at, at + 10))?.[0];
    if (literal === undefined) continue;
    out += `${text.slice(from, at)}"${marker}${literal}"`;
    at += literal.length - 1;
    from = at + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The first string (key or value) in a parsed body that holds a lone UTF-16 surrogate (`"\\ud800"` in the
 * JSON), which no UTF-8 store can keep: SQLite would swap it for U+FFFD and MLflow stores an empty string.
 * Only \u escapes can write one, so bodies without them are not walked.
 */
export function loneSurrogateIn(text: string, value: unknown): string | undefined {
  if (!text.includes("\\u")) return undefined;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === "string") {
      if (LONE_SURROGATE.test(item)) return item;
    } else if (Array.isArray(item)) {
      for (const child of item as unknown[]) pending.push(child);
    } else if (item !== null && typeof item === "object") {
      for (const [key, child] of Object.entries(item)) pending.push(key, child);
    }
  }
  return undefined;
}

/**
 * Refuses a query string whose percent-escapes spell bytes that are not UTF-8 (`%FF`, or `%ED%A0%80`, a lone
 * UTF-16 surrogate). Fastify's parser leaves such a value undecoded, so `filter=name%3D%27%FF%27` would reach
 * the filter parser still escaped and fail far from the cause; MLflow re-escapes just the bad bytes and answers
 * as if they were text. Neither is what the client meant, so the parameter is named in a 400 instead. A `%`
 * that starts no escape (`%ZZ`) is kept as text, as both servers do.
 */
export function assertQueryIsUtf8(url: string): void {
  const start = url.indexOf("?");
  if (start < 0) return;
  for (const pair of url.slice(start + 1).split("&")) {
    if (!pair.includes("%")) continue;
    const equals = pair.indexOf("=");
    const key = equals < 0 ? pair : pair.slice(0, equals);
    for (const [part, text] of [
      ["name", key],
      ["value", equals < 0 ? "" : pair.slice(equals + 1)],
    ] as const) {
      if (escapesAreUtf8(text)) continue;
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `Query parameter ${describeValue(key)} has a ${part} whose percent-escapes are not UTF-8 ` +
          `(a lone surrogate such as %ED%A0%80, or a byte such as %FF): ${describeValue(text)}.`,
      );
    }
  }
}

function escapesAreUtf8(text: string): boolean {
  if (!/%[0-9A-Fa-f]{2}/.test(text)) return true;
  const bytes = Buffer.from(
    text.replace(/%([0-9A-Fa-f]{2})/g, (_escape, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    ),
    "latin1",
  );
  return isUtf8(bytes);
}

/**
 * An answer as MLflow's `message_to_json` writes a proto message: protobuf's JSON leaves out every empty
 * repeated field, at any depth, as it does unset ones (undefined or null here). A message that is set but
 * empty stays as `{}`. Only for answers MLflow serialises from its protos: its Flask and FastAPI JSON routes
 * write `[]` as it is.
 */
export function withoutEmptyRepeated<T>(value: T): T {
  // Answers are large (a page of runs) and mostly have nothing to drop, so nothing is copied until something
  // is: an unchanged object or list comes back as the same reference.
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      const next = withoutEmptyRepeated(item);
      if (next !== item) (copy ??= value.slice())[i] = next;
    }
    return (copy ?? value) as T;
  }
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) {
    return value;
  }
  const source = value as Record<string, unknown>;
  let kept: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const field = source[key];
    const dropped = field === undefined || field === null || (Array.isArray(field) && field.length === 0);
    const next = dropped ? undefined : withoutEmptyRepeated(field);
    if (kept === undefined && (dropped || next !== field)) kept = copyKeysBefore(source, key);
    if (kept !== undefined && !dropped) kept[key] = next;
  }
  return (kept ?? value) as T;
}

/** The members of `source` that come before `stop`, in order. */
function copyKeysBefore(source: Record<string, unknown>, stop: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === stop) break;
    copy[key] = source[key];
  }
  return copy;
}
