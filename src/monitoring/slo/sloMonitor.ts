/**
 * The embedded SLO evaluator: counts every answered inference request per endpoint in minute buckets
 * (good and total for availability, status < 500, and for each latency threshold), keeps them for the SLO
 * period, and every 30 s evaluates each objective with burnRate.ts / thresholdChecks.ts. An alert whose
 * condition has held for its `for` duration fires once; when the condition clears it resolves once. Each
 * transition is written to the monitoring event log, POSTed to the alert webhooks, and the burn rates
 * and budgets go to the server's metrics. It observes; it never blocks or fails a request.
 */
import { readFile } from "node:fs/promises";
import type { DeploymentStatus } from "../../delivery/deployments/deploymentStatus.js";
import type { WebhookEvent } from "../../delivery/deployments/webhookNotifier.js";
import type { AnswerEvent, AnswerObserver } from "../../delivery/routing/endpointRegistry.js";
import { malformedFile, parseYamlText } from "../../data/yamlFile.js";
import { FlowOpsError } from "../../errors.js";
import type { MonitoringEventSink, MonitoringSeverity } from "../events/monitoringEventStore.js";
import {
  burnRateWindows,
  evaluateSlo,
  type GoodTotal,
  type SloEvaluation,
  type WindowCounts,
} from "./burnRate.js";
import { driftSettingsFromYaml, type DriftSettings } from "../online/driftSettings.js";
import { DEFAULT_SLO_CONFIG } from "./defaultSlos.js";
import {
  sloConfigFromYaml,
  slosForEndpoint,
  type SloConfig,
  type SloObjective,
  type SloSet,
} from "./sloSpec.js";
import { checkDriftShare, checkThroughput } from "./thresholdChecks.js";

const MINUTE = 60_000;
export const DEFAULT_EVALUATE_EVERY_MS = 30_000;

export interface MonitoringConfig {
  slos: SloConfig;
  /** URLs every alert transition is POSTed to. */
  webhooks: string[];
  /** How the drift monitor samples and windows live traffic (`drift:`). */
  drift: DriftSettings;
}

/**
 * Reads a monitoring config: its `slos` section (sloSpec.ts), `alerts: {webhooks: [url, ...]}` and `drift:`
 * (online/driftSettings.ts). A file
 * without SLOs gets the defaults; other sections belong to other readers.
 */
export function parseMonitoringConfig(text: string, file: string): MonitoringConfig {
  const yaml = parseYamlText(file, text);
  const slos = sloConfigFromYaml(yaml);
  const alerts = (yaml.value as { alerts?: unknown } | undefined)?.alerts;
  const webhooks: string[] = [];
  if (alerts !== undefined && alerts !== null) {
    const list = (alerts as { webhooks?: unknown }).webhooks;
    if (typeof alerts !== "object" || Array.isArray(alerts) || (list !== undefined && !Array.isArray(list))) {
      throw malformedFile(file, yaml.lineOf(["alerts"]), "alerts: expected {webhooks: [url, ...]}");
    }
    (list ?? []).forEach((url: unknown, index: number) => {
      if (typeof url !== "string" || !URL.canParse(url)) {
        throw malformedFile(file, yaml.lineOf(["alerts", "webhooks", index]), "expected a webhook URL");
      }
      webhooks.push(url);
    });
  }
  const empty = slos.defaults === undefined && slos.endpoints.length === 0;
  return { slos: empty ? DEFAULT_SLO_CONFIG : slos, webhooks, drift: driftSettingsFromYaml(yaml) };
}

