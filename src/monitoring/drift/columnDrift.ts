/**
 * Drift of one column: prepares both sides (drops NaN/±Infinity or missing labels), picks the test as Evidently
 * does by default (registry.py `_get_default_stattest`) unless the caller names one, and returns the verdict
 * with the sizes and the distributions the report plots.
 *
 * | column                          | n_ref ≤ 1000 | n_ref > 1000  |
 * | numerical, > 5 distinct values  | ks           | wasserstein   |
 * | numerical, 3-5 distinct values  | chisquare    | jensenshannon |
 * | any, ≤ 2 distinct values        | z            | jensenshannon |
 * | categorical, > 2 distinct       | chisquare    | jensenshannon |
 *
 * n_ref counts reference values after dropping; distinct values are counted over both sides together.
 */

import { FlowOpsError } from "../../errors.js";
import { columnDistribution, type ColumnDistribution } from "./columnDistribution.js";
import {
  distinctValuesUnion,
  prepareSample,
  sampleSize,
  type ColumnValues,
  type DriftSample,
} from "./driftSample.js";
import { runStattest } from "./stattests.js";
import { DEFAULT_THRESHOLDS, NUMERICAL_ONLY_STATTESTS, type StattestName } from "./stattest.js";

export type ColumnType = "numerical" | "categorical";

export interface ColumnDriftOptions {
  /** The test for this column, overriding the default choice and the per-type methods. */
  method?: StattestName | undefined;
  /** The threshold for this column (default: the method's, see DEFAULT_THRESHOLDS). */
  threshold?: number | undefined;
  /** The test for every numerical column without its own method. */
  numericalMethod?: StattestName | undefined;
  /** The test for every categorical column without its own method. */
  categoricalMethod?: StattestName | undefined;
}

export interface ColumnDrift {
  readonly column: string;
  readonly columnType: ColumnType;
  readonly method: StattestName;
  readonly score: number;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly referenceSize: number;
  readonly currentSize: number;
  readonly distribution: ColumnDistribution;
}

const SMALL_REFERENCE = 1000;

export function defaultStattest(
  columnType: ColumnType,
  referenceSize: number,
  distinctValues: number,
): StattestName {
  const fewValues = columnType === "categorical" || distinctValues <= 5;
  if (referenceSize <= SMALL_REFERENCE) {
    if (!fewValues) return "ks";
    return distinctValues > 2 ? "chisquare" : "z";
  }
  return fewValues ? "jensenshannon" : "wasserstein";
}

export function columnDrift(
  column: string,
  reference: ColumnValues,
  current: ColumnValues,
  options: ColumnDriftOptions = {},
): ColumnDrift {
  const columnType: ColumnType = reference instanceof Float64Array ? "numerical" : "categorical";
  if (current instanceof Float64Array !== (columnType === "numerical")) {
    const [side, values] = columnType === "numerical" ? ["current data", current] : ["reference", reference];
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `column '${column}' is ${columnType} in the reference but ${columnType === "numerical" ? "categorical" : "numerical"} in the current data` +
        firstTextCell(values, side),
    );
  }
  const referenceSample = prepareSample(reference);
  const currentSample = prepareSample(current);
  for (const [side, sample] of [
    ["reference", referenceSample],
    ["current data", currentSample],
  ] as const) {
    if (sampleSize(sample) === 0) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `column '${column}' has no ${columnType === "numerical" ? "finite values" : "values"} in the ${side}`,
      );
    }
  }
  const method =
    options.method ??
    (columnType === "numerical" ? options.numericalMethod : options.categoricalMethod) ??
    defaultStattest(columnType, sampleSize(referenceSample), distinctUnion(referenceSample, currentSample));
  if (columnType === "categorical" && NUMERICAL_ONLY_STATTESTS.has(method)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `drift test '${method}' needs a numerical column, but column '${column}' is categorical`,
    );
  }
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[method];
  const result = runStattest(method, referenceSample, currentSample, threshold);
  return {
    column,
    columnType,
    method,
    score: result.score,
    threshold: result.threshold,
    drifted: result.drifted,
    referenceSize: sampleSize(referenceSample),
    currentSize: sampleSize(currentSample),
    distribution: columnDistribution(referenceSample, currentSample),
  };
}

/** Distinct values over both sides, counted only as far as the choice of test needs (6). */
function distinctUnion(reference: DriftSample, current: DriftSample): number {
  if (reference.kind === "numerical" && current.kind === "numerical") {
    return distinctValuesUnion([reference.values, current.values], 6);
  }
  const seen = new Set<string>();
  for (const sample of [reference, current]) {
    if (sample.kind !== "categorical") continue;
    for (const label of sample.labels) {
      seen.add(label);
      if (seen.size > 5) return seen.size;
    }
  }
  return seen.size;
}

/** Where a column that should hold numbers first holds text, so the message leads to the bad cell. */
function firstTextCell(values: ColumnValues, side: string): string {
  if (values instanceof Float64Array) return "";
  const row = values.findIndex(
    (value) => typeof value === "string" && value.trim() !== "" && !Number.isFinite(Number(value)),
  );
  return row < 0 ? "" : `: row ${row + 1} of the ${side} (header not counted) holds '${String(values[row])}'`;
}
