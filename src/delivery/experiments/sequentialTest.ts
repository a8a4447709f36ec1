/**
 * Sequential tests that stay valid when a canary or A/B test is checked after every request ("peeking"):
 * the mSPRT always-valid p-value for the difference of two means or two proportions (Johari, Pekelis, Walsh,
 * "Always Valid Inference", arXiv:1512.04922; Optimizely's Stats Engine), and Wald's SPRT for one arm's error
 * rate against a known baseline. State is plain sufficient statistics, so it can be stored and resumed.
 */
import { FlowOpsError } from "../../errors.js";

/** Sufficient statistics of one arm. For a proportion, observations are 0/1, so sum = sumSquares = successes. */
export interface ArmStats {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

export const EMPTY_ARM: ArmStats = { n: 0, sum: 0, sumSquares: 0 };

export function observe(arm: ArmStats, value: number): ArmStats {
  return { n: arm.n + 1, sum: arm.sum + value, sumSquares: arm.sumSquares + value * value };
}

/** Adds `successes` ones and `n - successes` zeros: a batch of Bernoulli outcomes. */
export function observeCounts(arm: ArmStats, successes: number, n: number): ArmStats {
  return { n: arm.n + n, sum: arm.sum + successes, sumSquares: arm.sumSquares + successes };
}

export type SequentialMetric = "mean" | "proportion";

export interface DifferenceEstimate {
  /** treatment mean - control mean */
  readonly delta: number;
  /** Plug-in variance of `delta`: s_c²/n_c + s_t²/n_t. */
  readonly variance: number;
  /** Pooled per-observation standard deviation, the scale of the default mixing prior. */
  readonly pooledSd: number;
}

function armVariance(arm: ArmStats, metric: SequentialMetric): number {
  const mean = arm.sum / arm.n;
  if (metric === "proportion") return mean * (1 - mean);
  // Sample variance (n - 1); clamp the tiny negatives that cancellation can leave.
  return Math.max(0, (arm.sumSquares - arm.n * mean * mean) / (arm.n - 1));
}

function shrunkProportionVariance(arm: ArmStats): number {
  const p = (arm.sum + 0.5) / (arm.n + 1);
  return p * (1 - p);
}

export function differenceEstimate(
  control: ArmStats,
  treatment: ArmStats,
  metric: SequentialMetric,
): DifferenceEstimate {
  if (control.n < 2 || treatment.n < 2) {
    throw new FlowOpsError(
      "INVALID_STATE",
      `sequential test: each arm needs at least 2 observations (control ${control.n}, treatment ${treatment.n})`,
    );
  }
  let varianceC = armVariance(control, metric);
  let varianceT = armVariance(treatment, metric);
  // Two proportions that are each all 0 or all 1 but differ (every stable answer right, every candidate
  // answer wrong) have a plug-in variance of 0, which would read as no evidence at all. Shrinking each arm
  // by half an observation each way (p = (x + 0.5) / (n + 1)) keeps the variance positive exactly then.
  if (
    metric === "proportion" &&
    varianceC === 0 &&
    varianceT === 0 &&
    control.sum / control.n !== treatment.sum / treatment.n
  ) {
    varianceC = shrunkProportionVariance(control);
    varianceT = shrunkProportionVariance(treatment);
  }
  const pooled =
    ((control.n - 1) * varianceC + (treatment.n - 1) * varianceT) / (control.n + treatment.n - 2);
  return {
    delta: treatment.sum / treatment.n - control.sum / control.n,
    variance: varianceC / control.n + varianceT / treatment.n,
    pooledSd: Math.sqrt(pooled),
  };
}

/**
 * ln Λ of the mixture SPRT for a normal estimate `delta` with variance `variance`, mixing N(0, tau2) over
 * the true difference. With v = V/n this is the paper's
 * `Λ_n = sqrt(V/(V+nτ²)) · exp(n²τ²Δ̂²/(2V(V+nτ²)))`, written for unequal arms.
 */
export function logMixtureLikelihoodRatio(delta: number, variance: number, tau2: number): number {
  if (!(tau2 > 0)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `tau2: expected a positive mixing variance, got ${tau2}`,
    );
  }
  // Zero variance (e.g. no errors in either arm) carries no usable evidence: stay at Λ = 1.
  if (!(variance > 0)) return 0;
  return (
    0.5 * Math.log(variance / (variance + tau2)) + (tau2 * delta * delta) / (2 * variance * (variance + tau2))
  );
}