/** The config at `file` ($FLOWOPS_MONITORING_CONFIG or --monitoring-config), or the defaults without one. */
export async function readMonitoringConfig(file: string | undefined): Promise<MonitoringConfig> {
  if (file === undefined || file === "") return { slos: DEFAULT_SLO_CONFIG, webhooks: [], drift: {} };
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `monitoring config ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      { cause: error },
    );
  }
  return parseMonitoringConfig(text, file);
}

/** Requests of one endpoint per minute, in rings as long as its longest window. */
class MinuteCounts {
  private readonly minutes: Float64Array;
  private readonly total: Uint32Array;
  private readonly available: Uint32Array;
  private readonly fast: Uint32Array[];

  constructor(
    private readonly slots: number,
    private readonly latencyThresholdsMs: readonly number[],
  ) {
    this.minutes = new Float64Array(slots).fill(-1);
    this.total = new Uint32Array(slots);
    this.available = new Uint32Array(slots);
    this.fast = latencyThresholdsMs.map(() => new Uint32Array(slots));
  }

  add(at: number, status: number, seconds: number): void {
    const minute = Math.floor(at / MINUTE);
    const slot = minute % this.slots;
    if (this.minutes[slot] !== minute) {
      this.minutes[slot] = minute;
      this.total[slot] = 0;
      this.available[slot] = 0;
      for (const counts of this.fast) counts[slot] = 0;
    }
    this.total[slot] = (this.total[slot] ?? 0) + 1;
    if (status < 500) this.available[slot] = (this.available[slot] ?? 0) + 1;
    this.latencyThresholdsMs.forEach((thresholdMs, i) => {
      const counts = this.fast[i];
      if (counts !== undefined && seconds * 1000 <= thresholdMs) counts[slot] = (counts[slot] ?? 0) + 1;
    });
  }

  /** Counts of the minutes overlapping `[fromMs, toMs)`; `good` from availability or one latency threshold. */
  count(fromMs: number, toMs: number, good: "availability" | number): GoodTotal {
    const goodCounts =
      good === "availability" ? this.available : this.fast[this.latencyThresholdsMs.indexOf(good)];
    const first = Math.max(Math.floor(fromMs / MINUTE), Math.floor((toMs - 1) / MINUTE) - this.slots + 1);
    const last = Math.floor((toMs - 1) / MINUTE);
    let total = 0;
    let goodTotal = 0;
    for (let minute = first; minute <= last; minute += 1) {
      const slot = minute % this.slots;
      if (this.minutes[slot] !== minute) continue;
      total += this.total[slot] ?? 0;
      goodTotal += goodCounts?.[slot] ?? 0;
    }
    return { good: goodTotal, total };
  }
}

/** One objective's state as `status` reports it. */
export interface SloStatus {
  id: string;
  kind: SloObjective["kind"];
  objective: SloObjective;
  /** Budgeted objectives (latency, availability) only. */
  evaluation?: SloEvaluation;
  /** Throughput: requests per second; drift: the latest share. */
  value?: number;
  /** Alerts whose condition holds now (firing or waiting for their `for` duration). */
  active: { name: string; severity: MonitoringSeverity; since: number; firing: boolean }[];
}

export interface SloMonitorOptions {
  config: SloConfig;
  registry: { addObserver(observer: AnswerObserver): () => void; endpoints?(): string[] };
  events: MonitoringEventSink;
  webhooks?: { notify(urls: readonly string[], event: WebhookEvent): void };
  webhookUrls?: readonly string[];
  /** The rollout phase and weights a webhook event carries; read from the deployment. */
  deployment?: (endpoint: string) => Promise<Pick<DeploymentStatus, "phase" | "weights"> | undefined>;
  metrics?: { observeSlo(endpoint: string, slo: string, evaluation: SloEvaluation): void };
  now?: () => number;
  evaluateEveryMs?: number;
  log?: (message: string) => void;
}

interface AlertState {
  since: number;
  firing: boolean;
}

interface Condition {
  name: string;
  severity: MonitoringSeverity;
  holds: boolean;
  forMs: number;
  details: Record<string, unknown>;
}

export class SloMonitor implements AnswerObserver {
  private readonly counts = new Map<string, MinuteCounts | null>();
  private readonly driftShares = new Map<string, number>();
  private readonly alerts = new Map<string, AlertState>();
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private removeObserver: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private evaluating: Promise<void> | undefined;

  constructor(private readonly options: SloMonitorOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
  }

  start(): void {
    this.removeObserver ??= this.options.registry.addObserver(this);
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.evaluating ??= this.evaluate(this.now())
        .catch((error: unknown) => this.log(`SLO evaluation failed: ${String(error)}`))
        .finally(() => {
          this.evaluating = undefined;
        });
    }, this.options.evaluateEveryMs ?? DEFAULT_EVALUATE_EVERY_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.removeObserver?.();
    this.removeObserver = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.evaluating;
  }

  answered(event: AnswerEvent): void {
    this.countsFor(event.endpoint)?.add(event.at, event.status, event.seconds);
  }

  /** The latest drift share of an endpoint, for its drift ceiling (the DriftMonitor's reports). */
  observeDriftShare(endpoint: string, share: number): void {
    this.driftShares.set(endpoint, share);
  }

  /** Endpoints with counts, a drift share, or known to the registry. */
  endpoints(): string[] {
    const names = new Set([...this.counts.keys(), ...this.driftShares.keys()]);
    for (const name of this.options.registry.endpoints?.() ?? []) names.add(name);
    return [...names].sort();
  }

  /** Every objective of `endpoint` at `now`, with the alerts active; changes no state. */
  status(endpoint: string, now: number = this.now()): SloStatus[] {
    const set = slosForEndpoint(this.options.config, endpoint);
    if (set === undefined) return [];
    return set.objectives.map((objective) => {
      const { conditions, evaluation, value } = this.conditions(endpoint, objective, set.windowMs, now);
      const active = conditions.flatMap((condition) => {
        const state = this.alerts.get(alertKey(endpoint, condition.name));
        return condition.holds && state !== undefined
          ? [{ name: condition.name, severity: condition.severity, since: state.since, firing: state.firing }]
          : [];
      });
      return {
        id: objective.id,
        kind: objective.kind,
        objective,
        ...(evaluation === undefined ? {} : { evaluation }),
        ...(value === undefined ? {} : { value }),
        active,
      };
    });
  }

  /** Evaluates every endpoint's objectives and records the alert transitions. */
  async evaluate(now: number): Promise<void> {
    for (const endpoint of this.endpoints()) {
      const set = slosForEndpoint(this.options.config, endpoint);
      if (set === undefined) continue;
      for (const objective of set.objectives) {
        const { conditions, evaluation } = this.conditions(endpoint, objective, set.windowMs, now);
        if (evaluation !== undefined) this.options.metrics?.observeSlo(endpoint, objective.id, evaluation);
        for (const condition of conditions) await this.transition(endpoint, objective, condition, now);
      }
    }
  }

  private conditions(
    endpoint: string,
    objective: SloObjective,
    windowMs: number,
    now: number,
  ): { conditions: Condition[]; evaluation?: SloEvaluation; value?: number } {
    const counts = this.counts.get(endpoint) ?? undefined;
    const none: WindowCounts = () => ({ good: 0, total: 0 });
    switch (objective.kind) {
      case "latency":
      case "availability": {
        const good = objective.kind === "latency" ? objective.thresholdMs : "availability";
        const windowCounts: WindowCounts =
          counts === undefined ? none : (from, to) => counts.count(from, to, good);
        const evaluation = evaluateSlo({ objective: objective.objective, windowMs }, windowCounts, now);
        const conditions = evaluation.alerts.map((alert) => ({
          name: `${objective.id}-${alert.longWindow}-${alert.shortWindow}`,
          severity: alert.severity,
          holds: alert.firing,
          forMs: alert.forMs,
          details: {
            slo: objective.id,
            objective: objective.objective,
            longWindow: alert.longWindow,
            shortWindow: alert.shortWindow,
            longBurnRate: alert.longBurnRate,
            shortBurnRate: alert.shortBurnRate,
            threshold: alert.threshold,
            budgetRemaining: evaluation.budgetRemaining,
          },
        }));
        return { conditions, evaluation };
      }
      case "throughput": {
        const check = checkThroughput(
          objective,
          counts === undefined ? none : (from, to) => counts.count(from, to, "availability"),
          now,
        );
        const details = { slo: objective.id, rps: check.rps, minRps: check.minRps };
        return {
          conditions: [{ name: objective.id, severity: "ticket", holds: check.firing, forMs: 0, details }],
          value: check.rps,
        };
      }
      case "drift": {
        const share = this.driftShares.get(endpoint);
        if (share === undefined) return { conditions: [] };
        const check = checkDriftShare(objective, share);
        const details = { slo: objective.id, share: check.share, maxShare: check.maxShare };
        return {
          conditions: [{ name: objective.id, severity: "ticket", holds: check.firing, forMs: 0, details }],
          value: share,
        };
      }
    }
  }

  private async transition(
    endpoint: string,
    objective: SloObjective,
    condition: Condition,
    now: number,
  ): Promise<void> {
    const key = alertKey(endpoint, condition.name);
    const state = this.alerts.get(key);
    if (condition.holds) {
      if (state === undefined) this.alerts.set(key, { since: now, firing: false });
      const current = this.alerts.get(key) as AlertState;
      if (!current.firing && now - current.since >= condition.forMs) {
        current.firing = true;
        await this.emit(endpoint, "slo_alert_firing", objective, condition, now);
      }
      return;
    }
    if (state === undefined) return;
    this.alerts.delete(key);
    if (state.firing) await this.emit(endpoint, "slo_alert_resolved", objective, condition, now);
  }

  private async emit(
    endpoint: string,
    kind: string,
    objective: SloObjective,
    condition: Condition,
    at: number,
  ): Promise<void> {
    const details = { alert: condition.name, kind: objective.kind, ...condition.details };
    await this.options.events.add({ endpoint, kind, severity: condition.severity, at, details });
    const urls = this.options.webhookUrls ?? [];
    if (urls.length === 0 || this.options.webhooks === undefined) return;
    const deployment = await this.options.deployment?.(endpoint).catch(() => undefined);
    const verb = kind === "slo_alert_firing" ? "firing" : "resolved";
    this.options.webhooks.notify(urls, {
      endpoint,
      kind,
      at,
      details: `SLO alert ${condition.name} (${condition.severity}) ${verb} on ${endpoint}`,
      values: details,
      // An endpoint without a deployment record is served as it is: nothing in progress.
      phase: deployment?.phase ?? "Healthy",
      weights: deployment?.weights ?? [],
    });
  }

  /** null for an endpoint without budgeted or throughput objectives: its requests need no counting. */
  private countsFor(endpoint: string): MinuteCounts | undefined {
    let counts = this.counts.get(endpoint);
    if (counts === undefined) {
      counts = minuteCountsFor(slosForEndpoint(this.options.config, endpoint));
      this.counts.set(endpoint, counts);
    }
    return counts ?? undefined;
  }
}

/** Rings long enough for the SLO period, the burn-rate windows and any throughput window. */
function minuteCountsFor(set: SloSet | undefined): MinuteCounts | null {
  if (set === undefined) return null;
  const counted = set.objectives.filter((o) => o.kind !== "drift");
  if (counted.length === 0) return null;
  const longest = Math.max(
    set.windowMs,
    ...burnRateWindows(),
    ...counted.map((o) => (o.kind === "throughput" ? o.windowMs : 0)),
  );
  const thresholds = counted.flatMap((o) => (o.kind === "latency" ? [o.thresholdMs] : []));
  // One extra minute: a window ending mid-minute overlaps one more bucket than it spans.
  return new MinuteCounts(Math.ceil(longest / MINUTE) + 1, thresholds);
}

function alertKey(endpoint: string, name: string): string {
  return `${endpoint}\u0000${name}`;
}
