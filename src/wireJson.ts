/**
 * How values travel as JSON on MLflow's wire and in the CLI's --json output. Kept apart from server/wire.ts's
 * zod schemas: every CLI command prints through this, and loading zod costs ~40 ms of a command's start.
 */

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
