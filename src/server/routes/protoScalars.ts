/**
 * Enum, int64, string and bool request fields read the way `mlflow server` reads them: protobuf's JSON parser
 * (`google.protobuf.json_format`, `ignore_unknown_fields=True`) followed by MLflow's per-field type checks.
 * Clients rely on the leniency (older ones send enum numbers), so what MLflow accepts is accepted here with
 * the value it ends up with; only what MLflow refuses is refused. Schemas only; no handling.
 *
 * Not modelled: after a field protobuf cannot parse, MLflow loses every later field of the body, since the
 * parser stops there. Here each field is read on its own, which keeps what the client sent.
 */
import { z } from "zod";
import { isInt64 } from "../../wireJson.js";
import { double, int64OrDefault } from "../wire.js";
import { pythonTypeName } from "./queryIntegers.js";

/** What MLflow does with a number that names no value of the enum. */
type OutOfRangeNumber =
  /** The field's check is `_assert_string` (runs/update's status): a 400. */
  | "refuse"
  /** The field's check is `_assert_intlike` (view types): the field keeps its proto default. */
  | "unset";

/**
 * A closed proto2 enum field. protobuf looks a value up by name, then by `int(value)` in Python: numbers are
 * truncated (1.5 is 1), true is 1, false is 0, and a decimal string such as "3" is its number. A string that
 * is no name and no number is skipped (unset), as is null. Lists and objects are refused.
 */
export function protoEnum<const Name extends string>(
  byNumber: Readonly<Record<number, Name>>,
  outOfRangeNumber: OutOfRangeNumber,
): z.ZodType<Name | undefined> {
  const names = Object.values(byNumber);
  const expected = `one of ${names.join(", ")} or its number (${Object.keys(byNumber).join(", ")})`;
  return z.unknown().transform((value, ctx): Name | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") {
      if ((names as string[]).includes(value)) return value as Name;
      // Python's int() allows surrounding whitespace, a sign and digit-group underscores.
      if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(value)) return undefined;
      // A numeric string out of range passes either check, so the field is unset rather than refused.
      return byNumber[Number(value.trim().replaceAll("_", ""))];
    }
    const number = typeof value === "boolean" ? Number(value) : typeof value === "number" ? value : undefined;
    // int(NaN) fails as an unknown name does; int(±inf) is an OverflowError (a 500 in MLflow), refused here.
    if (Number.isNaN(number)) return undefined;
    if (number !== undefined && Number.isFinite(number)) {
      const name = byNumber[Math.trunc(number)];
      if (name !== undefined || outOfRangeNumber === "unset") return name;
    }
    ctx.addIssue({ code: "custom", message: `expected ${expected}` });
    return z.NEVER;
  }) as unknown as z.ZodType<Name | undefined>;
}

const INT64_LIMIT = 2n ** 63n;

/**
 * A whole number as the body spelled it, exactly: a BigInt (the tracking bodies read integers beyond 2^53 as
 * BigInts, see int64Bodies.ts) or a decimal string (protobuf's own JSON form for int64).
 */
const exactWholeNumber = z
  .custom<bigint | string>(
    (value) => typeof value === "bigint" || (typeof value === "string" && /^-?\d+$/.test(value)),
  )
  .transform((value) => BigInt(value));

/** A whole JSON number (a double) outside int64. */
const doubleBeyondInt64 = z.custom<number>(
  (value) => typeof value === "number" && Number.isInteger(value) && Math.abs(value) >= 2 ** 63,
);

/**
 * An int64 field whose only check in MLflow is `_assert_intlike` (metric timestamps and steps, run start and
 * end times): protobuf cannot parse a fraction or a whole number beyond int64 (1e30, 2**63, -2**63-1), and the
 * field is left at `protoDefault` (undefined: unset); `int(x)` then passes, so there is no 400. Whether a value
 * lies beyond int64 is judged on its exact digits, so 9223372036854775807 is int64's largest, not 2**63.
 *
 * Values are still handed on as doubles: an int64 above 2^63-512, whose nearest double is 2^63, cannot be
 * written back as a JSON number yet (toWireJson takes no BigInt, and MLflow's client refuses
 * 9223372036854776000 as out of range), so it keeps the proto default as before.
 */
export function lenientInt64(protoDefault: number): z.ZodType<number>;
export function lenientInt64(protoDefault?: undefined): z.ZodType<number | undefined>;
export function lenientInt64(protoDefault?: number): z.ZodType<number | undefined> {
  return z.union([
    // Ahead of int64OrDefault, whose string branch would judge "-9223372036854775809" by its double, -2**63.
    exactWholeNumber.transform((value) => {
      if (value >= INT64_LIMIT || value < -INT64_LIMIT) return protoDefault;
      const double = Number(value);
      return isInt64(double) ? double : protoDefault;
    }),
    protoDefault === undefined ? int64OrDefault() : int64OrDefault(protoDefault),
    doubleBeyondInt64.transform(() => protoDefault),
  ]) as unknown as z.ZodType<number | undefined>;
}

/**
 * A string field MLflow does not require (a tag's or a param's value): left out or null, protobuf leaves it
 * at its default "", and that is what is stored.
 */
export const stringOrEmpty = (): z.ZodType<string> =>
  z
    .string()
    .nullish()
    .transform((value) => value ?? "") as unknown as z.ZodType<string>;

/**
 * A double field of a body whose big integers are read as BigInts (see int64Bodies.ts): an integer literal
 * such as 12345678901234567890 is the double nearest it, as Python's float() makes it.
 */
export const bigIntegerTolerantDouble = (): z.ZodType<number> =>
  z.preprocess(
    (value) => (typeof value === "bigint" ? Number(value) : value),
    double(),
  ) as unknown as z.ZodType<number>;

/**
 * `[_assert_required, _assert_string]`: any non-string gets mlflow's type hint after parseRequest's
 * "supplied:". A missing value, null and "" never get here as values: parseRequest reads them all as missing
 * (see withoutEmptyRequiredText), so "" is refused here only for a caller that skips it.
 */
export const requiredString = (): z.ZodType<string> =>
  z.unknown().transform((value, ctx) => {
    if (typeof value === "string" && value !== "") return value;
    const message = value === undefined ? "missing" : ` Hint: Value was of type '${pythonTypeName(value)}'`;
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  }) as unknown as z.ZodType<string>;

/** An optional string field; what protobuf cannot read as one is not sent. "" is sent. */
export const protoString = () =>
  z
    .unknown()
    .transform((value) => (typeof value === "string" ? value : undefined))
    .optional();

/** An optional bool field; what protobuf cannot read as one is not sent. */
export const protoBool = () =>
  z
    .unknown()
    .transform((value) => (typeof value === "boolean" ? value : undefined))
    .optional();

/**
 * A repeated string field: the strings before the first element protobuf cannot read, which stops it there;
 * no list at all is an empty one.
 */
export function leadingStrings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const strings: string[] = [];
  for (const item of value) {
    if (typeof item !== "string") break;
    strings.push(item);
  }
  return strings;
}

/** `leadingStrings` as a request field, [] when not sent. */
export const protoLeadingStrings = () =>
  z
    .unknown()
    .transform(leadingStrings)
    .optional()
    .transform((value) => value ?? []);
