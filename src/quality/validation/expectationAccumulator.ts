/**
 * The seam between the validation pass and the expectations: each expectation is an accumulator that
 * observes every chunk once and then states its outcome, so one read of the file serves a whole suite.
 * Accumulators keep bounded state except where the statistic needs the column (median, uniqueness).
 */
import type { z } from "zod";
import type { TableChunk } from "../../tables/tableChunk.js";
import type { CellEncoding } from "./cellInterpretation.js";
import type { ExpectationResultDetail } from "./validationResult.js";

/** What an accumulator knows before the first chunk. */
export interface ValidationContext {
  /** The data file, for messages. */
  readonly path: string;
  /** The file's columns (header, first JSON object's keys, or Parquet schema). */
  readonly columns: readonly string[];
  readonly encoding: CellEncoding;
  /** The clock freshness is judged against. */
  readonly now: Date;
}

export interface ExpectationOutcome {
  readonly success: boolean;
  readonly result: ExpectationResultDetail;
  /** Why the expectation could not be evaluated (a missing column, a non-numeric value in a mean). */
  readonly exceptionMessage?: string;
}

export interface ExpectationAccumulator {
  observe(chunk: TableChunk): void;
  outcome(): ExpectationOutcome;
}

/** One expectation type: its kwargs schema and how to build its accumulator from validated kwargs. */
export interface ExpectationDefinition {
  readonly type: string;
  /** The kwargs it accepts, for error messages. */
  readonly fields: readonly string[];
  /** Whether kwargs.column must name an existing column (else the expectation fails, the others run). */
  readonly needsColumn: boolean;
  readonly schema: z.ZodType;
  create(kwargs: unknown, context: ValidationContext): ExpectationAccumulator;
}

/** Ties a kwargs schema to its accumulator with the kwargs type kept; the catalogue sees the erased form. */
export function defineExpectation<S extends z.ZodObject>(
  type: string,
  schema: S,
  create: (kwargs: z.output<S>, context: ValidationContext) => ExpectationAccumulator,
  options: { needsColumn?: boolean } = {},
): ExpectationDefinition {
  return {
    type,
    fields: Object.keys(schema.shape),
    needsColumn: options.needsColumn ?? "column" in schema.shape,
    schema,
    create: (kwargs, context) => create(schema.parse(kwargs), context),
  };
}
