/**
 * Side-by-side comparison of runs, as `flowops runs compare` and the future UI show it: one row per param
 * and per metric key across the runs, with a flag when the values differ.
 */
import type { Run } from "./entities.js";

export interface ComparisonRow {
  kind: "param" | "metric";
  key: string;
  /** One entry per run, in the order given; undefined where the run lacks the key. */
  values: (string | number | undefined)[];
  differs: boolean;
}

export function compareRuns(runs: readonly Run[]): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const paramKeys = [...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))].sort();
  for (const key of paramKeys) {
    const values = runs.map((r) => r.data.params.find((p) => p.key === key)?.value);
    rows.push({ kind: "param", key, values, differs: new Set(values).size > 1 });
  }
  const metricKeys = [...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort();
  for (const key of metricKeys) {
    const values = runs.map((r) => r.data.metrics.find((m) => m.key === key)?.value);
    rows.push({ kind: "metric", key, values, differs: new Set(values).size > 1 });
  }
  return rows;
}
