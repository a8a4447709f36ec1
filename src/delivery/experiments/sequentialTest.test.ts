import { describe, expect, it } from "vitest";

import {
  EMPTY_ARM,
  NEW_SEQUENTIAL_TEST,
  NEW_WALD_SPRT,
  alwaysValidPValue,
  differenceEstimate,
  lookAt,
  mixtureLikelihoodRatio,
  observe,
  observeCounts,
  observeWald,
  waldBounds,
  waldExpectedSampleSize,
  type ArmStats,
  type SequentialTestConfig,
  type SequentialTestState,
} from "./sequentialTest.js";
import { mulberry32 } from "../../seededRandom.js";

function seededNormal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function armOf(values: readonly number[]): ArmStats {
  return values.reduce(observe, EMPTY_ARM);
}

describe("mixtureLikelihoodRatio", () => {
  // Produced by generate_reference.py from the paper's form sqrt(V/(V+nτ²))·exp(n²τ²Δ²/(2V(V+nτ²)));
  // the code takes the variance of the estimate, v = V/n.
  it.each([
    [100, 0.5, 0.01, 0.2, 8.3091766316893],
    [400, 2.0, 0.04, -0.1, 0.810808484762403],
    [50, 0.02, 0.0001, 0.03, 1.12011148926887],
  ])("matches the paper's formula for n=%d V=%d τ²=%d Δ=%d", (n, V, tau2, delta, expected) => {
    expect(mixtureLikelihoodRatio(delta, V / n, tau2)).toBeCloseTo(expected, 10);
  });

  it("computes the plug-in estimate for two proportions (30/1000 vs 60/1000, τ = 0.01)", () => {
    // generate_reference.py: v = 0.03·0.97/1000 + 0.06·0.94/1000 = 8.55e-05, Λ = 11.5884930914286.
    const estimate = differenceEstimate(
      observeCounts(EMPTY_ARM, 30, 1000),
      observeCounts(EMPTY_ARM, 60, 1000),
      "proportion",
    );
    expect(estimate.delta).toBeCloseTo(0.03, 12);
    expect(estimate.variance).toBeCloseTo(8.55e-5, 15);
    expect(mixtureLikelihoodRatio(estimate.delta, estimate.variance, 0.0001)).toBeCloseTo(
      11.5884930914286,
      9,
    );
  });

  it("computes the plug-in estimate for two means with sample variances", () => {
    // generate_reference.py: control 1..10, treatment 3..12, v = 1.8333…, Λ(τ = 1) = 1.18218887901517.
    const control = armOf(Array.from({ length: 10 }, (_, i) => i + 1));
    const treatment = armOf(Array.from({ length: 10 }, (_, i) => i + 3));
    const estimate = differenceEstimate(control, treatment, "mean");
    expect(estimate.delta).toBe(2);
    expect(estimate.variance).toBeCloseTo(1.83333333333333, 12);
    expect(mixtureLikelihoodRatio(estimate.delta, estimate.variance, 1)).toBeCloseTo(1.18218887901517, 10);
  });

  it("treats zero variance as no evidence", () => {
    expect(mixtureLikelihoodRatio(0.5, 0, 1)).toBe(1);
  });
});

describe("alwaysValidPValue", () => {
  it("is the running minimum of 1/Λ, capped at 1", () => {
    expect(alwaysValidPValue(1, Math.log(0.5))).toBe(1);
    expect(alwaysValidPValue(1, Math.log(4))).toBeCloseTo(0.25, 15);
    expect(alwaysValidPValue(0.1, Math.log(4))).toBe(0.1);
  });
});

