/**
 * The objectives without an error budget: a throughput floor and a drift share ceiling. Each is a plain
 * comparison at `now`; pure, like burnRate.ts.
 */
import type { WindowCounts } from "./burnRate.js";
import type { DriftObjective, ThroughputObjective } from "./sloSpec.js";

export interface ThroughputCheck {
  /** Mean requests per second over the objective's window. */
  rps: number;
  minRps: number;
  /** Below the floor; an idle endpoint is below it too, which is the point of a floor. */
  firing: boolean;
}

export interface DriftShareCheck {
  share: number;
  maxShare: number;
  /** The share reached the ceiling, as dataset drift is declared (`share >= drift_share` in Evidently). */
  firing: boolean;
}

export function checkThroughput(
  objective: ThroughputObjective,
  counts: WindowCounts,
  now: number,
): ThroughputCheck {
  const { total } = counts(now - objective.windowMs, now);
  const rps = total / (objective.windowMs / 1000);
  return { rps, minRps: objective.minRps, firing: rps < objective.minRps };
}

export function checkDriftShare(objective: DriftObjective, share: number): DriftShareCheck {
  return { share, maxShare: objective.maxShare, firing: share >= objective.maxShare };
}
