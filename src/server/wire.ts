/**
 * MLflow's wire conventions in one place: how request fields are read (query strings for GET, JSON bodies
 * otherwise), how numbers travel (int64 as JSON numbers, NaN and infinities as strings) and how a zod
 * failure becomes MLflow's INVALID_PARAMETER_VALUE message.
 */
import { z } from "zod";
import { FlowOpsError } from "../errors.js";

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

const INT64_LIMIT = 2 ** 63;

function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= -INT64_LIMIT && value < INT64_LIMIT;
}

/** A double field; protobuf JSON spells the non-finite values "NaN", "Infinity" and "-Infinity". */
export const double = (): z.ZodType<number> =>
  z.union([
    z.number(),
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
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join(".") ?? "request";
  const value = valueAt(input, issue?.path ?? []);
  if (value === undefined) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `Missing value for required parameter '${field}'. ${API_DOCS_HINT}`,
    );
  }
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: ${issue?.message ?? "invalid"}. ${API_DOCS_HINT}`,
  );
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
 * JSON with protobuf's spelling of non-finite doubles, and integers between 2**53 and 2**63 written with
 * all their digits (an int64 such as step 2**62 is 4611686018427387904, where JavaScript would print
 * 4611686018427388000, which a Python client reads as another integer); every other value as
 * JSON.stringify writes it. `space` indents as JSON.stringify's third argument does (the CLI's --json).
 */
export function toWireJson(value: unknown, space?: number): string {
  // Large integers leave the replacer as marked strings and are unquoted afterwards. The marker holds a
  // NUL (escaped as \u0000 in the output) and a per-call nonce, so no string in the value can forge one.
  const marker = `\u0000${Math.random().toString(36).slice(2)}:`;
  let marked = false;
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v !== "number") return v;
      if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
      if (Number.isSafeInteger(v) || !isInt64(v)) return v;
      marked = true;
      return `${marker}${BigInt(v).toString()}`;
    },
    space,
  );
  if (!marked) return text;
  const escaped = JSON.stringify(marker)
    .slice(1, -1)
    .replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
  return text.replace(new RegExp(`"${escaped}(-?\\d+)"`, "g"), "$1");
}

/** Drops keys whose value is undefined or null, as proto JSON omits unset fields. */
export function omitUnset<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
