/**
 * What `flowops deploy --strategy <s>` means without a rollout.yaml: a rollout spec per strategy and the
 * built-in AnalysisTemplates they refer to. Both are written as YAML text and parsed by the same schemas
 * as a user's files, so a default can never be something a user could not have written (and the CLI can
 * print the text as a starting point).
 *
 * Two templates, because `count` is a number in the template schema and cannot come from an argument:
 * `flowops-default` runs until the rollout stops it (canary background analysis), while
 * `flowops-default-bounded` completes after five measurements, for the strategies that wait for their
 * analysis to finish (blue-green pre-promotion, shadow).
 */
import { parseAnalysisTemplate, type AnalysisTemplate } from "../analysis/analysisTemplate.js";
import { parseRolloutSpec, type RolloutSpec } from "../rollout/rolloutSpec.js";

export const DEFAULT_ANALYSIS_TEMPLATE_NAME = "flowops-default";
export const DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_NAME = "flowops-default-bounded";
/** Measurements of the bounded template before it completes. */
export const DEFAULT_BOUNDED_ANALYSIS_COUNT = 5;

export const DEFAULT_STRATEGIES = ["canary", "blueGreen", "abTest", "shadow"] as const;
export type DefaultStrategy = (typeof DEFAULT_STRATEGIES)[number];

/** The stickiness seed of an A/B test when no endpoint name is given. */
const FALLBACK_AB_SEED = "flowops";

function analysisTemplateYaml(name: string, count?: number): string {
  const countLine = count === undefined ? "" : `\n      count: ${count}`;
  const metric = (metricName: string, failureCondition: string, provider: string) =>
    `    - name: ${metricName}
      interval: 1s${countLine}
      inconclusiveLimit: 5
      failureCondition: ${failureCondition}
      provider:
        flowops: {${provider}, window: 10s, minSamples: 20}`;
  return `# FlowOps' built-in analysis: the candidate's errors and latency against stable's over the last 10s,
# and how often the two models give the same answer. Fewer than 20 requests make a measurement Inconclusive.
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${name}
spec:
  metrics:
${metric("error-rate", "result > 0.05", "metric: error_rate, compare: stable")}
${metric("latency-p99", "result > 0.1", "metric: latency_p99, compare: stable")}
${metric("agreement", "result < 0.9", "metric: agreement")}
`;
}

/** The text of `flowops-default`, for the CLI to print. */
export const DEFAULT_ANALYSIS_TEMPLATE_YAML = analysisTemplateYaml(DEFAULT_ANALYSIS_TEMPLATE_NAME);
/** The text of `flowops-default-bounded`. */
export const DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_YAML = analysisTemplateYaml(
  DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_NAME,
  DEFAULT_BOUNDED_ANALYSIS_COUNT,
);

/** `flowops-default`: error rate and p99 latency compared with stable, and agreement, every second. */
export function defaultAnalysisTemplate(): AnalysisTemplate {
  return parseAnalysisTemplate(
    DEFAULT_ANALYSIS_TEMPLATE_YAML,
    `<built-in ${DEFAULT_ANALYSIS_TEMPLATE_NAME}>`,
  );
}

/** Every built-in template, the ones a default rollout spec names. */
export function defaultAnalysisTemplates(): AnalysisTemplate[] {
  return [
    defaultAnalysisTemplate(),
    parseAnalysisTemplate(
      DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_YAML,
      `<built-in ${DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_NAME}>`,
    ),
  ];
}

/**
 * The rollout.yaml text of a strategy's default; `endpoint` seeds the A/B test's sticky assignment, so two
 * endpoints split the same users differently.
 */
export function defaultRolloutSpecYaml(strategy: DefaultStrategy, endpoint?: string): string {
  switch (strategy) {
    case "canary":
      return `strategy:
  canary:
    steps:
      - setWeight: 10
      - pause: {duration: 10s}
      - setWeight: 50
      - pause: {duration: 10s}
      - setWeight: 100
    analysis:
      templates:
        - templateName: ${DEFAULT_ANALYSIS_TEMPLATE_NAME}
`;
    case "blueGreen":
      return `strategy:
  blueGreen:
    prePromotionAnalysis:
      templates:
        - templateName: ${DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_NAME}
    autoPromotionSeconds: 30
`;
    case "abTest":
      return `strategy:
  abTest:
    variants:
      - {name: stable, weight: 50}
      - {name: candidate, weight: 50}
    stickiness:
      header: x-user-id
      seed: ${JSON.stringify(endpoint ?? FALLBACK_AB_SEED)}
    test:
      metric: online_accuracy
      maxSamples: 10000
`;
    case "shadow":
      return `strategy:
  shadow:
    mirrorPercent: 100
    duration: 30s
    analysis:
      templates:
        - templateName: ${DEFAULT_BOUNDED_ANALYSIS_TEMPLATE_NAME}
`;
  }
}

/** The parsed default spec of a strategy (see defaultRolloutSpecYaml). */
export function defaultRolloutSpec(strategy: DefaultStrategy, endpoint?: string): RolloutSpec {
  return parseRolloutSpec(defaultRolloutSpecYaml(strategy, endpoint), `<default ${strategy} rollout>`);
}
