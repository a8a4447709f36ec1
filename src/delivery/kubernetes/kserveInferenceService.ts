/**
 * Renders a KServe `InferenceService` with a custom predictor running `flowops serve`. KServe moves traffic
 * by `canaryTrafficPercent` on the predictor: the render carries the first canary weight, and each later step
 * is a re-render with the next weight. Blue-green maps to 0 % with tag routing, so the new revision is
 * reachable on its own URL before promotion.
 */
import { invalidParameter } from "../../errors.js";
import type { DeploymentDescription } from "./deploymentDescription.js";
import type { KubernetesObject } from "./kubernetesObject.js";
import { ownershipLabels } from "./ownershipLabels.js";
import { resourceNames } from "./resourceNames.js";
import { scrapeAnnotations, servingContainer } from "./servingContainer.js";

export const TAG_ROUTING_ANNOTATION = "serving.kserve.io/enable-tag-routing";

function initialCanaryPercent(description: DeploymentDescription, canaryWeight: number | undefined): number {
  if (canaryWeight !== undefined) return canaryWeight;
  const strategy = description.rollout.strategy;
  if ("canary" in strategy) {
    for (const step of strategy.canary.steps) if ("setWeight" in step) return step.setWeight;
    return 100;
  }
  if ("blueGreen" in strategy) return 0;
  const kind = Object.keys(strategy)[0] ?? "unknown";
  throw invalidParameter(`strategy: '${kind}' has no KServe equivalent; expected canary or blueGreen`);
}

export function renderInferenceService(
  description: DeploymentDescription,
  canaryWeight?: number,
): KubernetesObject {
  const percent = initialCanaryPercent(description, canaryWeight);
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw invalidParameter(`canaryTrafficPercent: expected an integer from 0 to 100, got ${percent}`);
  }
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: {
      name: resourceNames(description.endpoint).inferenceService,
      ...(description.namespace === undefined ? {} : { namespace: description.namespace }),
      labels: ownershipLabels(description.endpoint),
      annotations: { ...scrapeAnnotations(), [TAG_ROUTING_ANNOTATION]: "true" },
    },
    spec: {
      predictor: {
        minReplicas: description.replicas,
        canaryTrafficPercent: percent,
        containers: [servingContainer(description)],
      },
    },
  };
}
