/**
 * Error budgets and multiwindow, multi-burn-rate alerts as the Google SRE workbook defines them
 * ("Alerting on SLOs", the recommended parameters for a 30-day SLO):
 *
 *   severity  long window  short window  burn rate  budget consumed
 *   page      1h           5m            14.4       2 %
 *   page      6h           30m           6          5 %
 *   ticket    3d           6h            1          10 %
 *
 * burn rate = error ratio / (1 - objective). An alert fires when both of its windows burn faster than its
 * threshold (the workbook's `>`): the long window makes it significant, the short one lets it reset soon
 * after the errors stop. For a period other than 30 days the thresholds keep the table's budget shares:
 * threshold = budget consumed * period / long window, which gives exactly 14.4, 6 and 1 at 30 days.
 *
 * Pure: counts come from a callback and `now` is passed in, so the embedded evaluator, tests and the
 * Prometheus rendering (prometheusRules.ts) all share these numbers.
 */
import { formatPrometheusDuration } from "./sloDuration.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type AlertSeverity = "page" | "ticket";

export interface BurnRateWindowPair {
  severity: AlertSeverity;
  longWindowMs: number;
  shortWindowMs: number;
  /** Share of the period's error budget the long window spends at the threshold. */
  budgetConsumed: number;
  /** How long the condition must hold before Prometheus fires the rendered alert. */
  forMs: number;
}

export const SRE_WORKBOOK_WINDOW_PAIRS: readonly BurnRateWindowPair[] = [
  {
    severity: "page",
    longWindowMs: HOUR,
    shortWindowMs: 5 * MINUTE,
    budgetConsumed: 0.02,
    forMs: 2 * MINUTE,
  },
  {
    severity: "page",
    longWindowMs: 6 * HOUR,
    shortWindowMs: 30 * MINUTE,
    budgetConsumed: 0.05,
    forMs: 15 * MINUTE,
  },
  { severity: "ticket", longWindowMs: 3 * DAY, shortWindowMs: 6 * HOUR, budgetConsumed: 0.1, forMs: HOUR },
];

/** Requests counted over `[fromMs, toMs)`: those that met the objective and all of them. */
export interface GoodTotal {
  good: number;
  total: number;
}

export type WindowCounts = (fromMs: number, toMs: number) => GoodTotal;

/** What `evaluateSlo` needs of an objective: its percentage and the period its budget spans. */
export interface BudgetedSlo {
  /** Percent of good requests promised, below 100. */
  objective: number;
  windowMs: number;
}

export interface WindowBurnRate {
  /** Prometheus spelling of the window: `5m`, `1h`, `3d`. */
  window: string;
  windowMs: number;
  rate: number;
}

export interface BurnRateAlert {
  severity: AlertSeverity;
  longWindow: string;
  shortWindow: string;
  /** The lower of the two windows' burn rates: the rate both of them exceed. */
  burnRate: number;
  longBurnRate: number;
  shortBurnRate: number;
  threshold: number;
  /** Both windows above the threshold now; a caller holding state applies `forMs` before notifying. */
  firing: boolean;
  forMs: number;
}

export interface SloEvaluation {
  /** Good share over the whole period; null when no request was counted. */
  sli: number | null;
  /** 1 - objective, as a ratio: the share of requests allowed to fail. */
  errorBudget: number;
  /** Share of the period's budget left: 1 untouched, 0 spent, negative when overspent. */
  budgetRemaining: number;
  burnRates: WindowBurnRate[];
  alerts: BurnRateAlert[];
}

/** Twelve significant digits hide float noise such as 1 - 0.999 = 0.0010000000000000009. */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

/** The error budget of an objective in percent, as a ratio: 99.9 -> 0.001. */
export function errorBudget(objectivePercent: number): number {
  return tidy((100 - objectivePercent) / 100);
}

/** The burn rate at which `pair`'s long window spends its share of the budget of a `periodMs` SLO. */
export function burnRateThreshold(pair: BurnRateWindowPair, periodMs: number): number {
  return tidy((pair.budgetConsumed * periodMs) / pair.longWindowMs);
}

/** Error ratio divided by the budget; no requests burn nothing. */
export function burnRate(counts: GoodTotal, budget: number): number {
  if (counts.total <= 0) return 0;
  const errorRatio = Math.max(0, counts.total - counts.good) / counts.total;
  return tidy(errorRatio / budget);
}

/** The distinct windows the pairs read, shortest first. */
export function burnRateWindows(pairs: readonly BurnRateWindowPair[] = SRE_WORKBOOK_WINDOW_PAIRS): number[] {
  const windows = new Set<number>();
  for (const pair of pairs) {
    windows.add(pair.longWindowMs);
    windows.add(pair.shortWindowMs);
  }
  return [...windows].sort((a, b) => a - b);
}

/** The SLI, remaining budget, burn rate per window and the state of every alert of one objective at `now`. */
export function evaluateSlo(
  spec: BudgetedSlo,
  counts: WindowCounts,
  now: number,
  pairs: readonly BurnRateWindowPair[] = SRE_WORKBOOK_WINDOW_PAIRS,
): SloEvaluation {
  const budget = errorBudget(spec.objective);
  const period = counts(now - spec.windowMs, now);
  const sli = period.total > 0 ? period.good / period.total : null;
  const budgetRemaining = period.total > 0 ? tidy(1 - burnRate(period, budget)) : 1;

  const rates = new Map<number, number>();
  const burnRates = burnRateWindows(pairs).map((windowMs): WindowBurnRate => {
    const rate = burnRate(counts(now - windowMs, now), budget);
    rates.set(windowMs, rate);
    return { window: formatPrometheusDuration(windowMs), windowMs, rate };
  });

  const alerts = pairs.map((pair): BurnRateAlert => {
    const longBurnRate = rates.get(pair.longWindowMs) ?? 0;
    const shortBurnRate = rates.get(pair.shortWindowMs) ?? 0;
    const threshold = burnRateThreshold(pair, spec.windowMs);
    return {
      severity: pair.severity,
      longWindow: formatPrometheusDuration(pair.longWindowMs),
      shortWindow: formatPrometheusDuration(pair.shortWindowMs),
      burnRate: Math.min(longBurnRate, shortBurnRate),
      longBurnRate,
      shortBurnRate,
      threshold,
      firing: longBurnRate > threshold && shortBurnRate > threshold,
      forMs: pair.forMs,
    };
  });

  return { sli, errorBudget: budget, budgetRemaining, burnRates, alerts };
}