describe("lookAt", () => {
  const config: SequentialTestConfig = { metric: "mean", alpha: 0.05, maxSamples: 4000 };

  it("waits for the minimum samples per arm before changing the p-value", () => {
    const state = { ...NEW_SEQUENTIAL_TEST, control: armOf([1, 2, 3]), treatment: armOf([10, 11, 12]) };
    const look = lookAt(state, config);
    expect(look.decision).toBe("not-yet");
    expect(look.state.pValue).toBe(1);
    expect(look.delta).toBeNull();
  });

  it("stops with sample-cap once both arms together reach maxSamples", () => {
    const arm = observeCounts(EMPTY_ARM, 100, 1000);
    const look = lookAt(
      { ...NEW_SEQUENTIAL_TEST, control: arm, treatment: arm },
      { ...config, metric: "proportion", maxSamples: 2000 },
    );
    expect(look.decision).toBe("sample-cap");
  });

  it("concludes when every stable answer is right and every candidate answer wrong (regression: zero plug-in variance read as no evidence)", () => {
    const look = lookAt(
      {
        ...NEW_SEQUENTIAL_TEST,
        control: observeCounts(EMPTY_ARM, 40, 40),
        treatment: observeCounts(EMPTY_ARM, 0, 40),
      },
      { ...config, metric: "proportion" },
    );
    expect(look.decision).toBe("significant");
    expect(look.delta).toBe(-1);
  });

  it("still finds no evidence in two arms without a single error", () => {
    const arm = observeCounts(EMPTY_ARM, 0, 500);
    const look = lookAt(
      { ...NEW_SEQUENTIAL_TEST, control: arm, treatment: arm },
      { ...config, metric: "proportion" },
    );
    expect(look.decision).toBe("not-yet");
    expect(look.state.pValue).toBe(1);
  });

  it("rejects alpha outside (0, 1) and a non-positive tau", () => {
    expect(() => lookAt(NEW_SEQUENTIAL_TEST, { ...config, alpha: 1 })).toThrow(/alpha/);
    expect(() => lookAt(NEW_SEQUENTIAL_TEST, { ...config, tau: 0 })).toThrow(/tau/);
  });
});

type Sampler = (random: () => number) => { control: () => number; treatment: () => number };

/** Runs one continuously monitored test (a look after every `batch` observations per arm) to its end. */
function monitoredRun(
  seed: number,
  sampler: Sampler,
  config: SequentialTestConfig,
  batch: number,
): { decision: string; naiveEverSignificant: boolean } {
  const draw = sampler(mulberry32(seed));
  let state: SequentialTestState = NEW_SEQUENTIAL_TEST;
  let naiveEverSignificant = false;
  for (;;) {
    let control = state.control;
    let treatment = state.treatment;
    for (let i = 0; i < batch; i++) {
      control = observe(control, draw.control());
      treatment = observe(treatment, draw.treatment());
    }
    const look = lookAt({ ...state, control, treatment }, config);
    // The fixed-horizon z-test, peeked at every look: what the mSPRT protects against.
    const estimate = differenceEstimate(control, treatment, config.metric);
    if (estimate.variance > 0 && Math.abs(estimate.delta) / Math.sqrt(estimate.variance) > 1.959964) {
      naiveEverSignificant = true;
    }
    state = look.state;
    if (look.decision !== "not-yet") return { decision: look.decision, naiveEverSignificant };
  }
}

function simulate(runs: number, sampler: Sampler, config: SequentialTestConfig, batch = 20) {
  let significant = 0;
  let naive = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const result = monitoredRun(seed, sampler, config, batch);
    if (result.decision === "significant") significant++;
    if (result.naiveEverSignificant) naive++;
  }
  return { rate: significant / runs, naiveRate: naive / runs };
}

const normalArms =
  (shift: number): Sampler =>
  (random) => {
    const normal = seededNormal(random);
    return { control: () => 10 + 2 * normal(), treatment: () => 10 + shift + 2 * normal() };
  };

const bernoulliArms =
  (pControl: number, pTreatment: number): Sampler =>
  (random) => ({
    control: () => (random() < pControl ? 1 : 0),
    treatment: () => (random() < pTreatment ? 1 : 0),
  });

