/**
 * The validation result documents, in Great Expectations' BASIC result format so that tools reading GX
 * results read ours, and their text rendering for terminals. Field names are GX's snake_case on purpose.
 * FlowOps differences: `partial_unexpected_index_list` holds 1-based data row numbers (header excluded),
 * and `meta` names the data file instead of GX's batch markers.
 */
import type { CellValue } from "../../tables/tableChunk.js";

/** How many unexpected values (with their rows) a result lists, as GX's `partial_unexpected_count`. */
export const PARTIAL_UNEXPECTED_COUNT = 20;

export interface ExpectationConfig {
  readonly type: string;
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/**
 * Map expectations (one verdict per value) fill the counts; aggregate and table expectations report only
 * `observed_value` (and `details` for column lists), as GX does. `expect_column_values_to_not_be_null`
 * omits the missing fields and its percentages are over all values, since there nulls are what is judged.
 */
export interface ExpectationResultDetail {
  element_count?: number;
  missing_count?: number;
  missing_percent?: number | null;
  unexpected_count?: number;
  unexpected_percent?: number | null;
  unexpected_percent_total?: number | null;
  unexpected_percent_nonmissing?: number | null;
  partial_unexpected_list?: CellValue[];
  partial_unexpected_index_list?: number[];
  observed_value?: unknown;
  details?: Record<string, unknown>;
}

export interface ExceptionInfo {
  raised_exception: boolean;
  exception_traceback: string | null;
  exception_message: string | null;
}

export interface ExpectationValidationResult {
  success: boolean;
  expectation_config: { type: string; kwargs: Record<string, unknown>; meta: Record<string, unknown> };
  result: ExpectationResultDetail;
  meta: Record<string, unknown>;
  exception_info: ExceptionInfo;
}

export interface ValidationStatistics {
  evaluated_expectations: number;
  successful_expectations: number;
  unsuccessful_expectations: number;
  /** null when the suite has no expectations, as GX. */
  success_percent: number | null;
}

export interface SuiteValidationResult {
  success: boolean;
  suite_name: string;
  statistics: ValidationStatistics;
  results: ExpectationValidationResult[];
  meta: { data_path: string; rows: number; validation_time: string; flowops_version: string };
}

/**
 * The suite result as text for a terminal: a verdict line, then each expectation with ✓ or ✗, its kwargs,
 * observed value, unexpected count and percent, and the first unexpected values with their row numbers.
 */
export function formatValidationResult(result: SuiteValidationResult): string {
  const { statistics, meta } = result;
  const percentText =
    statistics.success_percent === null ? "" : ` (${formatPercent(statistics.success_percent)})`;
  const lines = [
    `Suite ${result.suite_name} on ${meta.data_path}: ${result.success ? "PASSED" : "FAILED"}, ` +
      `${statistics.successful_expectations} of ${statistics.evaluated_expectations} expectations passed` +
      `${percentText}, ${meta.rows} rows`,
    "",
  ];
  for (const expectation of result.results) lines.push(...formatExpectation(expectation));
  return `${lines.join("\n")}\n`;
}

function formatExpectation(expectation: ExpectationValidationResult): string[] {
  const { type, kwargs } = expectation.expectation_config;
  const kwargsText = Object.entries(kwargs)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(" ");
  const lines = [`${expectation.success ? "✓" : "✗"} ${type}${kwargsText === "" ? "" : ` ${kwargsText}`}`];
  const detail = expectation.result;
  const message = expectation.exception_info.exception_message;
  if (message !== null) lines.push(`    error: ${message}`);
  if (detail.observed_value !== undefined) lines.push(`    observed: ${formatValue(detail.observed_value)}`);
  lines.push(...formatDetails(detail.details));
  if (detail.element_count !== undefined && detail.unexpected_count !== undefined) {
    lines.push(`    ${unexpectedSummary(detail)}`);
    const rows = detail.partial_unexpected_index_list ?? [];
    const values = detail.partial_unexpected_list ?? [];
    rows.forEach((row, i) => lines.push(`      row ${row}: ${formatValue(values[i])}`));
    const more = detail.unexpected_count - rows.length;
    if (more > 0 && rows.length > 0) lines.push(`      ... and ${more} more`);
  }
  return lines;
}

function unexpectedSummary(detail: ExpectationResultDetail): string {
  const unexpected = detail.unexpected_count ?? 0;
  const element = detail.element_count ?? 0;
  if (detail.missing_count === undefined) {
    return `${unexpected} unexpected of ${element} values${percentSuffix(detail.unexpected_percent)}`;
  }
  const present = element - detail.missing_count;
  return (
    `${unexpected} unexpected of ${present} non-missing values${percentSuffix(detail.unexpected_percent)}, ` +
    `${detail.missing_count} missing`
  );
}

function formatDetails(details: Record<string, unknown> | undefined): string[] {
  const mismatched = details?.["mismatched"];
  if (Array.isArray(mismatched)) {
    return mismatched.map((entry: Record<string, unknown>) => {
      const position = String(entry["Expected Column Position"]);
      return `    position ${position}: expected ${formatValue(entry["Expected"])}, found ${formatValue(entry["Found"])}`;
    });
  }
  if (mismatched !== null && typeof mismatched === "object") {
    const { missing, unexpected } = mismatched as { missing?: unknown[]; unexpected?: unknown[] };
    const lines: string[] = [];
    if (missing !== undefined && missing.length > 0)
      lines.push(`    missing columns: ${formatValue(missing)}`);
    if (unexpected !== undefined && unexpected.length > 0) {
      lines.push(`    unexpected columns: ${formatValue(unexpected)}`);
    }
    return lines;
  }
  return Object.entries(details ?? {}).map(
    ([key, value]) => `    ${key.replaceAll("_", " ")}: ${formatValue(value)}`,
  );
}

function percentSuffix(percent: number | null | undefined): string {
  return percent === null || percent === undefined ? "" : ` (${formatPercent(percent)})`;
}

function formatPercent(percent: number): string {
  if (percent > 0 && percent < 0.01) return "<0.01%";
  return `${Number(percent.toFixed(2))}%`;
}

function formatValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  // JSON would print NaN and the infinities as null.
  if (typeof value === "number") return String(value);
  return JSON.stringify(value) ?? String(value);
}
