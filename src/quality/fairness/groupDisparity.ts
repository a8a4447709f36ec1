/**
 * Fairlearn's `MetricFrame.difference()` / `.ratio()` with `method="between_groups"` and the
 * `agg="worst_case"` combination used by the equalized-odds metrics.
 */

/** max_g - min_g (0 for a single group). */
export function differenceBetweenGroups(values: readonly number[]): number {
  return Math.max(...values) - Math.min(...values);
}

/**
 * min_g / max_g. When every group's value is 0 this is 0/0 = NaN, exactly as Fairlearn returns it (pandas
 * division); FlowOps keeps the NaN rather than inventing a value, and the report warns about it.
 */
export function ratioBetweenGroups(values: readonly number[]): number {
  return Math.min(...values) / Math.max(...values);
}

/**
 * Fairlearn's `equalized_odds_ratio(agg="worst_case")` is Python's `min()` over the Series
 * [TPR ratio, FPR ratio]. `min()` keeps its first item unless a later one compares smaller, and nothing
 * compares smaller than NaN or larger: so a NaN TPR ratio gives NaN, while a NaN FPR ratio gives the TPR
 * ratio. Reproduced here so the numbers agree with Fairlearn (see the *_ratio_undefined fixtures).
 * `equalized_odds_difference` uses `max()` the same way, but differences are never NaN.
 */
export function pythonMin(first: number, second: number): number {
  return second < first ? second : first;
}

export function pythonMax(first: number, second: number): number {
  return second > first ? second : first;
}
