/**
 * What the report shows of a column's two distributions: shares per bin on one set of edges (the Sturges edges
 * Evidently bins on), or shares per category (per value for numbers with few distinct values), the largest
 * categories first and the rest folded into one bar. Small and JSON-serialisable, so the HTML page and any other
 * consumer draw from the report alone.
 */

import { categoryCounts, histogramCounts, sturgesEdges, usesSturgesBins } from "./binning.js";
import type { DriftSample } from "./driftSample.js";

export const MAX_PLOTTED_CATEGORIES = 20;

export type ColumnDistribution =
  | {
      readonly kind: "histogram";
      readonly edges: readonly number[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
    }
  | {
      readonly kind: "categories";
      readonly categories: readonly string[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
      /** Shares of the categories not listed (0 when all are listed). */
      readonly otherReference: number;
      readonly otherCurrent: number;
    };

export function columnDistribution(reference: DriftSample, current: DriftSample): ColumnDistribution {
  if (usesSturgesBins(reference) && current.kind === "numerical") {
    const edges = sturgesEdges(reference, current);
    const shares = (values: Float64Array): number[] =>
      Array.from(histogramCounts(values, edges), (count) => count / values.length);
    return {
      kind: "histogram",
      edges: Array.from(edges),
      reference: shares(reference.values),
      current: shares(current.values),
    };
  }
  const counts = categoryCounts(reference, current);
  const order = counts.keys.map((_, index) => index);
  if (reference.kind === "numerical") {
    order.sort((a, b) => (counts.keys[a] as number) - (counts.keys[b] as number));
  } else {
    const weight = (i: number): number =>
      counts.reference[i]! / counts.referenceSize + counts.current[i]! / counts.currentSize;
    order.sort(
      (a, b) => weight(b) - weight(a) || String(counts.keys[a]).localeCompare(String(counts.keys[b])),
    );
  }
  const shown = order.slice(0, MAX_PLOTTED_CATEGORIES);
  const referenceShare = (i: number): number => counts.reference[i]! / counts.referenceSize;
  const currentShare = (i: number): number => counts.current[i]! / counts.currentSize;
  const hidden = order.slice(MAX_PLOTTED_CATEGORIES);
  return {
    kind: "categories",
    categories: shown.map((i) => String(counts.keys[i])),
    reference: shown.map(referenceShare),
    current: shown.map(currentShare),
    otherReference: hidden.reduce((sum, i) => sum + referenceShare(i), 0),
    otherCurrent: hidden.reduce((sum, i) => sum + currentShare(i), 0),
  };
}
