/**
 * Runs one named drift test on a prepared pair of samples and applies Evidently's verdict. The tests
 * themselves live by family: numericTests (ks, wasserstein), categoryTests (chisquare, z) and
 * distributionDistances over binning (jensenshannon, kl_div, psi).
 */

import { FlowOpsError } from "../../errors.js";
import { binnedShares, categoryCounts } from "./binning.js";
import { chiSquareP, twoProportionZP } from "./categoryTests.js";
import { jensenShannonDistance, klDivergence, populationStabilityIndex } from "./distributionDistances.js";
import type { DriftSample } from "./driftSample.js";
import { sampleWassersteinDistance } from "./bucketedWasserstein.js";
import { ksPValue } from "./numericTests.js";
import { judgeScore, type StattestName, type StattestResult } from "./stattest.js";

export function runStattest(
  method: StattestName,
  reference: DriftSample,
  current: DriftSample,
  threshold: number,
): StattestResult {
  return judgeScore(method, stattestScore(method, reference, current), threshold);
}

function stattestScore(method: StattestName, reference: DriftSample, current: DriftSample): number {
  switch (method) {
    case "ks":
    case "wasserstein": {
      if (reference.kind !== "numerical" || current.kind !== "numerical") {
        throw new FlowOpsError("INVALID_PARAMETER_VALUE", `drift test '${method}' needs a numerical column`);
      }
      return method === "ks"
        ? ksPValue(reference.sorted, current.sorted)
        : // Evidently's normed distance: wasserstein_distance / max(std(reference, ddof=0), 0.001).
          sampleWassersteinDistance(reference, current) / Math.max(reference.std, 0.001);
    }
    case "chisquare":
      return chiSquareP(categoryCounts(reference, current));
    case "z":
      return twoProportionZP(categoryCounts(reference, current));
    case "jensenshannon": {
      const shares = binnedShares(reference, current, false);
      return jensenShannonDistance(shares.reference, shares.current);
    }
    case "kl_div": {
      const shares = binnedShares(reference, current, true);
      return klDivergence(shares.reference, shares.current);
    }
    case "psi": {
      const shares = binnedShares(reference, current, true);
      return populationStabilityIndex(shares.reference, shares.current);
    }
    default:
      return assertNever(method);
  }
}

function assertNever(value: never): never {
  throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown drift test ${String(value)}`);
}
