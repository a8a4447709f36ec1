/** What every serving route plugin is given: the models, the metrics, and the body limit (for its 413 message). */
import type { ModelSet } from "../../serving/modelSet.js";
import type { ModelLabels, ServingMetrics } from "../../serving/servingMetrics.js";

export interface ServingContext {
  models: ModelSet;
  metrics: ServingMetrics;
  bodyLimit: number;
}

/** Metric labels of a request that never reached a served model (unknown name, unreadable body). */
export const NO_MODEL: ModelLabels = { model: "", version: "" };

/** Labels of the model a request names, or NO_MODEL when nothing served matches. */
export function labelsFor(ctx: ServingContext, name: string | undefined, version?: string): ModelLabels {
  if (name === undefined) return NO_MODEL;
  try {
    return ctx.models.find(name, version).labels;
  } catch {
    return NO_MODEL;
  }
}
