/**
 * GX's column aggregate expectations on one statistic: mean, median and standard deviation between bounds.
 * Nulls are skipped, as pandas does. A present value that is not a number makes the statistic undefined:
 * the expectation fails with an exception naming the first such row (GX raises there too). The mean and
 * the sample standard deviation (ddof = 1, as pandas' `std`) are running sums; the exact median keeps the
 * column's numbers in a growing Float64Array, 8 bytes per value of this one column.
 */
import { z } from "zod";
import type { TableChunk } from "../../tables/tableChunk.js";
import { isMissing, numericValue } from "./cellInterpretation.js";
import { columnValues } from "./columnMapAccumulator.js";
import { columnName, hasABound, isWithin, NO_BOUND_MESSAGE } from "./columnMapExpectations.js";
import {
  defineExpectation,
  type ExpectationAccumulator,
  type ExpectationOutcome,
  type ValidationContext,
} from "./expectationAccumulator.js";

interface StatisticRange {
  min_value?: number | null | undefined;
  max_value?: number | null | undefined;
  strict_min?: boolean | undefined;
  strict_max?: boolean | undefined;
}

abstract class AggregateAccumulator implements ExpectationAccumulator {
  private firstNonNumeric: string | undefined;

  constructor(
    private readonly column: string,
    private readonly range: StatisticRange,
    private readonly context: ValidationContext,
  ) {}

  protected abstract add(x: number): void;
  /** The statistic, or null when it is undefined (no values; one value for a sample deviation). */
  protected abstract statistic(): number | null;

  observe(chunk: TableChunk): void {
    const values = columnValues(chunk, this.column);
    if (values === undefined) return;
    for (let i = 0; i < values.length; i += 1) {
      const value = values[i] ?? null;
      if (isMissing(value)) continue;
      const x = numericValue(value, this.context.encoding);
      if (x === undefined) {
        this.firstNonNumeric ??=
          `column ${JSON.stringify(this.column)} of ${this.context.path}, ` +
          `${chunk.describeRow(chunk.startRow + i)}: ${JSON.stringify(value)} is not a number`;
      } else {
        this.add(x);
      }
    }
  }

  outcome(): ExpectationOutcome {
    if (this.firstNonNumeric !== undefined) {
      return { success: false, result: { observed_value: null }, exceptionMessage: this.firstNonNumeric };
    }
    const observed = this.statistic();
    const success =
      observed !== null &&
      !Number.isNaN(observed) &&
      isWithin(observed, {
        min: this.range.min_value ?? null,
        max: this.range.max_value ?? null,
        strictMin: this.range.strict_min ?? false,
        strictMax: this.range.strict_max ?? false,
      });
    return { success, result: { observed_value: observed } };
  }
}

/** Neumaier-compensated sum, so a long column's mean does not drift with its length. */
class MeanAccumulator extends AggregateAccumulator {
  private count = 0;
  private sum = 0;
  private compensation = 0;

  protected add(x: number): void {
    this.count += 1;
    const total = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - total + x;
    else this.compensation += x - total + this.sum;
    this.sum = total;
  }

  protected statistic(): number | null {
    if (this.count === 0) return null;
    // With an infinity in the column the compensation is NaN; the plain sum is then the answer (as pandas).
    const total = Number.isFinite(this.sum) ? this.sum + this.compensation : this.sum;
    return total / this.count;
  }
}

/** Welford's update: stable where the textbook sum-of-squares formula cancels catastrophically. */
class StdevAccumulator extends AggregateAccumulator {
  private count = 0;
  private mean = 0;
  private squaredDeviations = 0;

  protected add(x: number): void {
    this.count += 1;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.squaredDeviations += delta * (x - this.mean);
  }

  protected statistic(): number | null {
    return this.count < 2 ? null : Math.sqrt(this.squaredDeviations / (this.count - 1));
  }
}

class MedianAccumulator extends AggregateAccumulator {
  private values = new Float64Array(1024);
  private count = 0;

  protected add(x: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count] = x;
    this.count += 1;
  }

  protected statistic(): number | null {
    if (this.count === 0) return null;
    const sorted = this.values.subarray(0, this.count).sort();
    const middle = Math.floor(this.count / 2);
    const upper = sorted[middle] ?? Number.NaN;
    return this.count % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
  }
}

const statisticKwargs = z
  .strictObject({
    column: columnName,
    min_value: z.number().nullable().optional(),
    max_value: z.number().nullable().optional(),
    strict_min: z.boolean().optional(),
    strict_max: z.boolean().optional(),
  })
  .refine(hasABound, { message: NO_BOUND_MESSAGE, path: ["min_value"] });

export const meanExpectation = defineExpectation(
  "expect_column_mean_to_be_between",
  statisticKwargs,
  (kwargs, context) => new MeanAccumulator(kwargs.column, kwargs, context),
);

export const medianExpectation = defineExpectation(
  "expect_column_median_to_be_between",
  statisticKwargs,
  (kwargs, context) => new MedianAccumulator(kwargs.column, kwargs, context),
);

export const stdevExpectation = defineExpectation(
  "expect_column_stdev_to_be_between",
  statisticKwargs,
  (kwargs, context) => new StdevAccumulator(kwargs.column, kwargs, context),
);
