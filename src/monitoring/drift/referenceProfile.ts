/**
 * A compact, JSON-serialisable profile of a training dataset, stored with a model version so drift can be
 * computed later without the data: per numeric column the counts, range, mean, standard deviation, a histogram
 * on 20 equal-width bins, a distinct count (capped) and a sorted uniform sample of at most 10,000 values (seeded
 * reservoir sampling, so the same data always gives the same profile); per categorical column the frequencies
 * of the 1,000 most frequent labels and one count for the rest. `profileToTable` turns the samples and the
 * expanded frequencies back into a DriftTable, so a profile goes through detectDrift exactly as data does (a
 * column with at most 10,000 values is kept whole, so its drift equals drift on the data).
 */

import { FlowOpsError } from "../../errors.js";
import { equalWidthEdges } from "./binning.js";
import type { DriftTable } from "./datasetDrift.js";
import { sortFloat64InPlace } from "./float64Sort.js";
import { mulberry32 } from "../../seededRandom.js";

export const PROFILE_FORMAT_VERSION = 1;
/** The label standing for every category beyond the most frequent ones. */
export const OTHER_CATEGORIES_LABEL = "\u0000other";

export interface NumericalColumnProfile {
  readonly kind: "numerical";
  readonly name: string;
  /** Finite values. */
  readonly count: number;
  /** NaN and ±Infinity, which drift tests drop. */
  readonly missing: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** Population standard deviation (ddof = 0), the one Evidently norms Wasserstein with. */
  readonly std: number | null;
  /** Distinct finite values, counted up to `distinctCap`. */
  readonly distinct: number;
  readonly distinctCapped: boolean;
  readonly histogram: { readonly edges: readonly number[]; readonly counts: readonly number[] };
  /** Sorted uniform sample of the finite values (all of them when there are at most sampleSize). */
  readonly sample: readonly number[];
}

export interface CategoricalColumnProfile {
  readonly kind: "categorical";
  readonly name: string;
  readonly count: number;
  readonly missing: number;
  readonly distinct: number;
  /** Most frequent labels first; ties in label order. */
  readonly frequencies: readonly (readonly [label: string, count: number])[];
  /** Values whose label is not listed. */
  readonly otherCount: number;
}

export type ColumnProfile = NumericalColumnProfile | CategoricalColumnProfile;

export interface ReferenceProfile {
  readonly formatVersion: typeof PROFILE_FORMAT_VERSION;
  readonly rows: number;
  readonly seed: number;
  readonly columns: readonly ColumnProfile[];
}

export interface ProfileOptions {
  /** Most values kept per numeric column (default 10,000). */
  sampleSize?: number | undefined;
  /** Seed of the reservoir sampling (default 0). */
  seed?: number | undefined;
  /** Labels kept per categorical column (default 1,000). */
  maxCategories?: number | undefined;
  histogramBins?: number | undefined;
  /** Distinct numeric values are counted up to this (default 100,000). */
  distinctCap?: number | undefined;
}

export function buildProfile(table: DriftTable, options: ProfileOptions = {}): ReferenceProfile {
  const sampleSize = positiveInteger(options.sampleSize ?? 10_000, "sampleSize");
  const maxCategories = positiveInteger(options.maxCategories ?? 1000, "maxCategories");
  const bins = positiveInteger(options.histogramBins ?? 20, "histogramBins");
  const distinctCap = positiveInteger(options.distinctCap ?? 100_000, "distinctCap");
  const seed = options.seed ?? 0;
  const rows = table[0]?.values.length ?? 0;
  const columns = table.map((column, index): ColumnProfile => {
    if (column.values.length !== rows) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `column '${column.name}' has ${column.values.length} values but column '${table[0]!.name}' has ${rows}`,
      );
    }
    return column.values instanceof Float64Array
      ? numericalProfile(column.name, column.values, { sampleSize, bins, distinctCap, seed: seed + index })
      : categoricalProfile(column.name, column.values, maxCategories);
  });
  return { formatVersion: PROFILE_FORMAT_VERSION, rows, seed, columns };
}

/** The profile as a table for detectDrift: numeric samples, and labels repeated by their frequencies. */
export function profileToTable(profile: ReferenceProfile): DriftTable {
  return profile.columns.map((column) => {
    if (column.kind === "numerical") return { name: column.name, values: Float64Array.from(column.sample) };
    const labels: string[] = [];
    for (const [label, count] of column.frequencies) for (let i = 0; i < count; i++) labels.push(label);
    for (let i = 0; i < column.otherCount; i++) labels.push(OTHER_CATEGORIES_LABEL);
    return { name: column.name, values: labels };
  });
}

function numericalProfile(
  name: string,
  values: Float64Array,
  settings: { sampleSize: number; bins: number; distinctCap: number; seed: number },
): NumericalColumnProfile {
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const reservoir = new Float64Array(settings.sampleSize);
  const random = mulberry32(settings.seed);
  const distinct = new Set<number>();
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    // Algorithm R: the k-th finite value replaces a random slot with probability sampleSize / k.
    if (count < settings.sampleSize) reservoir[count] = value;
    else {
      const slot = Math.floor(random() * (count + 1));
      if (slot < settings.sampleSize) reservoir[slot] = value;
    }
    count++;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
    if (distinct.size < settings.distinctCap) distinct.add(value === 0 ? 0 : value);
  }
  const sample = reservoir.subarray(0, Math.min(count, settings.sampleSize));
  sortFloat64InPlace(sample);
  if (count === 0) {
    return {
      kind: "numerical",
      name,
      count,
      missing: values.length,
      min: null,
      max: null,
      mean: null,
      std: null,
      distinct: 0,
      distinctCapped: false,
      histogram: { edges: [], counts: [] },
      sample: [],
    };
  }
  const mean = sum / count;
  let squares = 0;
  for (const value of values) if (Number.isFinite(value)) squares += (value - mean) ** 2;
  return {
    kind: "numerical",
    name,
    count,
    missing: values.length - count,
    min,
    max,
    mean,
    std: Math.sqrt(squares / count),
    distinct: distinct.size,
    distinctCapped: distinct.size >= settings.distinctCap,
    histogram: equalWidthHistogram(values, min, max, settings.bins),
    sample: Array.from(sample),
  };
}

/** numpy `histogram(values, bins, range=(min, max))` over the finite values. */
function equalWidthHistogram(
  values: Float64Array,
  min: number,
  max: number,
  bins: number,
): { edges: number[]; counts: number[] } {
  const edges = equalWidthEdges(min, max, bins);
  const first = edges[0]!;
  const span = edges[bins]! - first;
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    let bin = Math.min(bins - 1, Math.floor(((value - first) / span) * bins));
    // The arithmetic index can be one off next to an edge; the edges decide, as in numpy.
    if (value < edges[bin]!) bin--;
    else if (bin < bins - 1 && value >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return { edges: Array.from(edges), counts };
}

function categoricalProfile(
  name: string,
  values: readonly (string | null)[],
  maxCategories: number,
): CategoricalColumnProfile {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const value of values) {
    if (value === null) missing++;
    else counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.slice(0, maxCategories);
  const otherCount = ranked.slice(maxCategories).reduce((sum, [, count]) => sum + count, 0);
  return {
    kind: "categorical",
    name,
    count: values.length - missing,
    missing,
    distinct: counts.size,
    frequencies: kept,
    otherCount,
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${name} must be a positive integer, got ${value}`);
  }
  return value;
}
