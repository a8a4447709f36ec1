/**
 * The tracking RPCs whose JSON bodies carry int64 fields that MLflow keeps to the last digit: metric steps and
 * timestamps (log-metric, log-batch), run start and end times (create, update) and the steps of a run's
 * model outputs (outputs). Their bodies are read with
 * integers beyond 2^53 as exact BigInts (see parseJsonBody); every other body keeps JSON.parse's doubles, so
 * no other schema meets a BigInt.
 */
import { z } from "zod";
import { int64Value, type Int64 } from "../../../tracking/exactInt64.js";
import { lenientInt64 } from "../protoScalars.js";

const INT64_BODY_RPC = /\/2\.0\/mlflow\/runs\/(?:log-metric|log-batch|create|update|outputs)\/?(?:[?#]|$)/;

export function bodyHasInt64Fields(url: string): boolean {
  return INT64_BODY_RPC.test(url);
}

const INT64_LIMIT = 2n ** 63n;

/**
 * `lenientInt64` with the value kept exactly (see exactInt64.ts): a step of 9223372036854775807 is stored and
 * answered with every digit, as MLflow does, where a double would make it 2^63, beyond int64. Values MLflow
 * leaves at `protoDefault` (beyond int64, fractions) and values it refuses are treated as lenientInt64 does.
 */
export function exactLenientInt64(protoDefault: number): z.ZodType<Int64>;
export function exactLenientInt64(protoDefault?: undefined): z.ZodType<Int64 | undefined>;
export function exactLenientInt64(protoDefault?: number): z.ZodType<Int64 | undefined> {
  const lenient = protoDefault === undefined ? lenientInt64() : lenientInt64(protoDefault);
  return z.unknown().transform((value, ctx): Int64 | undefined => {
    if (typeof value === "bigint" || (typeof value === "string" && /^-?\d+$/.test(value))) {
      const exact = BigInt(value);
      return exact >= INT64_LIMIT || exact < -INT64_LIMIT ? protoDefault : int64Value(exact);
    }
    const read = lenient.safeParse(value);
    if (!read.success) {
      for (const issue of read.error.issues) ctx.addIssue({ ...issue, code: "custom" });
      return z.NEVER;
    }
    // A double such as 1e18 is whole and exact; it takes the same spelling as the digits 1000000000000000000.
    if (read.data === undefined || Number.isSafeInteger(read.data)) return read.data;
    return int64Value(BigInt(read.data));
  }) as unknown as z.ZodType<Int64 | undefined>;
}
