const MAX_DOUBLE = 1.7976931348623157e308;

/** MLflow stores ±Inf as ±DBL_MAX so every SQL engine can hold it, and NaN as 0 with is_nan set. */
export function storableMetricValue(value: number): { value: number; is_nan: 0 | 1 } {
  if (Number.isNaN(value)) return { value: 0, is_nan: 1 };
  return { value: Number.isFinite(value) ? value : Math.sign(value) * MAX_DOUBLE, is_nan: 0 };
}
