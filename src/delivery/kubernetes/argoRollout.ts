/**
 * Renders an Argo Rollouts `Rollout` with its Services: stable and canary for a canary strategy, active and
 * preview for blue-green. Analysis steps reference the AnalysisTemplates rendered beside it, by their
 * Kubernetes names, and pass the model and version arguments the queries need.
 */
import { invalidParameter } from "../../errors.js";
import type {
  AnalysisArg,
  AnalysisReference,
  CanaryStep,
  DeploymentDescription,
} from "./deploymentDescription.js";
import { SERVING_PORT } from "./deploymentDescription.js";
import type { KubernetesObject } from "./kubernetesObject.js";
import { ownershipLabels, podSelector } from "./ownershipLabels.js";
import { MODEL_ARG, STABLE_VERSION_ARG, VERSION_ARG } from "./prometheusQueries.js";
import { resourceNames } from "./resourceNames.js";
import { scrapeAnnotations, servingContainer } from "./servingContainer.js";

function metadata(description: DeploymentDescription, name: string): KubernetesObject["metadata"] {
  return {
    name,
    ...(description.namespace === undefined ? {} : { namespace: description.namespace }),
    labels: ownershipLabels(description.endpoint),
  };
}

export function renderService(description: DeploymentDescription, name: string): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(description, name),
    spec: {
      type: "ClusterIP",
      selector: podSelector(description.endpoint),
      ports: [{ name: "http", port: 80, targetPort: SERVING_PORT, protocol: "TCP" }],
    },
  };
}

function analysisArgs(description: DeploymentDescription, extra: AnalysisArg[] | undefined): AnalysisArg[] {
  const given = new Map((extra ?? []).map((arg) => [arg.name, arg]));
  const defaults: AnalysisArg[] = [
    { name: MODEL_ARG, value: description.endpoint },
    { name: VERSION_ARG, value: description.modelVersion },
    { name: STABLE_VERSION_ARG, value: description.stableModelVersion ?? description.modelVersion },
  ];
  for (const arg of defaults) if (!given.has(arg.name)) given.set(arg.name, arg);
  return [...given.values()];
}

function analysisReference(
  description: DeploymentDescription,
  reference: AnalysisReference,
  where: string,
): Record<string, unknown> {
  const known = new Set(description.analysisTemplates.map((template) => template.metadata.name));
  const names = resourceNames(description.endpoint);
  return {
    templates: reference.templates.map(({ templateName }) => {
      if (!known.has(templateName)) {
        throw invalidParameter(
          `${where}: analysis template '${templateName}' is not among the deployment's templates (${[...known].join(", ") || "none"})`,
        );
      }
      return { templateName: names.analysisTemplate(templateName) };
    }),
    args: analysisArgs(description, reference.args),
  };
}

function renderStep(
  description: DeploymentDescription,
  step: CanaryStep,
  index: number,
): Record<string, unknown> {
  if ("setWeight" in step) return { setWeight: step.setWeight };
  if ("pause" in step)
    return { pause: step.pause.duration === undefined ? {} : { duration: step.pause.duration } };
  return { analysis: analysisReference(description, step.analysis, `strategy.canary.steps[${index}]`) };
}

function renderStrategy(description: DeploymentDescription): Record<string, unknown> {
  const names = resourceNames(description.endpoint);
  const strategy = description.rollout.strategy;
  if ("canary" in strategy) {
    const { steps, analysis } = strategy.canary;
    return {
      canary: {
        stableService: names.stableService,
        canaryService: names.canaryService,
        steps: steps.map((step, index) => renderStep(description, step, index)),
        ...(analysis === undefined
          ? {}
          : {
              analysis: {
                ...analysisReference(description, analysis, "strategy.canary.analysis"),
                ...(analysis.startingStep === undefined ? {} : { startingStep: analysis.startingStep }),
              },
            }),
      },
    };
  }
  if ("blueGreen" in strategy) {
    const blueGreen = strategy.blueGreen;
    return {
      blueGreen: {
        activeService: names.activeService,
        previewService: names.previewService,
        autoPromotionEnabled: blueGreen.autoPromotionEnabled ?? true,
        ...(blueGreen.autoPromotionSeconds === undefined
          ? {}
          : { autoPromotionSeconds: blueGreen.autoPromotionSeconds }),
        scaleDownDelaySeconds: blueGreen.scaleDownDelaySeconds ?? 30,
        ...(blueGreen.prePromotionAnalysis === undefined
          ? {}
          : {
              prePromotionAnalysis: analysisReference(
                description,
                blueGreen.prePromotionAnalysis,
                "strategy.blueGreen.prePromotionAnalysis",
              ),
            }),
        ...(blueGreen.postPromotionAnalysis === undefined
          ? {}
          : {
              postPromotionAnalysis: analysisReference(
                description,
                blueGreen.postPromotionAnalysis,
                "strategy.blueGreen.postPromotionAnalysis",
              ),
            }),
      },
    };
  }
  const kind = Object.keys(strategy)[0] ?? "unknown";
  throw invalidParameter(
    `strategy: '${kind}' has no Argo Rollouts equivalent; expected canary or blueGreen for a Kubernetes render`,
  );
}

export function renderRollout(description: DeploymentDescription): KubernetesObject {
  const names = resourceNames(description.endpoint);
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: metadata(description, names.rollout),
    spec: {
      replicas: description.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: podSelector(description.endpoint) },
      template: {
        metadata: { labels: ownershipLabels(description.endpoint), annotations: scrapeAnnotations() },
        spec: { containers: [servingContainer(description)] },
      },
      strategy: renderStrategy(description),
    },
  };
}

/** The Services a strategy routes through: stable/canary for canary, active/preview for blue-green. */
export function renderRolloutServices(description: DeploymentDescription): KubernetesObject[] {
  const names = resourceNames(description.endpoint);
  const pair =
    "blueGreen" in description.rollout.strategy
      ? [names.activeService, names.previewService]
      : [names.stableService, names.canaryService];
  return pair.map((name) => renderService(description, name));
}
