/**
 * The shape of a fairness assessment's result, shared by the assessment, its warnings and its text format.
 * Metric field names are Fairlearn's, so they can be logged as MLflow metrics unchanged.
 */

import type { GroupRates } from "./confusionRates.js";

export interface GroupMetrics extends GroupRates {
  group: Record<string, string>;
  key: string;
  belowMinCount: boolean;
}

export interface FairnessMetrics {
  demographic_parity_difference: number;
  demographic_parity_ratio: number;
  equalized_odds_difference: number;
  equalized_odds_ratio: number;
  equal_opportunity_difference: number;
  equal_opportunity_ratio: number;
  predictive_parity_difference: number;
}

export interface FairnessReport {
  rows: number;
  posLabel: string;
  overall: Omit<GroupMetrics, "group" | "key" | "belowMinCount">;
  /** Every group seen, including those below the minimum count (flagged, not dropped). */
  byGroup: GroupMetrics[];
  /** NaN where Fairlearn gives NaN: a ratio whose groups are all 0. */
  metrics: FairnessMetrics;
  warnings: string[];
}
