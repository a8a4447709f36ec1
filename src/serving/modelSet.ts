/**
 * The models one server answers for, by name and version, each behind its DynamicBatcher. The first model
 * given is the default (MLflow's `/invocations` has no model in its path). Without a version in the request,
 * a name resolves to its highest version (numeric order when versions are numbers), the "server's own
 * policy" the V2 protocol allows. It owns the models' lifetime: `close` waits for calls in flight first.
 */
import { FlowOpsError } from "../errors.js";
import { DynamicBatcher, type BatchingOptions } from "./dynamicBatcher.js";
import type { LoadedModel } from "./runtime.js";
import type { BatchObserver, ModelLabels } from "./servingMetrics.js";

export interface ServedModel {
  readonly model: LoadedModel;
  readonly runner: DynamicBatcher;
  readonly labels: ModelLabels;
}

export interface ModelSetOptions {
  batching?: BatchingOptions | undefined;
  /** The metrics sink of each model's calls (rows per call, queue time). */
  observerFor?: (labels: ModelLabels) => BatchObserver;
}

export class ModelSet {
  private readonly byName = new Map<string, ServedModel[]>();
  readonly defaultModel: ServedModel;

  constructor(models: readonly LoadedModel[], options: ModelSetOptions = {}) {
    const first = models[0];
    if (first === undefined) {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", "a model server needs at least one model to serve");
    }
    for (const model of models) {
      const versions = this.byName.get(model.name) ?? [];
      if (versions.some((served) => served.model.version === model.version)) {
        throw new FlowOpsError(
          "INVALID_PARAMETER_VALUE",
          `model '${model.name}' version '${model.version}' is given twice; serve each name and version once (name each model with its own --name)`,
        );
      }
      const labels = { model: model.name, version: model.version };
      const observer = options.observerFor?.(labels);
      const served = { model, labels, runner: new DynamicBatcher(model, options.batching, observer) };
      versions.push(served);
      versions.sort((a, b) => compareVersions(b.model.version, a.model.version));
      this.byName.set(model.name, versions);
    }
    this.defaultModel = this.find(first.name, first.version);
  }

  /** Model names in the order they were given. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Versions of one name, highest first. */
  versionsOf(name: string): string[] {
    return (this.byName.get(name) ?? []).map((served) => served.model.version);
  }

  all(): ServedModel[] {
    return [...this.byName.values()].flat();
  }

  /** The served model; RESOURCE_DOES_NOT_EXIST naming what is served when there is no such name or version. */
  find(name: string, version?: string): ServedModel {
    const versions = this.byName.get(name);
    if (versions === undefined) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `model '${name}' is not served here; served models: ${this.names().join(", ")}`,
      );
    }
    if (version === undefined) return versions[0] as ServedModel;
    const served = versions.find((candidate) => candidate.model.version === version);
    if (served === undefined) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `model '${name}' has no version '${version}' here; served versions: ${this.versionsOf(name).join(", ")}`,
      );
    }
    return served;
  }

  /** Every model ready: the server-level readiness probe. */
  ready(): boolean {
    return this.all().every((served) => served.model.ready());
  }

  /** Waits for queued and running calls, then closes every model (one failing close does not skip the rest). */
  async close(): Promise<void> {
    const all = this.all();
    await Promise.all(all.map((served) => served.runner.drain()));
    const results = await Promise.allSettled(all.map((served) => served.model.close()));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }
}

/** Numeric versions compare as numbers; anything else falls back to string order. */
function compareVersions(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== "" && b !== "" && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
