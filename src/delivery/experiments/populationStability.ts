/**
 * Compares a canary's prediction distribution with the stable version's: the population stability index with
 * Evidently's binning (`get_binned_data` in `evidently/.../stattests/utils.py`) and the agreement rate of
 * paired predictions. Pure functions over in-memory values.
 */
import { FlowOpsError } from "../../errors.js";
import { histogramCounts as binnedCounts, sturgesEdgesOfRange } from "../../monitoring/drift/binning.js";

export type PsiBinning = "sturges" | "values";

export interface PsiBin {
  /** A numeric bin's [lower, upper) edges (the last bin also holds its upper edge), or a category's value. */
  readonly label: string;
  readonly referenceShare: number;
  readonly currentShare: number;
  /** (ref - cur) · ln(ref / cur) after zero-fill. */
  readonly contribution: number;
}

export interface PsiResult {
  readonly psi: number;
  readonly binning: PsiBinning;
  readonly bins: readonly PsiBin[];
}

/** Evidently bins numbers into histogram bins only when the reference has more than this many unique values. */
export const MAX_UNIQUE_FOR_VALUE_BINS = 20;

/** `np.histogram_bin_edges(values, bins="sturges")`, to the last bit (drift/binning.ts does numpy's arithmetic). */
export function sturgesEdges(values: readonly number[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return Array.from(sturgesEdgesOfRange(min, max, values.length));
}

/** `np.histogram(values, edges)[0]`: half-open bins, the last one closed; values outside are not counted. */
export function histogramCounts(values: readonly number[], edges: readonly number[]): number[] {
  return Array.from(binnedCounts(Float64Array.from(values), Float64Array.from(edges)));
}

/** Evidently's zero-fill: zeros become min_nonzero / 1e6 when min_nonzero <= 1e-4, else 1e-4. */
function fillZeros(shares: number[]): number[] {
  const nonZero = shares.filter((share) => share !== 0);
  if (nonZero.length === 0) return shares;
  const minNonZero = Math.min(...nonZero);
  const fill = minNonZero <= 0.0001 ? minNonZero / 1e6 : 0.0001;
  return shares.map((share) => (share === 0 ? fill : share));
}

function psiFromShares(
  labels: readonly string[],
  referenceShares: number[],
  currentShares: number[],
  binning: PsiBinning,
): PsiResult {
  const reference = fillZeros(referenceShares);
  const current = fillZeros(currentShares);
  let psi = 0;
  const bins = labels.map((label, i) => {
    const ref = reference[i] as number;
    const cur = current[i] as number;
    const contribution = (ref - cur) * Math.log(ref / cur);
    psi += contribution;
    return { label, referenceShare: ref, currentShare: cur, contribution };
  });
  return { psi, binning, bins };
}

function valueBins<T extends number | string>(reference: readonly T[], current: readonly T[]): PsiResult {
  // Evidently lists the current side's values first, then the reference's new ones.
  const keys = [...new Set([...current, ...reference])];
  const count = (values: readonly T[]): Map<T, number> => {
    const counts = new Map<T, number>();
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    return counts;
  };
  const refCounts = count(reference);
  const curCounts = count(current);
  return psiFromShares(
    keys.map(String),
    keys.map((key) => (refCounts.get(key) ?? 0) / reference.length),
    keys.map((key) => (curCounts.get(key) ?? 0) / current.length),
    "values",
  );
}

function cleanValues<T extends number | string>(values: readonly T[], side: string): T[] {
  // NaN is missing data (Evidently drops it before testing); an infinity would stretch every bin to nothing.
  const kept = values.filter((value) => typeof value === "string" || !Number.isNaN(value));
  for (const value of kept) {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `psi: ${side} holds ${value}; expected finite numbers`,
      );
    }
  }
  if (kept.length === 0) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `psi: ${side} has no non-missing values`);
  }
  return kept;
}

/**
 * PSI = Σ (ref - cur) · ln(ref / cur) over shares. Numbers whose reference has more than 20 unique values are
 * binned on Sturges edges of both sides together; categories and few-valued numbers get one bin per value.
 * Readings by convention: < 0.1 stable, 0.1-0.25 moderate, > 0.25 major shift.
 */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): PsiResult;
export function populationStabilityIndex(reference: readonly string[], current: readonly string[]): PsiResult;
export function populationStabilityIndex(
  reference: readonly (number | string)[],
  current: readonly (number | string)[],
): PsiResult {
  const ref = cleanValues(reference, "reference");
  const cur = cleanValues(current, "current");
  const numeric =
    ref.every((value) => typeof value === "number") && cur.every((value) => typeof value === "number");
  if (numeric && new Set(ref).size > MAX_UNIQUE_FOR_VALUE_BINS) {
    const refNumbers = ref as number[];
    const curNumbers = cur as number[];
    const edges = sturgesEdges([...refNumbers, ...curNumbers]);
    const labels = edges.slice(0, -1).map((edge, i) => `[${edge}, ${edges[i + 1] as number})`);
    return psiFromShares(
      labels,
      histogramCounts(refNumbers, edges).map((count) => count / refNumbers.length),
      histogramCounts(curNumbers, edges).map((count) => count / curNumbers.length),
      "sturges",
    );
  }
  return valueBins(ref, cur);
}

/**
 * Share of paired predictions (same request sent to both versions) that agree: equal labels, or numbers within
 * `tolerance` of each other.
 */
export function agreementRate(
  stable: readonly (number | string)[],
  candidate: readonly (number | string)[],
  tolerance = 0,
): number {
  if (stable.length !== candidate.length) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `agreement: expected paired predictions, got ${stable.length} stable and ${candidate.length} candidate`,
    );
  }
  if (stable.length === 0) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", "agreement: expected at least one pair of predictions");
  }
  let agreeing = 0;
  for (let i = 0; i < stable.length; i++) {
    const a = stable[i];
    const b = candidate[i];
    if (a === b || (typeof a === "number" && typeof b === "number" && Math.abs(a - b) <= tolerance))
      agreeing++;
  }
  return agreeing / stable.length;
}
