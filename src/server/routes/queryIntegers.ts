/**
 * Integer query-string fields of GET RPCs, read the way `mlflow server` reads them. MLflow hands the raw
 * strings to two different readers depending on the handler:
 * - protobuf's JSON parser (`_ConvertInteger`), where a value it cannot parse leaves the field unset with no
 *   error: get-history's `max_results=abc` returns the whole history;
 * - Python's `int()` on the raw string (get-history-bulk-interval), where a value it cannot parse is a 400.
 * Schemas and readers only; no handling.
 *
 * Not modelled: Python's `int()` also reads non-ASCII decimal digits ("٣"); here they are not digits.
 */
import { z } from "zod";
import { invalidParameter } from "../../errors.js";
import { API_DOCS_HINT } from "../../tracking/validationMessages.js";

/** Python's `str.strip()`, which `int()` and `float()` apply: JavaScript's whitespace plus \x1c-\x1f and \x85. */
export function pythonStrip(text: string): string {
  const isSpace = (c: string) => /\s/.test(c) || (c >= "\x1c" && c <= "\x1f") || c === "\x85";
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charAt(start))) start++;
  while (end > start && isSpace(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

/** `int(text)`: a sign, and digits with single underscores between them. */
const PYTHON_INT = /^[+-]?\d+(_\d+)*$/;
/** `float(text)` for finite decimals; "inf" and "nan" are never whole numbers, so they need no reading. */
const PYTHON_FLOAT = /^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?$/;

/** Python's `int(text)`, or undefined where it raises ValueError. Exact at any size. */
export function pythonIntFromText(text: string): bigint | undefined {
  const trimmed = pythonStrip(text);
  return PYTHON_INT.test(trimmed) ? BigInt(trimmed.replaceAll("_", "")) : undefined;
}

const BITS = { int32: 31n, int64: 63n } as const;
export type ProtoIntegerType = keyof typeof BITS;

/**
 * protobuf's `_ConvertInteger` followed by the field's range check: a value with a plain space is refused
 * outright, then `int()`, then `float()` when it is a whole number ("1.0", "1e2"). Undefined where
 * protobuf raises ParseError.
 */
export function protoIntegerFromText(text: string, type: ProtoIntegerType): number | undefined {
  if (text.includes(" ")) return undefined;
  let parsed = pythonIntFromText(text);
  if (parsed === undefined) {
    const trimmed = pythonStrip(text);
    if (!PYTHON_FLOAT.test(trimmed)) return undefined;
    const float = Number(trimmed.replaceAll("_", ""));
    if (!Number.isInteger(float)) return undefined;
    parsed = BigInt(float);
  }
  const limit = 2n ** BITS[type];
  return parsed >= -limit && parsed < limit ? Number(parsed) : undefined;
}

/**
 * A field whose only reader is protobuf (get-history's `max_results`): what protobuf cannot parse leaves it
 * unset, so the request goes on as if it were not sent.
 */
export const protoQueryInteger = (type: ProtoIntegerType): z.ZodType<number | undefined> =>
  z.unknown().transform((value) => {
    if (typeof value === "string") return protoIntegerFromText(value, type);
    if (typeof value === "number" && Number.isInteger(value))
      return protoIntegerFromText(String(value), type);
    return undefined;
  }) as unknown as z.ZodType<number | undefined>;

/**
 * A field MLflow checks with `_assert_intlike` and then reads with `int()` on the raw query string
 * (get-history-bulk-interval's steps and `max_results`, the registry searches' `max_results` with its
 * `atMost`). What `int()` cannot read is refused with the hint MLflow's schema check gives; "1.0" is
 * among them (MLflow answers it with a 500).
 */
export const pythonQueryInteger = (atMost?: number): z.ZodType<number> =>
  z.unknown().transform((value, ctx) => {
    const parsed = schemaInteger(value);
    // MLflow's `_assert_less_than_or_equal` raises a bare AssertionError, so a number over the limit gets
    // the same type hint as one that is no number at all.
    if (parsed !== undefined && (atMost === undefined || parsed <= BigInt(atMost))) return Number(parsed);
    // parseRequest puts this after "supplied:"; MLflow's text has the same doubled space.
    ctx.addIssue({ code: "custom", message: ` Hint: Value was of type '${pythonTypeName(value)}'` });
    return z.NEVER;
  }) as unknown as z.ZodType<number>;

/**
 * MLflow's `_assert_intlike` and `_assert_less_than_or_equal(int(x), atMost)` in a handler's schema, ahead of
 * protobuf's own reading of the field (`inner`): text `int()` cannot read, or a value over the limit, is
 * refused with the bare type hint those assertions get.
 */
export const atMostInSchema = <T>(atMost: number, inner: z.ZodType<T>): z.ZodType<T> =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      const parsed = schemaInteger(value);
      const unreadable = typeof value === "string" && parsed === undefined;
      if (unreadable || (parsed !== undefined && parsed > BigInt(atMost))) {
        ctx.addIssue({
          code: "custom",
          message: ` Hint: Value was of type '${pythonTypeName(value)}'`,
          fatal: true,
        });
      }
    })
    .pipe(inner) as unknown as z.ZodType<T>;

/**
 * mlflow's SEARCH_MAX_RESULTS_THRESHOLD: the most one page of a listing (label schemas, review queues and
 * their items) may ask for.
 */
const LISTING_MAX_RESULTS_LIMIT = 50000;

/**
 * A listing's `max_results`: mlflow checks the text with `int()` and its range, then uses what protobuf made
 * of it, so " 2" passes the check yet is unset (protobuf refuses the space) and the caller's default applies.
 * Undefined when not sent.
 */
export function listingMaxResults(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === "string" ? value : String(value);
  const checked = pythonIntFromText(text);
  if (checked === undefined) {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(value)} for parameter 'max_results' supplied:  Hint: Value was of type '${pythonTypeName(value)}'. ${API_DOCS_HINT}`,
    );
  }
  if (checked < 1n || checked > BigInt(LISTING_MAX_RESULTS_LIMIT)) {
    throw invalidParameter(
      `max_results must be between 1 and ${LISTING_MAX_RESULTS_LIMIT}. ${API_DOCS_HINT}`,
    );
  }
  return protoIntegerFromText(text, "int32");
}

/** Python's name for a JSON value's type, as mlflow's `_assert_string` and `_assert_intlike` hints print it. */
export function pythonTypeName(value: unknown): string {
  if (typeof value === "string") return "str";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "list";
  return value === null ? "NoneType" : "dict";
}

/** What MLflow's schema check reads with `int()`: a whole JSON number, or text `int()` accepts. */
function schemaInteger(value: unknown): bigint | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  return typeof value === "string" ? pythonIntFromText(value) : undefined;
}
