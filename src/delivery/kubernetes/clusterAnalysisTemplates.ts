/**
 * The analysis templates a Kubernetes render carries: the user's, as written, and the built-in ones the
 * rollout spec names without the metrics a cluster cannot measure. Assembly only: turning a template into
 * an Argo AnalysisTemplate is analysisTemplates.ts's job.
 */
import type { AnalysisTemplate } from "../analysis/analysisTemplate.js";
import { defaultAnalysisTemplates } from "../deployments/defaultRollout.js";
import type { RolloutSpec } from "../rollout/rolloutSpec.js";
import { PROMETHEUS_SERIES } from "./prometheusQueries.js";

export interface ClusterAnalysisTemplates {
  templates: AnalysisTemplate[];
  /** Sentences for the user about what the render leaves out, one per built-in template trimmed. */
  notes: string[];
}

/**
 * The user's templates, then each built-in template the spec names and the user did not supply one of that
 * name for, so a user's template of a built-in's name takes its place.
 */
export function clusterAnalysisTemplates(
  spec: RolloutSpec,
  supplied: readonly AnalysisTemplate[],
): ClusterAnalysisTemplates {
  const templates = [...supplied];
  const notes: string[] = [];
  const suppliedNames = new Set(supplied.map((template) => template.metadata.name));
  const named = new Set(referencedTemplates(spec));
  for (const builtIn of defaultAnalysisTemplates()) {
    if (!named.has(builtIn.metadata.name) || suppliedNames.has(builtIn.metadata.name)) continue;
    const { template, dropped } = measurableInCluster(builtIn);
    if (dropped.length > 0) {
      notes.push(
        `built-in analysis '${template.metadata.name}' renders without ${dropped.join(", ")} ` +
          `(measured inside the embedded server only)`,
      );
    }
    templates.push(template);
  }
  return { templates, notes };
}

/**
 * A built-in template without the metrics Argo cannot read from Prometheus, and the names of those dropped.
 * Only built-ins are trimmed: a user's template that names such a metric is an error the render reports.
 */
function measurableInCluster(template: AnalysisTemplate): { template: AnalysisTemplate; dropped: string[] } {
  const metrics = template.spec.metrics.filter(
    (metric) =>
      metric.provider.flowops === undefined || PROMETHEUS_SERIES.has(metric.provider.flowops.metric),
  );
  const dropped = template.spec.metrics
    .filter((metric) => !metrics.includes(metric))
    .map((metric) => metric.name);
  return { template: { ...template, spec: { ...template.spec, metrics } }, dropped };
}

/** Every template name the spec's analyses refer to, in the order the spec lists them. */
function referencedTemplates(spec: RolloutSpec): string[] {
  const strategy = spec.strategy;
  const refs: { templates: { templateName: string }[] }[] = [];
  switch (strategy.kind) {
    case "canary":
      if (strategy.canary.analysis !== undefined) refs.push(strategy.canary.analysis);
      for (const step of strategy.canary.steps) if (step.kind === "analysis") refs.push(step.analysis);
      break;
    case "blueGreen":
      if (strategy.blueGreen.prePromotionAnalysis !== undefined)
        refs.push(strategy.blueGreen.prePromotionAnalysis);
      if (strategy.blueGreen.postPromotionAnalysis !== undefined)
        refs.push(strategy.blueGreen.postPromotionAnalysis);
      break;
    case "shadow":
      if (strategy.shadow.analysis !== undefined) refs.push(strategy.shadow.analysis);
      break;
    case "abTest":
      break;
  }
  return refs.flatMap((ref) => ref.templates.map((template) => template.templateName));
}
