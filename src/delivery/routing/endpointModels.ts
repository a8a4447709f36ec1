/**
 * The models one endpoint has loaded, each behind its own DynamicBatcher, keyed by model key. It owns their
 * lifetime: concurrent loads of a key share one promise, an unload waits its delay and then for calls in flight
 * before closing, and a later load of the key cancels an unload still waiting. It routes nothing.
 */
import { FlowOpsError } from "../../errors.js";
import { DynamicBatcher, type BatchingOptions } from "../../serving/dynamicBatcher.js";
import type { ServedModel } from "../../serving/modelSet.js";
import type { LoadedModel } from "../../serving/runtime.js";
import type { ServingMetrics } from "../../serving/servingMetrics.js";

/** Loads the model a key names (models:/name/3, runs:/id/model, a local path) for an endpoint. */
export type ModelLoader = (modelKey: string, endpoint: string) => Promise<LoadedModel>;

export interface EndpointModel extends ServedModel {
  readonly key: string;
}

export interface EndpointModelsOptions {
  endpoint: string;
  loader: ModelLoader;
  batching?: BatchingOptions | undefined;
  metrics?: ServingMetrics | undefined;
  /** Asked when an unload's delay ends: a model the current plan still routes to stays loaded. */
  isRouted: (modelKey: string) => boolean;
  log: (message: string) => void;
}

export class EndpointModels {
  private readonly loaded = new Map<string, EndpointModel>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  private readonly closing = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: EndpointModelsOptions) {}

  get(modelKey: string): EndpointModel | undefined {
    return this.loaded.get(modelKey);
  }

  isLoaded(modelKey: string): boolean {
    return this.loaded.has(modelKey);
  }

  keys(): string[] {
    return [...this.loaded.keys()];
  }

  /** Resolves once the model is loaded; idempotent, and a waiting unload of the key is cancelled. */
  load(modelKey: string): Promise<void> {
    if (this.closed) return Promise.reject(this.removedError(modelKey));
    this.cancelUnload(modelKey);
    if (this.loaded.has(modelKey)) return Promise.resolve();
    let pending = this.loading.get(modelKey);
    if (pending === undefined) {
      pending = this.loadOnce(modelKey);
      this.loading.set(modelKey, pending);
    }
    return pending;
  }

  /** Closes the model after `afterSeconds` and after its calls in flight; replaces an earlier waiting unload. */
  unload(modelKey: string, afterSeconds: number): void {
    if (this.closed) return;
    this.cancelUnload(modelKey);
    const delayMs = Number.isFinite(afterSeconds) && afterSeconds > 0 ? afterSeconds * 1000 : 0;
    const timer = setTimeout(() => {
      this.unloadTimers.delete(modelKey);
      if (this.options.isRouted(modelKey)) {
        this.options.log(
          `endpoint '${this.options.endpoint}': model '${modelKey}' stays loaded; the current traffic plan routes to it`,
        );
        return;
      }
      this.track(this.closeModel(modelKey));
    }, delayMs);
    timer.unref();
    this.unloadTimers.set(modelKey, timer);
  }

  /** Cancels waiting unloads, waits for loads under way, then drains and closes every model. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.unloadTimers.values()) clearTimeout(timer);
    this.unloadTimers.clear();
    await Promise.allSettled([...this.loading.values()]);
    for (const key of [...this.loaded.keys()]) this.track(this.closeModel(key));
    while (this.closing.size > 0) await Promise.all([...this.closing]);
  }

  private async loadOnce(modelKey: string): Promise<void> {
    const { endpoint, loader, batching, metrics } = this.options;
    let model: LoadedModel;
    try {
      model = await loader(modelKey, endpoint);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const code = error instanceof FlowOpsError ? error.code : "INTERNAL_ERROR";
      throw new FlowOpsError(code, `endpoint '${endpoint}': cannot load model '${modelKey}': ${reason}`, {
        cause: error,
      });
    } finally {
      this.loading.delete(modelKey);
    }
    if (this.closed) {
      await this.closeQuietly(modelKey, model);
      throw this.removedError(modelKey);
    }
    const labels = { model: endpoint, version: model.version };
    let runner: DynamicBatcher;
    try {
      runner = new DynamicBatcher(model, batching, metrics?.batchObserver(labels));
    } catch (error) {
      await this.closeQuietly(modelKey, model);
      throw error;
    }
    this.loaded.set(modelKey, { key: modelKey, model, runner, labels });
  }

  private async closeModel(modelKey: string): Promise<void> {
    const served = this.loaded.get(modelKey);
    if (served === undefined) return;
    // Out of the map first, so no new request picks it while it drains.
    this.loaded.delete(modelKey);
    await served.runner.drain();
    await this.closeQuietly(modelKey, served.model);
  }

  private async closeQuietly(modelKey: string, model: LoadedModel): Promise<void> {
    try {
      await model.close();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.log(`endpoint '${this.options.endpoint}': closing model '${modelKey}' failed: ${reason}`);
    }
  }

  private track(work: Promise<void>): void {
    this.closing.add(work);
    const settle = (): void => {
      this.closing.delete(work);
    };
    work.then(settle, settle);
  }

  private cancelUnload(modelKey: string): void {
    const timer = this.unloadTimers.get(modelKey);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.unloadTimers.delete(modelKey);
  }

  private removedError(modelKey: string): FlowOpsError {
    return new FlowOpsError(
      "INVALID_STATE",
      `endpoint '${this.options.endpoint}' was removed, so model '${modelKey}' is not kept loaded`,
    );
  }
}