export function mixtureLikelihoodRatio(delta: number, variance: number, tau2: number): number {
  return Math.exp(logMixtureLikelihoodRatio(delta, variance, tau2));
}

/** The running minimum that makes the p-value always valid: p_n = min(p_{n-1}, 1/Λ_n), capped at 1. */
export function alwaysValidPValue(previous: number, logLambda: number): number {
  return Math.min(previous, 1, Math.exp(-logLambda));
}

export interface SequentialTestConfig {
  readonly metric: SequentialMetric;
  /** Significance level; the test rejects when p ≤ alpha, i.e. Λ ≥ 1/alpha. */
  readonly alpha: number;
  /** Observations in both arms together after which the test stops without a finding. */
  readonly maxSamples: number;
  /**
   * Standard deviation of the mixing prior on the difference, in the metric's units. Default: 0.1 pooled
   * standard deviations, a "small effect" that suits error rates and latencies alike.
   */
  readonly tau?: number;
  /** Looks before each arm has this many observations change nothing (default 10). */
  readonly minSamplesPerArm?: number;
}

export interface SequentialTestState {
  readonly control: ArmStats;
  readonly treatment: ArmStats;
  readonly pValue: number;
  readonly looks: number;
}

export const NEW_SEQUENTIAL_TEST: SequentialTestState = {
  control: EMPTY_ARM,
  treatment: EMPTY_ARM,
  pValue: 1,
  looks: 0,
};

export type SequentialDecision = "significant" | "not-yet" | "sample-cap";

export interface SequentialLook {
  readonly state: SequentialTestState;
  readonly decision: SequentialDecision;
  /** Λ at this look (1 before enough data). */
  readonly likelihoodRatio: number;
  readonly delta: number | null;
}

function checkConfig(config: SequentialTestConfig): void {
  if (!(config.alpha > 0 && config.alpha < 1)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `alpha: expected a number in (0, 1), got ${config.alpha}`,
    );
  }
  if (!(config.maxSamples > 0)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `maxSamples: expected a positive number, got ${config.maxSamples}`,
    );
  }
  if (config.tau !== undefined && !(config.tau > 0)) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `tau: expected a positive number, got ${config.tau}`);
  }
}

/**
 * Looks at the data gathered so far: updates the always-valid p-value and decides. Call it as often as you
 * like (after every request, or every batch); the false positive rate stays at most alpha either way.
 */
export function lookAt(state: SequentialTestState, config: SequentialTestConfig): SequentialLook {
  checkConfig(config);
  const minSamples = Math.max(2, config.minSamplesPerArm ?? 10);
  let pValue = state.pValue;
  let logLambda = 0;
  let delta: number | null = null;
  if (state.control.n >= minSamples && state.treatment.n >= minSamples) {
    const estimate = differenceEstimate(state.control, state.treatment, config.metric);
    const tau = config.tau ?? 0.1 * estimate.pooledSd;
    delta = estimate.delta;
    if (tau > 0) {
      logLambda = logMixtureLikelihoodRatio(estimate.delta, estimate.variance, tau * tau);
      pValue = alwaysValidPValue(pValue, logLambda);
    }
  }
  const next: SequentialTestState = { ...state, pValue, looks: state.looks + 1 };
  const decision: SequentialDecision =
    pValue <= config.alpha
      ? "significant"
      : state.control.n + state.treatment.n >= config.maxSamples
        ? "sample-cap"
        : "not-yet";
  return { state: next, decision, likelihoodRatio: Math.exp(logLambda), delta };
}

