/**
 * MLflow's wire conventions in one place: how request fields are read (query strings for GET, JSON bodies
 * otherwise), how numbers travel (int64 as JSON numbers, NaN and infinities as strings) and how a zod
 * failure becomes MLflow's INVALID_PARAMETER_VALUE message.
 */
import { z } from "zod";
import { FlowOpsError } from "../errors.js";
import { isInt64 } from "../wireJson.js";

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

/** Drops keys whose value is undefined or null, as proto JSON omits unset fields. */
export function omitUnset<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
