/**
 * Entry point of the Kubernetes render: a deployment description becomes Kubernetes objects (Argo Rollouts or
 * KServe) and YAML files. Rendering is pure and deterministic; only `renderDeployment` touches the disk, and
 * it replaces each file atomically so a watcher (Argo CD, kubectl apply -f dir) never reads half a manifest.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";

import { writeFileAtomic } from "../../writeFileAtomic.js";
import { renderAnalysisTemplate } from "./analysisTemplates.js";
import { renderRollout, renderRolloutServices } from "./argoRollout.js";
import type { DeploymentDescription } from "./deploymentDescription.js";
import { renderInferenceService } from "./kserveInferenceService.js";
import type { KubernetesObject } from "./kubernetesObject.js";
import { yamlLibrary } from "../../yamlLibrary.js";

export function renderManifests(description: DeploymentDescription): KubernetesObject[] {
  switch (description.target) {
    case "argo-rollouts":
      return [
        renderRollout(description),
        ...renderRolloutServices(description),
        ...description.analysisTemplates.map((template) => renderAnalysisTemplate(description, template)),
      ];
    case "kserve":
      return [renderInferenceService(description)];
  }
}

/** One YAML stream of the given objects, `---`-separated, keys in render order. */
export function manifestsToYaml(objects: KubernetesObject[]): string {
  return objects.map((object) => `---\n${yamlLibrary().stringify(object, { lineWidth: 0 })}`).join("");
}

export function manifestFileName(object: KubernetesObject): string {
  return `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}

/** Writes one file per object into `dir` (created if missing) and returns the paths written. */
export async function renderDeployment(description: DeploymentDescription, dir: string): Promise<string[]> {
  const objects = renderManifests(description);
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const object of objects) {
    const path = join(dir, manifestFileName(object));
    await writeFileAtomic(path, manifestsToYaml([object]));
    paths.push(path);
  }
  return paths;
}
