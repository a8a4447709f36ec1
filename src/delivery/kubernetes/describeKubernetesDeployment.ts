/**
 * A Kubernetes deploy's parsed inputs as the DeploymentDescription the renderers read. Reads no files and
 * asks no server: the caller parses the rollout spec and templates and pins the model first.
 */
import type { AnalysisTemplate } from "../analysis/analysisTemplate.js";
import type { RolloutSpec } from "../rollout/rolloutSpec.js";
import type { AnalysisTemplateDefinition, DeploymentDescription } from "./deploymentDescription.js";
import { describeRolloutStrategy } from "./describeRolloutStrategy.js";
import type { PinnedModel } from "./pinnedModel.js";
import { withoutUndefinedKeys } from "./withoutUndefinedKeys.js";

export interface KubernetesDeploymentInput {
  endpoint: string;
  spec: RolloutSpec;
  /** Every template the render carries, built-in ones already joined (clusterAnalysisTemplates.ts). */
  analysisTemplates: readonly AnalysisTemplate[];
  model: PinnedModel;
  replicas: number;
  /** A KServe InferenceService instead of an Argo Rollout. */
  kserve: boolean;
  image?: string | undefined;
  namespace?: string | undefined;
  /** The version serving now, which analyses with `compare: stable` measure against. */
  stableVersion?: string | undefined;
}

export function describeKubernetesDeployment(input: KubernetesDeploymentInput): DeploymentDescription {
  return {
    endpoint: input.endpoint,
    modelUri: input.model.uri,
    modelVersion: input.model.version,
    replicas: input.replicas,
    rollout: { strategy: describeRolloutStrategy(input.spec) },
    analysisTemplates: withoutUndefinedKeys<AnalysisTemplateDefinition[]>(input.analysisTemplates),
    target: input.kserve ? "kserve" : "argo-rollouts",
    ...(input.image !== undefined ? { image: input.image } : {}),
    ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
    ...(input.stableVersion !== undefined ? { stableModelVersion: input.stableVersion } : {}),
  };
}
