/**
 * The drift tests FlowOps offers, their default thresholds and Evidently's comparison for each: a p-value test
 * drifts when p is below the threshold (ks: at or below), a distance drifts when it reaches the threshold.
 * The operators are copied from Evidently's `legacy/calculations/stattests/*.py`, since ≤ against < changes
 * the verdict exactly at the threshold.
 */

export const STATTEST_NAMES = [
  "ks",
  "wasserstein",
  "chisquare",
  "z",
  "jensenshannon",
  "kl_div",
  "psi",
] as const;

export type StattestName = (typeof STATTEST_NAMES)[number];

export interface StattestResult {
  readonly score: number;
  readonly threshold: number;
  readonly drifted: boolean;
}

/** Tests that only make sense on numbers; the others run on numbers and categories alike. */
export const NUMERICAL_ONLY_STATTESTS: ReadonlySet<StattestName> = new Set(["ks", "wasserstein"]);

export const DEFAULT_THRESHOLDS: Readonly<Record<StattestName, number>> = {
  ks: 0.05,
  wasserstein: 0.1,
  chisquare: 0.05,
  z: 0.05,
  jensenshannon: 0.1,
  kl_div: 0.1,
  psi: 0.1,
};

export function isStattestName(name: string): name is StattestName {
  return (STATTEST_NAMES as readonly string[]).includes(name);
}

/** Evidently's verdict for a score; a NaN score (e.g. chi-square over a single category) never drifts. */
export function judgeScore(method: StattestName, score: number, threshold: number): StattestResult {
  return { score, threshold, drifted: isDrifted(method, score, threshold) };
}

function isDrifted(method: StattestName, score: number, threshold: number): boolean {
  switch (method) {
    case "ks":
      return score <= threshold;
    case "chisquare":
    case "z":
      return score < threshold;
    case "wasserstein":
    case "jensenshannon":
    case "kl_div":
    case "psi":
      return score >= threshold;
    default:
      return assertNever(method);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown drift test ${String(value)}`);
}
