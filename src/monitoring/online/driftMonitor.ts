/**
 * Online drift monitoring of every endpoint of the embedded data plane. An InputSampler fills one window per
 * endpoint with the stable model's sampled rows; a window closes every `windowSeconds`, or early once it
 * holds `closeAtRows` rows, and when it has at least `minRows` rows it is compared with the stable model's
 * reference profile (detectDrift over profileToTable) and the report is stored. A window with fewer rows stays
 * open and keeps filling, so quiet endpoints are judged on enough data rather than not at all.
 *
 * Per endpoint it keeps the number of consecutive windows with dataset drift, which the retraining loop's
 * drift trigger reads through `onReport`. It owns a timer and an observer: whoever creates it starts and
 * closes it. Drift computation is synchronous; at the default sizes (a few thousand rows against a profile
 * of at most 10,000 values per column) it takes milliseconds.
 */
import type { EndpointRegistry } from "../../delivery/routing/endpointRegistry.js";
import { detectDrift, type DriftReport, type DriftTable } from "../drift/datasetDrift.js";
import { profileToTable, type ReferenceProfile } from "../drift/referenceProfile.js";
import type { DriftReportStore, StoredDriftReport } from "./driftReportStore.js";
import { InputSampler } from "./inputSampler.js";
import { profileForModelKey } from "./modelKeyProfile.js";
import type { ProfileStore } from "./profileStore.js";
import type { ClosedWindow } from "./sampleWindow.js";

export interface DriftMonitorOptions {
  registry: Pick<EndpointRegistry, "addObserver">;
  profiles: Pick<ProfileStore, "get">;
  reports: Pick<DriftReportStore, "add">;
  /** The reference of a served model (default: the stored profile of `models:/<name>/<version>` keys). */
  resolveProfile?: (endpoint: string, modelKey: string) => Promise<ReferenceProfile | undefined>;
  now?: () => number;
  /** Length of a window (default 15 s). */
  windowSeconds?: number;
  /** Fewest rows a window needs to be compared (default 200). */
  minRows?: number;
  /** Rows at which a window closes before its time is up (default 5,000). */
  closeAtRows?: number;
  /** Share of answered requests sampled, 0..1 (default 1). */
  sampleRate?: number;
  /** Share of drifted columns at which a window counts as dataset drift (default 0.5). */
  driftShare?: number;
  /** How long a looked-up profile (or its absence) is reused before asking again (default 60 s). */
  profileCacheSeconds?: number;
  /** Told about every stored report (metrics, the retraining loop); more with addReportListener. */
  onReport?: DriftReportListener;
  log?: (message: string) => void;
}

export type DriftReportListener = (endpoint: string, report: DriftReport, row: StoredDriftReport) => void;

export interface EndpointDriftStatus {
  readonly endpoint: string;
  /** The open window: the stable model it samples, when it opened and its rows so far. */
  readonly window?: { modelKey: string; start: number; rows: number };
  readonly consecutiveDriftWindows: number;
  readonly windowsCompared: number;
  readonly latest?: {
    id: number;
    model: string;
    windowEnd: number;
    rows: number;
    share: number;
    datasetDrift: boolean;
    driftedColumns: string[];
  };
  /** Why the last window could not be compared (no profile, no shared columns, ...). */
  readonly problem?: string;
}

interface EndpointState {
  consecutiveDriftWindows: number;
  windowsCompared: number;
  latest?: StoredDriftReport;
  problem?: string;
}

interface CachedReference {
  readonly at: number;
  readonly table: Promise<DriftTable | undefined>;
}

export const DRIFT_MONITOR_DEFAULTS = {
  windowSeconds: 15,
  minRows: 200,
  closeAtRows: 5000,
  sampleRate: 1,
  profileCacheSeconds: 60,
} as const;

export class DriftMonitor {
  private readonly sampler: InputSampler;
  private readonly states = new Map<string, EndpointState>();
  private readonly references = new Map<string, CachedReference>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new Set<string>();
  private readonly listeners = new Set<DriftReportListener>();
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly resolveProfile: (
    endpoint: string,
    modelKey: string,
  ) => Promise<ReferenceProfile | undefined>;
  private readonly windowMs: number;
  private readonly minRows: number;
  private readonly closeAtRows: number;
  private timer: NodeJS.Timeout | undefined;
  private removeObserver: (() => void) | undefined;

  constructor(private readonly options: DriftMonitorOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.resolveProfile = options.resolveProfile ?? profileForModelKey(options.profiles);
    this.windowMs = (options.windowSeconds ?? DRIFT_MONITOR_DEFAULTS.windowSeconds) * 1000;
    this.minRows = options.minRows ?? DRIFT_MONITOR_DEFAULTS.minRows;
    this.closeAtRows = options.closeAtRows ?? DRIFT_MONITOR_DEFAULTS.closeAtRows;
    if (options.onReport !== undefined) this.listeners.add(options.onReport);
    this.sampler = new InputSampler({
      rate: options.sampleRate ?? DRIFT_MONITOR_DEFAULTS.sampleRate,
      // A full window keeps its rows until the next close: closeAtRows is where it closes early.
      maxRowsPerWindow: Math.max(this.closeAtRows, this.minRows),
      now: this.now,
      onRows: (endpoint, rows) => {
        if (rows >= this.closeAtRows) this.track(this.closeWindow(endpoint));
      },
      log: this.log,
    });
  }

