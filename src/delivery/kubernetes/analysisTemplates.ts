/**
 * Renders FlowOps analysis templates as Argo AnalysisTemplates: FlowOps-provider metrics become Prometheus
 * queries over the serving metrics; Prometheus-provider metrics pass through with a default address.
 */
import type {
  AnalysisTemplateDefinition,
  AnalysisMetric,
  DeploymentDescription,
} from "./deploymentDescription.js";
import { DEFAULT_PROMETHEUS_ADDRESS } from "./deploymentDescription.js";
import type { KubernetesObject } from "./kubernetesObject.js";
import { ownershipLabels } from "./ownershipLabels.js";
import { MODEL_ARG, STABLE_VERSION_ARG, VERSION_ARG, prometheusQuery } from "./prometheusQueries.js";
import { resourceNames } from "./resourceNames.js";

function renderMetric(metric: AnalysisMetric, address: string, where: string): Record<string, unknown> {
  const provider =
    "prometheus" in metric.provider
      ? {
          prometheus: {
            address: metric.provider.prometheus.address ?? address,
            query: metric.provider.prometheus.query,
          },
        }
      : {
          prometheus: {
            address,
            query: prometheusQuery(metric.provider.flowops.metric, {
              ...(metric.provider.flowops.compare === undefined
                ? {}
                : { compare: metric.provider.flowops.compare }),
              ...(metric.provider.flowops.window === undefined
                ? {}
                : { window: metric.provider.flowops.window }),
              where: `${where}.provider.flowops`,
            }),
          },
        };
  const { provider: _provider, dryRun: _dryRun, ...fields } = metric;
  return { ...fields, provider };
}

export function renderAnalysisTemplate(
  description: DeploymentDescription,
  template: AnalysisTemplateDefinition,
): KubernetesObject {
  const address = description.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS;
  const where = `analysis template '${template.metadata.name}'`;
  const declared = new Set((template.spec.args ?? []).map((arg) => arg.name));
  // The queries need these arguments whatever the template declared; the Rollout passes their values.
  const args = [
    ...(template.spec.args ?? []),
    ...[MODEL_ARG, VERSION_ARG, STABLE_VERSION_ARG]
      .filter((name) => !declared.has(name))
      .map((name) => ({ name })),
  ];
  const dryRun = template.spec.metrics
    .filter((metric) => metric.dryRun === true)
    .map((metric) => ({ metricName: metric.name }));
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: {
      name: resourceNames(description.endpoint).analysisTemplate(template.metadata.name),
      ...(description.namespace === undefined ? {} : { namespace: description.namespace }),
      labels: ownershipLabels(description.endpoint),
    },
    spec: {
      args,
      metrics: template.spec.metrics.map((metric, index) =>
        renderMetric(metric, address, `${where}, metrics[${index}] '${metric.name}'`),
      ),
      ...(dryRun.length === 0 ? {} : { dryRun }),
    },
  };
}
