/** What every serving route plugin is given: the models, the metrics, and the body limit (for its 413 message). */
import type { ModelSet } from "../../serving/modelSet.js";
import { requestedModelLabels, type ModelLabels, type ServingMetrics } from "../../serving/servingMetrics.js";

export interface ServingContext {
  models: ModelSet;
  metrics: ServingMetrics;
  bodyLimit: number;
}

/** Metric labels of a request whose path names no model at all. */
export const NO_MODEL: ModelLabels = { model: "", version: "" };

/** Labels of the model a request's path names; see requestedModelLabels for names and versions not served. */
export function labelsFor(ctx: ServingContext, name: string | undefined, version?: string): ModelLabels {
  if (name === undefined) return NO_MODEL;
  return requestedModelLabels(ctx.models.versionsOf(name), name, version);
}
