/**
 * Validates one table against a suite in a single pass: every expectation becomes an accumulator, each
 * chunk is shown to all of them, and the outcomes are assembled into GX's suite result. Reading errors
 * (a ragged CSV row, invalid UTF-8) stop the validation with the reader's error; an expectation that
 * cannot be evaluated (a missing column) fails alone with its exception message.
 */
import type { TableSource } from "../../tables/tableChunk.js";
import { FLOWOPS_VERSION } from "../../version.js";
import { cellEncoding } from "./cellInterpretation.js";
import type { ValidationContext } from "./expectationAccumulator.js";
import { createAccumulator } from "./expectationCatalogue.js";
import type { ExpectationSuite } from "./expectationSuite.js";
import type { ExpectationValidationResult, SuiteValidationResult } from "./validationResult.js";

export interface ValidateTableOptions {
  /** The clock for freshness and `validation_time`; defaults to the current time. */
  now?: Date;
  /** Called after each chunk with the rows read so far. */
  onProgress?: (rows: number) => void;
}

export async function validateTable(
  source: TableSource,
  suite: ExpectationSuite,
  options: ValidateTableOptions = {},
): Promise<SuiteValidationResult> {
  const now = options.now ?? new Date();
  const context: ValidationContext = {
    path: source.path,
    columns: await source.columns(),
    encoding: cellEncoding(source.format),
    now,
  };
  const accumulators = suite.expectations.map((config, index) =>
    createAccumulator(config, context, `suite ${JSON.stringify(suite.name)} expectations[${index}]`),
  );
  let rows = 0;
  for await (const chunk of source.chunks()) {
    for (const accumulator of accumulators) accumulator.observe(chunk);
    rows += chunk.rowCount;
    options.onProgress?.(rows);
  }
  const results = accumulators.map((accumulator, index): ExpectationValidationResult => {
    const config = suite.expectations[index];
    const outcome = accumulator.outcome();
    return {
      success: outcome.success,
      expectation_config: {
        type: config?.type ?? "",
        kwargs: { ...config?.kwargs },
        meta: { ...config?.meta },
      },
      result: outcome.result,
      meta: {},
      exception_info: {
        raised_exception: outcome.exceptionMessage !== undefined,
        exception_traceback: null,
        exception_message: outcome.exceptionMessage ?? null,
      },
    };
  });
  const successful = results.filter((result) => result.success).length;
  return {
    success: successful === results.length,
    suite_name: suite.name,
    statistics: {
      evaluated_expectations: results.length,
      successful_expectations: successful,
      unsuccessful_expectations: results.length - successful,
      success_percent: results.length > 0 ? (successful / results.length) * 100 : null,
    },
    results,
    meta: {
      data_path: source.path,
      rows,
      validation_time: now.toISOString(),
      flowops_version: FLOWOPS_VERSION,
    },
  };
}
