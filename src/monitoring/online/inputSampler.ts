/**
 * The drift monitor's eyes on live traffic: an observer of the endpoint registry that keeps a `rate` share of
 * the requests the stable model answered successfully, as feature rows (requestFeatures.ts) in one open
 * window per endpoint (sampleWindow.ts), bounded at `maxRowsPerWindow`. Candidate and mirrored answers are
 * not sampled: drift is judged against the profile of the model that serves most traffic. It must stay cheap
 * and must not throw: it runs on the request path after the answer is sent.
 */
import { FlowOpsError } from "../../errors.js";
import type { AnswerEvent, AnswerObserver } from "../../delivery/routing/endpointRegistry.js";
import { requestFeatures } from "./requestFeatures.js";
import { SampleWindow, type ClosedWindow } from "./sampleWindow.js";

export interface InputSamplerOptions {
  /** Share of answered requests sampled, 0..1 (default 1). */
  rate?: number | undefined;
  /** Rows kept per window; later rows of a full window are counted as dropped (default 20,000). */
  maxRowsPerWindow?: number | undefined;
  now?: (() => number) | undefined;
  /** Uniform 0..1 draws for the sampling coin (default Math.random). */
  random?: (() => number) | undefined;
  /** Called after rows are added to an endpoint's window, with its size; the monitor closes full windows. */
  onRows?: ((endpoint: string, rows: number) => void) | undefined;
  log?: ((message: string) => void) | undefined;
}

export const DEFAULT_MAX_ROWS_PER_WINDOW = 20_000;

export class InputSampler implements AnswerObserver {
  private readonly windows = new Map<string, SampleWindow>();
  private readonly rate: number;
  private readonly maxRows: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly failures = new Set<string>();

  constructor(private readonly options: InputSamplerOptions = {}) {
    this.rate = options.rate ?? 1;
    if (!(this.rate >= 0 && this.rate <= 1)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `the drift sample rate must be between 0 and 1, got ${this.rate}`,
      );
    }
    this.maxRows = options.maxRowsPerWindow ?? DEFAULT_MAX_ROWS_PER_WINDOW;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  wantsRequest(): boolean {
    return this.rate >= 1 || (this.rate > 0 && this.random() < this.rate);
  }

  answered(event: AnswerEvent): void {
    if (event.request === undefined || event.variant !== "stable" || event.status >= 400) return;
    let features;
    try {
      features = requestFeatures(event.model, event.request, event.outputs);
    } catch (error) {
      this.logOnce(event.endpoint, `cannot sample the inputs of '${event.modelKey}': ${String(error)}`);
      return;
    }
    if (features === undefined) return;
    const window = this.windowFor(event.endpoint, event.modelKey);
    window.append(features.rows, features.columns);
    this.options.onRows?.(event.endpoint, window.rows);
  }

  /** Rows in the endpoint's open window, and when it opened. */
  peek(endpoint: string): { modelKey: string; start: number; rows: number } | undefined {
    const window = this.windows.get(endpoint);
    return window === undefined
      ? undefined
      : { modelKey: window.modelKey, start: window.start, rows: window.rows };
  }

  endpoints(): string[] {
    return [...this.windows.keys()];
  }

  /** Closes the endpoint's window and hands it over; the next sampled row opens a new one. */
  take(endpoint: string): ClosedWindow | undefined {
    const window = this.windows.get(endpoint);
    if (window === undefined) return undefined;
    this.windows.delete(endpoint);
    return window.close(this.now());
  }

  private windowFor(endpoint: string, modelKey: string): SampleWindow {
    const open = this.windows.get(endpoint);
    // A promotion changes the stable model: its rows say nothing about the new one's reference, so start over.
    if (open !== undefined && open.modelKey === modelKey) return open;
    const window = new SampleWindow(endpoint, modelKey, this.now(), this.maxRows);
    this.windows.set(endpoint, window);
    return window;
  }

  private logOnce(endpoint: string, message: string): void {
    if (this.failures.has(endpoint)) return;
    this.failures.add(endpoint);
    this.options.log?.(`drift sampling of endpoint '${endpoint}': ${message}`);
  }
}
