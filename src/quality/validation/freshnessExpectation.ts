/**
 * `expect_column_values_to_be_fresh`, a FlowOps expectation (GX 1.2 has no core freshness check): the
 * newest timestamp of a column must be no older than `max_age` before the validation clock. Timestamps are
 * ISO 8601 strings (without an offset they are UTC); a present value that does not parse is unexpected, as
 * in a map expectation, judged against `mostly`. A column with no parseable timestamp is not fresh.
 */
import { z } from "zod";
import { timestampValue, type PresentValue } from "./cellInterpretation.js";
import { ColumnMapAccumulator } from "./columnMapAccumulator.js";
import { columnName, mostly } from "./columnMapExpectations.js";
import {
  defineExpectation,
  type ExpectationOutcome,
  type ValidationContext,
} from "./expectationAccumulator.js";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const DURATION = /^(\d+(?:\.\d+)?)\s*([smhdw])$/;

/** "24h", "30m", "7d", "90s", "2w", or a number of seconds; undefined when not a duration. */
export function parseMaxAgeSeconds(maxAge: string | number): number | undefined {
  if (typeof maxAge === "number") return Number.isFinite(maxAge) && maxAge >= 0 ? maxAge : undefined;
  const match = DURATION.exec(maxAge.trim());
  if (match === null) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[match[2] ?? ""] ?? Number.NaN);
}

class FreshnessAccumulator extends ColumnMapAccumulator {
  private newest = -Infinity;

  constructor(
    column: string,
    mostlyValue: number,
    context: ValidationContext,
    private readonly maxAgeSeconds: number,
  ) {
    super(column, mostlyValue, context);
  }

  protected isUnexpected(value: PresentValue): boolean {
    const time = timestampValue(value);
    if (time === undefined) return true;
    if (time > this.newest) this.newest = time;
    return false;
  }

  override outcome(): ExpectationOutcome {
    const map = super.outcome();
    const hasNewest = Number.isFinite(this.newest);
    const oldestAllowed = this.context.now.getTime() - this.maxAgeSeconds * 1000;
    const fresh = hasNewest && this.newest >= oldestAllowed;
    return {
      success: map.success && fresh,
      result: {
        ...map.result,
        observed_value: hasNewest ? new Date(this.newest).toISOString() : null,
        details: {
          oldest_allowed: new Date(oldestAllowed).toISOString(),
          age_seconds: hasNewest ? (this.context.now.getTime() - this.newest) / 1000 : null,
        },
      },
    };
  }
}

export const freshnessExpectation = defineExpectation(
  "expect_column_values_to_be_fresh",
  z.strictObject({
    column: columnName,
    max_age: z.union([z.string(), z.number()]).refine((value) => parseMaxAgeSeconds(value) !== undefined, {
      message: 'must be a duration such as "30m", "24h", "7d" (units s, m, h, d, w) or a number of seconds',
    }),
    mostly,
  }),
  (kwargs, context) =>
    new FreshnessAccumulator(
      kwargs.column,
      kwargs.mostly ?? 1,
      context,
      parseMaxAgeSeconds(kwargs.max_age) ?? 0,
    ),
);
