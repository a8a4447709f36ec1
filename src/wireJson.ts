/**
 * How values travel as JSON on MLflow's wire and in the CLI's --json output. Kept apart from server/wire.ts's
 * zod schemas: every CLI command prints through this, and loading zod costs ~40 ms of a command's start.
 */
import { mayHoldUnsafeIntegers, parseJsonWithBigIntegers } from "./tables/jsonBigIntegers.js";

const INT64_LIMIT = 2 ** 63;

/** An integer that fits protobuf's int64. */
export function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= -INT64_LIMIT && value < INT64_LIMIT;
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
      // An int64 kept exactly beyond 2^53 (a metric step of 2^63-1) is a BigInt, written with all its digits.
      if (typeof v === "bigint") {
        marked = true;
        return `${marker}${v.toString()}`;
      }
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

/** 19 digits: the shortest integer literal that may lie beyond int64. */
const BEYOND_INT64_DIGITS = /\d{19}/;

/**
 * Reads an answer written by toWireJson (or by MLflow's server) with its int64 values exact, the reverse of
 * toWireJson: an integer beyond 2^53 is a BigInt (a metric step of 9223372036854775807 stays that, where
 * JSON.parse would make it 2^63) and every other number a double, the Int64 convention of exactInt64.ts.
 * An integer beyond int64 can only be a double (toWireJson writes 1e20 as 100000000000000000000), so it is
 * read as one. Text without a run of 16 digits goes to JSON.parse alone.
 */
export function fromWireJson(text: string): unknown {
  if (!mayHoldUnsafeIntegers(text)) return JSON.parse(text);
  const value = parseJsonWithBigIntegers(text);
  return BEYOND_INT64_DIGITS.test(text) ? withDoublesBeyondInt64(value) : value;
}

/** `value` with each BigInt beyond int64 replaced (in place) by its double; a stack, as a body may nest deep. */
function withDoublesBeyondInt64(value: unknown): unknown {
  const fold = (item: unknown): unknown =>
    typeof item === "bigint" && (item >= BIG_INT64_LIMIT || item < -BIG_INT64_LIMIT) ? Number(item) : item;
  if (typeof value !== "object" || value === null) return fold(value);
  const pending: object[] = [value];
  for (let container = pending.pop(); container !== undefined; container = pending.pop()) {
    const entries = container as Record<string, unknown>;
    for (const key of Object.keys(entries)) {
      const item = entries[key];
      if (typeof item === "object" && item !== null) pending.push(item);
      else entries[key] = fold(item);
    }
  }
  return value;
}

const BIG_INT64_LIMIT = 2n ** 63n;
