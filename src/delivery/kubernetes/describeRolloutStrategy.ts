/**
 * A parsed rollout.yaml strategy in the Argo shape the renderers read. Shape only: whether Argo has an
 * equivalent of the strategy is the renderers' decision (argoRollout.ts, kserveInferenceService.ts).
 */
import { formatArgoDuration } from "../analysis/argoDuration.js";
import type { RolloutSpec } from "../rollout/rolloutSpec.js";
import type { AnalysisReference, CanaryStep, RolloutStrategy } from "./deploymentDescription.js";
import { withoutUndefinedKeys } from "./withoutUndefinedKeys.js";

type BlueGreenDescription = Extract<RolloutStrategy, { blueGreen: unknown }>["blueGreen"];

/** The spec's strategy, with pause durations back in Argo's notation. */
export function describeRolloutStrategy(spec: RolloutSpec): RolloutStrategy {
  const strategy = spec.strategy;
  switch (strategy.kind) {
    case "canary": {
      const steps = strategy.canary.steps.map((step): CanaryStep => {
        switch (step.kind) {
          case "setWeight":
            return { setWeight: step.weight };
          case "pause":
            return {
              pause: step.durationMs === undefined ? {} : { duration: formatArgoDuration(step.durationMs) },
            };
          case "analysis":
            return { analysis: withoutUndefinedKeys<AnalysisReference>(step.analysis) };
        }
      });
      const analysis = strategy.canary.analysis;
      return {
        canary: {
          steps,
          ...(analysis !== undefined
            ? { analysis: withoutUndefinedKeys<AnalysisReference & { startingStep?: number }>(analysis) }
            : {}),
        },
      };
    }
    case "blueGreen":
      return { blueGreen: withoutUndefinedKeys<BlueGreenDescription>(strategy.blueGreen) };
    case "abTest":
      return { abTest: { ...strategy.abTest } };
    case "shadow":
      return { shadow: { ...strategy.shadow } };
  }
}