describe("mSPRT under continuous monitoring (seeded simulation)", () => {
  // 500 runs: the standard error of a 5 % rate is about 1 %, so alpha + 2 % is the sampling slack.
  it("keeps the A/A false positive rate of two means at or below alpha, where naive peeking does not", () => {
    const { rate, naiveRate } = simulate(500, normalArms(0), {
      metric: "mean",
      alpha: 0.05,
      maxSamples: 4000,
    });
    expect(rate).toBeLessThanOrEqual(0.07);
    expect(naiveRate).toBeGreaterThan(0.2);
  });

  it("keeps the A/A false positive rate of two proportions at or below alpha", () => {
    const { rate } = simulate(500, bernoulliArms(0.1, 0.1), {
      metric: "proportion",
      alpha: 0.05,
      maxSamples: 4000,
    });
    expect(rate).toBeLessThanOrEqual(0.07);
  });

  it("detects a real difference of means (0.5 standard deviations)", () => {
    const { rate } = simulate(300, normalArms(1), { metric: "mean", alpha: 0.05, maxSamples: 4000 });
    expect(rate).toBeGreaterThan(0.95);
  });

  it("detects an error rate that doubles from 5 % to 10 %", () => {
    const { rate } = simulate(300, bernoulliArms(0.05, 0.1), {
      metric: "proportion",
      alpha: 0.05,
      maxSamples: 6000,
    });
    expect(rate).toBeGreaterThan(0.9);
  });
});

describe("Wald SPRT", () => {
  const config = { p0: 0.01, p1: 0.02, alpha: 0.05, beta: 0.2 };

  it("has bounds ln((1-β)/α) and ln(β/(1-α)): +2.77 and -1.56 for α = 0.05, β = 0.2", () => {
    const { upper, lower } = waldBounds(0.05, 0.2);
    expect(upper).toBeCloseTo(2.772588722239781, 12);
    expect(lower).toBeCloseTo(-1.5581446180465497, 12);
    expect(() => waldBounds(0.6, 0.5)).toThrow(/alpha \+ beta/);
  });

  it("expects about 487 requests to flag a true 2 % rate and 430 to clear a healthy 1 % canary", () => {
    // generate_reference.py, Wald's approximation; the same numbers as serving-delivery.md §6.3.
    expect(waldExpectedSampleSize(config, "p1")).toBeCloseTo(487.13014050954854, 8);
    expect(waldExpectedSampleSize(config, "p0")).toBeCloseTo(430.08857387263714, 8);
  });

  it("adds ln(p1/p0) per error and ln((1-p1)/(1-p0)) per success, and stops at the first bound crossed", () => {
    const afterOne = observeWald(NEW_WALD_SPRT, config, 1, 1);
    expect(afterOne.logLikelihoodRatio).toBeCloseTo(Math.log(2), 15);
    // With p1 = 3 %, ln 3 per error: the 3rd error crosses ln 16 = 2.77 (2 ln 3 = 2.20, 3 ln 3 = 3.30).
    const flagged = observeWald(NEW_WALD_SPRT, { ...config, p1: 0.03 }, 10, 10);
    expect(flagged.decision).toBe("degraded");
    expect(flagged.n).toBe(3);
    expect(flagged.logLikelihoodRatio).toBeCloseTo(3 * Math.log(3), 12);
    // ln(0.98/0.99) = -0.01015 per success: the 154th success reaches -1.558 (153.5 steps).
    const cleared = observeWald(NEW_WALD_SPRT, config, 0, 1000);
    expect(cleared.decision).toBe("healthy");
    expect(cleared.n).toBe(154);
    expect(observeWald(cleared, config, 5, 5)).toBe(cleared);
  });

  it("flags a 2 % canary and clears a 1 % one with roughly the declared error rates", () => {
    const runs = 400;
    let flaggedHealthy = 0;
    let clearedDegraded = 0;
    for (let seed = 1; seed <= runs; seed++) {
      for (const [rate, target] of [
        [0.01, "healthy"],
        [0.02, "degraded"],
      ] as const) {
        const random = mulberry32(seed * 2 + (rate === 0.01 ? 0 : 1));
        let state = NEW_WALD_SPRT;
        while (state.decision === "continue") state = observeWald(state, config, random() < rate ? 1 : 0, 1);
        if (state.decision !== target && target === "healthy") flaggedHealthy++;
        if (state.decision !== target && target === "degraded") clearedDegraded++;
      }
    }
    expect(flaggedHealthy / runs).toBeLessThanOrEqual(0.05 + 0.025);
    expect(clearedDegraded / runs).toBeLessThanOrEqual(0.2 + 0.04);
  });
});
