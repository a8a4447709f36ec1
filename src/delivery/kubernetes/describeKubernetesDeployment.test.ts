import { describe, expect, it } from "vitest";
import { defaultRolloutSpec } from "../deployments/defaultRollout.js";
import { clusterAnalysisTemplates } from "./clusterAnalysisTemplates.js";
import {
  describeKubernetesDeployment,
  type KubernetesDeploymentInput,
} from "./describeKubernetesDeployment.js";
import { renderManifests } from "./renderDeployment.js";

function input(overrides: Partial<KubernetesDeploymentInput> = {}): KubernetesDeploymentInput {
  const spec = defaultRolloutSpec("canary", "churn");
  return {
    endpoint: "churn",
    spec,
    analysisTemplates: clusterAnalysisTemplates(spec, []).templates,
    model: { uri: "models:/churn/4", version: "4" },
    replicas: 2,
    kserve: false,
    ...overrides,
  };
}

describe("describeKubernetesDeployment", () => {
  it("describes an Argo Rollout of the pinned model, leaving out the options not given", () => {
    const description = describeKubernetesDeployment(input());
    expect(description).toMatchObject({
      endpoint: "churn",
      modelUri: "models:/churn/4",
      modelVersion: "4",
      replicas: 2,
      target: "argo-rollouts",
      rollout: { strategy: { canary: { analysis: { templates: [{ templateName: "flowops-default" }] } } } },
    });
    expect(description.analysisTemplates.map((template) => template.metadata.name)).toEqual([
      "flowops-default",
    ]);
    for (const key of ["image", "namespace", "stableModelVersion"])
      expect(description).not.toHaveProperty(key);
  });

  it("carries the image, namespace, stable version and the KServe target when given", () => {
    const description = describeKubernetesDeployment(
      input({ kserve: true, image: "registry.example/flowops:1", namespace: "models", stableVersion: "3" }),
    );
    expect(description).toMatchObject({
      target: "kserve",
      image: "registry.example/flowops:1",
      namespace: "models",
      stableModelVersion: "3",
    });
  });

  it("leaves out the template keys a parsed template holds as undefined, as the render's shapes expect", () => {
    const [builtIn] = input().analysisTemplates;
    if (builtIn === undefined) throw new Error("the default canary names a built-in template");
    const metrics = builtIn.spec.metrics.map((metric) => ({ ...metric, successCondition: undefined }));
    const description = describeKubernetesDeployment(
      input({ analysisTemplates: [{ ...builtIn, spec: { ...builtIn.spec, metrics } }] }),
    );
    for (const metric of description.analysisTemplates[0]?.spec.metrics ?? []) {
      expect(metric).not.toHaveProperty("successCondition");
    }
  });

  it("is a description the renderers accept as is", () => {
    const kinds = renderManifests(describeKubernetesDeployment(input({ stableVersion: "3" }))).map(
      (object) => object.kind,
    );
    expect(kinds.sort()).toEqual(["AnalysisTemplate", "Rollout", "Service", "Service"]);
  });
});