// ---------------------------------------------------------------------------------------------------------
// Wald's SPRT: one arm's error rate against a known baseline p0, alternative p1 > p0 (the canary judge).

export interface WaldSprtConfig {
  /** Baseline error rate (H0). */
  readonly p0: number;
  /** Degraded error rate worth catching (H1), greater than p0. */
  readonly p1: number;
  /** Chance of flagging a healthy canary. */
  readonly alpha: number;
  /** Chance of clearing a degraded canary. */
  readonly beta: number;
}

export type WaldDecision = "degraded" | "healthy" | "continue";

export interface WaldSprtState {
  readonly n: number;
  readonly errors: number;
  readonly logLikelihoodRatio: number;
  /** Sticky: once a bound is crossed the test has stopped and later observations do not change it. */
  readonly decision: WaldDecision;
}

export const NEW_WALD_SPRT: WaldSprtState = { n: 0, errors: 0, logLikelihoodRatio: 0, decision: "continue" };

/** Wald's bounds on ln LR: reject H0 at `upper = ln((1-β)/α)`, accept at `lower = ln(β/(1-α))`. */
export function waldBounds(alpha: number, beta: number): { upper: number; lower: number } {
  if (!(alpha > 0 && alpha < 1 && beta > 0 && beta < 1 && alpha + beta < 1)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `SPRT: expected alpha and beta in (0, 1) with alpha + beta < 1, got alpha ${alpha}, beta ${beta}`,
    );
  }
  return { upper: Math.log((1 - beta) / alpha), lower: Math.log(beta / (1 - alpha)) };
}

function checkRates(config: WaldSprtConfig): void {
  if (!(config.p0 > 0 && config.p1 > config.p0 && config.p1 < 1)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `SPRT: expected 0 < p0 < p1 < 1, got p0 ${config.p0}, p1 ${config.p1}`,
    );
  }
}

/** Adds `errors` failures out of `n` requests, stopping at the first bound crossed within the batch. */
export function observeWald(
  state: WaldSprtState,
  config: WaldSprtConfig,
  errors: number,
  n: number,
): WaldSprtState {
  checkRates(config);
  const { upper, lower } = waldBounds(config.alpha, config.beta);
  if (state.decision !== "continue") return state;
  if (!(Number.isInteger(errors) && Number.isInteger(n) && errors >= 0 && errors <= n)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `SPRT: expected 0 <= errors <= n, got ${errors} of ${n}`,
    );
  }
  const errorStep = Math.log(config.p1 / config.p0);
  const successStep = Math.log((1 - config.p1) / (1 - config.p0));
  // Errors first, then successes: within one batch the order is unknown, and this order never clears a
  // canary that the same batch would have flagged.
  let { n: seen, errors: failed, logLikelihoodRatio: llr } = state;
  for (let i = 0; i < n; i++) {
    const isError = i < errors;
    llr += isError ? errorStep : successStep;
    seen += 1;
    if (isError) failed += 1;
    if (llr >= upper) return { n: seen, errors: failed, logLikelihoodRatio: llr, decision: "degraded" };
    if (llr <= lower) return { n: seen, errors: failed, logLikelihoodRatio: llr, decision: "healthy" };
  }
  return { n: seen, errors: failed, logLikelihoodRatio: llr, decision: "continue" };
}

/**
 * Wald's approximate expected sample size when the true rate is p1 (L = β) or p0 (L = 1 - α), where L is the
 * chance of ending at the lower bound: E[N] = (L·lower + (1-L)·upper) / E[step].
 */
export function waldExpectedSampleSize(config: WaldSprtConfig, truth: "p0" | "p1"): number {
  checkRates(config);
  const { upper, lower } = waldBounds(config.alpha, config.beta);
  const p = truth === "p0" ? config.p0 : config.p1;
  const acceptChance = truth === "p0" ? 1 - config.alpha : config.beta;
  const meanStep =
    p * Math.log(config.p1 / config.p0) + (1 - p) * Math.log((1 - config.p1) / (1 - config.p0));
  return (acceptChance * lower + (1 - acceptChance) * upper) / meanStep;
}
