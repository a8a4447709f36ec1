/**
 * The figures a rollback time is judged against: FlowOps' own statistical minimum for the default canary
 * (read from the built-in spec and template, so a change to the defaults changes the figure), and the
 * detection time of Argo Rollouts and Flagger computed from their documented mechanics with their default
 * settings (serving-delivery reference §7.3). The anchors are arithmetic, not runs: there is no Kubernetes
 * on the benchmark machine, and neither project publishes an end-to-end rollback benchmark.
 */
import { parseArgoDuration } from "../../src/delivery/analysis/argoDuration.js";
import {
  defaultAnalysisTemplate,
  defaultRolloutSpec,
} from "../../src/delivery/deployments/defaultRollout.js";

export interface StatisticalMinimum {
  /** The candidate's weight at the first canary step, in percent. */
  firstWeight: number;
  /** Requests to the candidate a measurement needs before it can judge. */
  minSamples: number;
  /** The analysis interval, in seconds. */
  intervalS: number;
  /** minSamples / (rps * weight / 100): the earliest a measurement can see enough candidate requests. */
  samplesS: number;
  /** samplesS plus one interval: the target the issue sets for the rollback. */
  boundS: number;
}

function seconds(duration: string | undefined, what: string): number {
  const ms = duration === undefined ? undefined : parseArgoDuration(duration);
  if (ms === undefined) throw new Error(`${what}: expected a duration such as 1s, got ${String(duration)}`);
  return ms / 1000;
}

/** The default canary's statistical minimum at `rps` requests per second. */
export function defaultCanaryMinimum(rps: number): StatisticalMinimum {
  const spec = defaultRolloutSpec("canary");
  const steps = spec.strategy.kind === "canary" ? spec.strategy.canary.steps : [];
  const first = steps.find((step) => step.kind === "setWeight");
  if (first?.kind !== "setWeight") throw new Error("the default canary spec has no setWeight step");
  const firstWeight = first.weight;
  const metrics = defaultAnalysisTemplate().spec.metrics;
  const minSamples = Math.max(...metrics.map((metric) => Number(metric.provider.flowops?.minSamples ?? 20)));
  const intervalS = Math.max(
    ...metrics.map((metric) => seconds(metric.interval, `metric ${metric.name} interval`)),
  );
  const samplesS = minSamples / ((rps * firstWeight) / 100);
  return { firstWeight, minSamples, intervalS, samplesS, boundS: samplesS + intervalS };
}

export interface AnchorFigure {
  tool: string;
  settings: string;
  formula: string;
  detectionS: number;
}

/**
 * Detection time alone (the traffic shift after it is immediate in both when the stable set is kept warm);
 * Prometheus' scrape interval and rate() window come on top in both, and are left out to favour them.
 */
export function anchorFigures(): AnchorFigure[] {
  return [
    {
      tool: "Argo Rollouts",
      settings: "initialDelay 0, failureLimit 0 (defaults), interval 30 s",
      formula: "initialDelay + interval x (failureLimit + 1)",
      detectionS: 0 + 30 * (0 + 1),
    },
    {
      tool: "Argo Rollouts",
      settings: "initialDelay 0, failureLimit 0 (defaults), interval 1 m",
      formula: "initialDelay + interval x (failureLimit + 1)",
      detectionS: 0 + 60 * (0 + 1),
    },
    {
      tool: "Flagger",
      settings: "interval 10 s (its floor), threshold 1",
      formula: "interval x threshold",
      detectionS: 10 * 1,
    },
    {
      tool: "Flagger",
      settings: "interval 1 m, threshold 10 (documented example)",
      formula: "interval x threshold",
      detectionS: 60 * 10,
    },
  ];
}
