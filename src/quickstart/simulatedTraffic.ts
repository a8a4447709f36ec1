/**
 * Simulated customers calling a deployed endpoint over loopback HTTP at a steady rate, one row per request
 * (MLflow's dataframe_split), so the server sees what it would see in production: the router splits them
 * between stable and candidate, telemetry judges the canary, the drift monitor samples them. The market can
 * shift mid-run. It only sends and counts; it judges nothing.
 */
import { FEATURE_COLUMNS, NO_SHIFT, type CustomerGenerator, type CustomerShift } from "./customerData.js";

export interface TrafficOptions {
  /** The endpoint's invocations URL. */
  url: string;
  generator: CustomerGenerator;
  requestsPerSecond: number;
  /** Requests in flight at most; ticks are skipped beyond it rather than piling up. */
  maxInFlight?: number;
}

export interface TrafficCounts {
  sent: number;
  answered: number;
  failed: number;
}

const TICK_MS = 50;

export class SimulatedTraffic {
  private shift: CustomerShift = NO_SHIFT;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly counts: TrafficCounts = { sent: 0, answered: 0, failed: 0 };
  private owed = 0;
  private lastTick = 0;
  private lastError: string | undefined;

  constructor(private readonly options: TrafficOptions) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.lastTick = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** From now on customers are drawn from the shifted market. */
  setShift(shift: CustomerShift): void {
    this.shift = shift;
  }

  snapshot(): TrafficCounts & { lastError?: string } {
    return { ...this.counts, ...(this.lastError === undefined ? {} : { lastError: this.lastError }) };
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  private tick(): void {
    // Timers run late under load: owe requests for the time that actually passed.
    const now = performance.now();
    this.owed += (this.options.requestsPerSecond * (now - this.lastTick)) / 1000;
    this.lastTick = now;
    const limit = this.options.maxInFlight ?? 64;
    while (this.owed >= 1) {
      this.owed -= 1;
      if (this.inFlight.size >= limit) continue;
      const request = this.send().finally(() => this.inFlight.delete(request));
      this.inFlight.add(request);
    }
  }

  private async send(): Promise<void> {
    const customer = this.options.generator.next(this.shift);
    const row = FEATURE_COLUMNS.map((name) => customer[name]);
    this.counts.sent++;
    try {
      const response = await fetch(this.options.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ dataframe_split: { columns: FEATURE_COLUMNS, data: [row] } }),
      });
      await response.arrayBuffer();
      if (response.ok) this.counts.answered++;
      else {
        this.counts.failed++;
        this.lastError = `HTTP ${response.status}`;
      }
    } catch (error) {
      this.counts.failed++;
      this.lastError = error instanceof Error ? error.message : String(error);
    }
  }
}