  /** Starts sampling the registry's answers and closing windows on time. */
  start(): void {
    if (this.removeObserver !== undefined) return;
    this.removeObserver = this.options.registry.addObserver(this.sampler);
    // Checked every second (or per window when shorter), so a window closes within a second of its time.
    this.timer = setInterval(() => this.track(this.tickOnce()), Math.min(1000, this.windowMs));
    this.timer.unref();
  }

  /** Stops sampling and waits for windows being compared; the open windows are discarded. */
  async close(): Promise<void> {
    this.removeObserver?.();
    this.removeObserver = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inFlight]);
  }

  /** Adds a listener of stored reports (metrics, the retraining loop); returns the function that removes it. */
  addReportListener(listener: DriftReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes and compares every window whose time is up; resolves when their reports are stored. */
  async tickOnce(): Promise<void> {
    const now = this.now();
    const due = this.sampler.endpoints().filter((endpoint) => {
      const open = this.sampler.peek(endpoint);
      return open !== undefined && now - open.start >= this.windowMs && open.rows >= this.minRows;
    });
    await Promise.all(due.map((endpoint) => this.closeWindow(endpoint)));
  }

  status(endpoint: string): EndpointDriftStatus {
    const state = this.states.get(endpoint);
    const open = this.sampler.peek(endpoint);
    const latest = state?.latest;
    return {
      endpoint,
      ...(open === undefined ? {} : { window: open }),
      consecutiveDriftWindows: state?.consecutiveDriftWindows ?? 0,
      windowsCompared: state?.windowsCompared ?? 0,
      ...(latest === undefined
        ? {}
        : {
            latest: {
              id: latest.id,
              model: latest.model,
              windowEnd: latest.windowEnd,
              rows: latest.rows,
              share: latest.report.share,
              datasetDrift: latest.report.datasetDrift,
              driftedColumns: latest.report.columns.filter((c) => c.drifted).map((c) => c.column),
            },
          }),
      ...(state?.problem === undefined ? {} : { problem: state.problem }),
    };
  }

  /** Endpoints with an open window or a compared one. */
  endpoints(): string[] {
    return [...new Set([...this.states.keys(), ...this.sampler.endpoints()])].sort();
  }

  private async closeWindow(endpoint: string): Promise<void> {
    if (this.closing.has(endpoint)) return;
    const window = this.sampler.take(endpoint);
    if (window === undefined) return;
    this.closing.add(endpoint);
    try {
      await this.compare(window);
    } catch (error) {
      this.setProblem(endpoint, `comparing the window failed: ${String(error)}`);
    } finally {
      this.closing.delete(endpoint);
    }
  }

  private async compare(window: ClosedWindow): Promise<void> {
    const reference = await this.referenceTable(window.endpoint, window.modelKey);
    if (reference === undefined) {
      this.setProblem(window.endpoint, `model '${window.modelKey}' has no reference profile to compare with`);
      return;
    }
    const sampled = new Set(window.table.map((column) => column.name));
    const columns = reference.map((column) => column.name).filter((name) => sampled.has(name));
    if (columns.length === 0) {
      this.setProblem(
        window.endpoint,
        `the profile of '${window.modelKey}' has columns ${reference.map((c) => c.name).join(", ")}, ` +
          `but requests give ${[...sampled].join(", ")}: no column to compare`,
      );
      return;
    }
    const report = detectDrift(reference, window.table, {
      columns,
      ...(this.options.driftShare === undefined ? {} : { driftShare: this.options.driftShare }),
    });
    const row = await this.options.reports.add({
      endpoint: window.endpoint,
      model: window.modelKey,
      windowStart: window.start,
      windowEnd: window.end,
      rows: window.rows,
      report,
    });
    const state = this.stateOf(window.endpoint);
    state.consecutiveDriftWindows = report.datasetDrift ? state.consecutiveDriftWindows + 1 : 0;
    state.windowsCompared++;
    state.latest = row;
    delete state.problem;
    for (const listener of this.listeners) {
      try {
        listener(window.endpoint, report, row);
      } catch (error) {
        this.log(`a drift report listener failed for endpoint '${window.endpoint}': ${String(error)}`);
      }
    }
  }

  private referenceTable(endpoint: string, modelKey: string): Promise<DriftTable | undefined> {
    const cacheMs = (this.options.profileCacheSeconds ?? DRIFT_MONITOR_DEFAULTS.profileCacheSeconds) * 1000;
    const cached = this.references.get(modelKey);
    if (cached !== undefined && this.now() - cached.at < cacheMs) return cached.table;
    const table = this.resolveProfile(endpoint, modelKey).then((profile) =>
      profile === undefined ? undefined : profileToTable(profile),
    );
    // A failed lookup is not cached: the next window asks again.
    table.catch(() => this.references.delete(modelKey));
    this.references.set(modelKey, { at: this.now(), table });
    return table;
  }

  private setProblem(endpoint: string, problem: string): void {
    const state = this.stateOf(endpoint);
    if (state.problem !== problem) this.log(`drift monitoring of endpoint '${endpoint}': ${problem}`);
    state.problem = problem;
  }

  private stateOf(endpoint: string): EndpointState {
    let state = this.states.get(endpoint);
    if (state === undefined) {
      state = { consecutiveDriftWindows: 0, windowsCompared: 0 };
      this.states.set(endpoint, state);
    }
    return state;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
