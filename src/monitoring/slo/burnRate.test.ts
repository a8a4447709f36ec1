import { describe, expect, it } from "vitest";
import {
  burnRate,
  burnRateThreshold,
  errorBudget,
  evaluateSlo,
  SRE_WORKBOOK_WINDOW_PAIRS,
  type GoodTotal,
  type WindowCounts,
} from "./burnRate.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = 100 * DAY;
const SLO = { objective: 99.9, windowMs: 30 * DAY };

/**
 * Steady traffic of `perMinute` requests, failing at `errorRatio` between `errorsFrom` and `errorsTo` and
 * at `baseRatio` otherwise; counts are exact integrals over any window.
 */
function steadyTraffic(options: {
  perMinute: number;
  errorRatio: number;
  errorsFrom: number;
  errorsTo: number;
  baseRatio?: number;
}): WindowCounts {
  return (from, to): GoodTotal => {
    const minutes = (to - from) / MINUTE;
    const total = options.perMinute * minutes;
    const overlap = Math.max(0, Math.min(to, options.errorsTo) - Math.max(from, options.errorsFrom)) / MINUTE;
    const base = options.baseRatio ?? 0;
    const errors = options.perMinute * (overlap * options.errorRatio + (minutes - overlap) * base);
    return { good: total - errors, total };
  };
}

function firing(counts: WindowCounts): string[] {
  return evaluateSlo(SLO, counts, NOW)
    .alerts.filter((a) => a.firing)
    .map((a) => `${a.severity} ${a.longWindow}/${a.shortWindow}`);
}

describe("burn-rate thresholds", () => {
  it("are the SRE workbook's 14.4, 6 and 1 for a 30-day SLO", () => {
    expect(SRE_WORKBOOK_WINDOW_PAIRS.map((pair) => burnRateThreshold(pair, 30 * DAY))).toEqual([14.4, 6, 1]);
  });

  it("keep the workbook's budget shares for another period", () => {
    expect(SRE_WORKBOOK_WINDOW_PAIRS.map((pair) => burnRateThreshold(pair, 28 * DAY))).toEqual([
      13.44, 5.6, 0.933333333333,
    ]);
  });

  it("divide the error ratio by the budget without float noise", () => {
    expect(errorBudget(99.9)).toBe(0.001);
    expect(burnRate({ good: 980, total: 1000 }, errorBudget(99.9))).toBe(20);
    expect(burnRate({ good: 0, total: 0 }, 0.001)).toBe(0);
  });
});

describe("evaluateSlo", () => {
  it("pages on the fast pair and the slow pair when 2 % of requests fail for two hours", () => {
    const counts = steadyTraffic({
      perMinute: 600,
      errorRatio: 0.02,
      errorsFrom: NOW - 2 * HOUR,
      errorsTo: NOW,
    });
    expect(firing(counts)).toEqual(["page 1h/5m", "page 6h/30m"]);
  });

  it("reports each window's burn rate, shortest window first", () => {
    const counts = steadyTraffic({
      perMinute: 600,
      errorRatio: 0.02,
      errorsFrom: NOW - 2 * HOUR,
      errorsTo: NOW,
    });
    const rates = evaluateSlo(SLO, counts, NOW).burnRates.map((r) => [r.window, Number(r.rate.toFixed(4))]);
    expect(rates).toEqual([
      ["5m", 20],
      ["30m", 20],
      ["1h", 20],
      ["6h", 6.6667],
      ["3d", 0.5556],
    ]);
  });

  it("does not page for a ten-minute spike that the long window dilutes", () => {
    const counts = steadyTraffic({
      perMinute: 600,
      errorRatio: 0.02,
      errorsFrom: NOW - 10 * MINUTE,
      errorsTo: NOW,
    });
    expect(firing(counts)).toEqual([]);
  });

  it("stops paging once the short window is clean, though the long window still burns", () => {
    const counts = steadyTraffic({
      perMinute: 600,
      errorRatio: 0.02,
      errorsFrom: NOW - 2 * HOUR,
      errorsTo: NOW - 10 * MINUTE,
    });
    const fast = evaluateSlo(SLO, counts, NOW).alerts[0];
    expect(fast?.longBurnRate).toBeGreaterThan(14.4);
    expect(fast?.shortBurnRate).toBe(0);
    expect(fast?.firing).toBe(false);
  });

  it("opens a ticket for a slow burn just above the budget over three days", () => {
    const counts = steadyTraffic({
      perMinute: 60,
      errorRatio: 0.0015,
      errorsFrom: NOW - 3 * DAY,
      errorsTo: NOW,
    });
    expect(firing(counts)).toEqual(["ticket 3d/6h"]);
  });

  it("does not fire at exactly the threshold, as the workbook's rules compare with >", () => {
    const counts = steadyTraffic({ perMinute: 60, errorRatio: 0.001, errorsFrom: 0, errorsTo: NOW });
    const ticket = evaluateSlo(SLO, counts, NOW).alerts[2];
    expect(ticket?.burnRate).toBe(1);
    expect(ticket?.firing).toBe(false);
  });

  it("counts the SLI and the remaining budget over the whole period", () => {
    const counts = steadyTraffic({
      perMinute: 60,
      errorRatio: 0,
      errorsFrom: 0,
      errorsTo: 0,
      baseRatio: 0.0005,
    });
    const result = evaluateSlo(SLO, counts, NOW);
    expect(result.sli).toBeCloseTo(0.9995, 12);
    expect(result.errorBudget).toBe(0.001);
    expect(result.budgetRemaining).toBe(0.5);
  });

  it("reports an overspent budget as negative", () => {
    const counts = steadyTraffic({
      perMinute: 60,
      errorRatio: 0,
      errorsFrom: 0,
      errorsTo: 0,
      baseRatio: 0.003,
    });
    expect(evaluateSlo(SLO, counts, NOW).budgetRemaining).toBe(-2);
  });

  it("has no SLI and a whole budget when no request was counted", () => {
    const result = evaluateSlo(SLO, () => ({ good: 0, total: 0 }), NOW);
    expect(result.sli).toBeNull();
    expect(result.budgetRemaining).toBe(1);
    expect(result.alerts.some((a) => a.firing)).toBe(false);
  });

  it("asks for each window ending at now", () => {
    const asked: string[] = [];
    evaluateSlo(
      SLO,
      (from, to) => {
        asked.push(`${(to - from) / MINUTE}m ending ${to === NOW ? "now" : to}`);
        return { good: 1, total: 1 };
      },
      NOW,
    );
    expect(asked).toEqual([
      "43200m ending now",
      "5m ending now",
      "30m ending now",
      "60m ending now",
      "360m ending now",
      "4320m ending now",
    ]);
  });
});
