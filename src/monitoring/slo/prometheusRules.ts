/**
 * The SLOs of a monitoring config as Prometheus recording and alerting rules, for the Kubernetes path where
 * Prometheus, not FlowOps, evaluates them. The numbers (windows, thresholds, budgets) come from burnRate.ts,
 * so the rules fire when the embedded evaluator would. The error ratio of each window is recorded once, in
 * the SRE workbook's naming (`...:ratio_rate5m`), and each burn-rate alert `and`s its long and short window.
 *
 * Serving series name the endpoint in their `model` label (src/monitoring/metricNames.ts). A group per
 * endpoint with its own objectives selects `model="name"`; the defaults group selects every other endpoint.
 */
import { invalidParameter } from "../../errors.js";
import {
  DRIFT_SHARE,
  FLOWOPS_METRICS,
  INFERENCE_LATENCY,
  INFERENCE_LATENCY_BUCKETS,
  INFERENCE_REQUESTS,
} from "../metricNames.js";
import {
  burnRateThreshold,
  burnRateWindows,
  errorBudget,
  SRE_WORKBOOK_WINDOW_PAIRS,
  type BurnRateWindowPair,
} from "./burnRate.js";
import { formatPrometheusDuration } from "./sloDuration.js";
import type { BudgetedObjective, SloConfig, SloObjective, SloSet } from "./sloSpec.js";
import { yamlLibrary } from "../../yamlLibrary.js";

export const ERROR_RATIO_RECORD_PREFIX = "flowops:slo_errors_per_request:ratio_rate";
export const BURN_ALERT = "FlowOpsErrorBudgetBurn";
export const THROUGHPUT_ALERT = "FlowOpsThroughputBelowFloor";
export const DRIFT_ALERT = "FlowOpsDriftShareAboveCeiling";

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: (RecordingRule | AlertingRule)[];
}

export interface PrometheusRuleOptions {
  pairs?: readonly BurnRateWindowPair[];
  /** Upper bounds of the latency histogram; a latency threshold must be one of them. */
  latencyBuckets?: readonly number[];
}

/** Which series a group addresses: one endpoint, or every endpoint except those with objectives of their own. */
type EndpointScope = { kind: "one"; endpoint: string } | { kind: "others"; except: readonly string[] };

const ENDPOINT_LABEL_OF = new Map(
  FLOWOPS_METRICS.flatMap((m) => (m.endpointLabel === undefined ? [] : [[m.name, m.endpointLabel] as const])),
);

export function prometheusRuleGroups(config: SloConfig, options: PrometheusRuleOptions = {}): RuleGroup[] {
  const groups: RuleGroup[] = [];
  if (config.defaults !== undefined) {
    const except = config.endpoints.map((e) => e.endpoint);
    groups.push(ruleGroup("flowops-slo-defaults", config.defaults, { kind: "others", except }, options));
  }
  for (const entry of config.endpoints) {
    groups.push(
      ruleGroup(`flowops-slo-${entry.endpoint}`, entry, { kind: "one", endpoint: entry.endpoint }, options),
    );
  }
  return groups;
}

/** The rules file Prometheus loads (`rule_files:`), with a comment saying where it came from. */
export function renderPrometheusRules(
  config: SloConfig,
  options: PrometheusRuleOptions & { header?: string } = {},
): string {
  const body = yamlLibrary().stringify({ groups: prometheusRuleGroups(config, options) }, { lineWidth: 0 });
  const header = options.header === undefined ? "" : `${options.header.replace(/^/gm, "# ")}\n`;
  return `${header}${body}`;
}

function ruleGroup(
  name: string,
  set: SloSet,
  scope: EndpointScope,
  options: PrometheusRuleOptions,
): RuleGroup {
  const pairs = options.pairs ?? SRE_WORKBOOK_WINDOW_PAIRS;
  const rules: (RecordingRule | AlertingRule)[] = [];
  for (const objective of set.objectives) {
    if (objective.kind === "latency" || objective.kind === "availability") {
      checkLatencyBucket(objective, scope, options.latencyBuckets ?? INFERENCE_LATENCY_BUCKETS);
      for (const windowMs of burnRateWindows(pairs)) rules.push(errorRatioRule(objective, scope, windowMs));
      for (const pair of pairs) rules.push(burnRateAlert(objective, scope, pair, set.windowMs));
    } else {
      rules.push(thresholdAlert(objective, scope));
    }
  }
  return { name, rules };
}

function errorRatioRule(objective: BudgetedObjective, scope: EndpointScope, windowMs: number): RecordingRule {
  const range = formatPrometheusDuration(windowMs);
  const label = endpointLabel(INFERENCE_REQUESTS);
  const sel = (metric: string, extra: string[] = []) => selector(metric, scope, extra);
  const sumRate = (series: string) => `sum by (${label}) (rate(${series}[${range}]))`;
  let expr: string;
  if (objective.kind === "availability") {
    // Errors over all requests, not 1 - successes: with every request failing the successes series is absent.
    expr = `${sumRate(sel(INFERENCE_REQUESTS, ['code=~"5.."']))}\n/\n${sumRate(sel(INFERENCE_REQUESTS))}`;
  } else {
    const le = `le="${String(objective.thresholdMs / 1000)}"`;
    expr =
      `1 - (\n  ${sumRate(sel(`${INFERENCE_LATENCY}_bucket`, [le]))}\n  /\n` +
      `  ${sumRate(sel(`${INFERENCE_LATENCY}_count`))}\n)`;
  }
  return { record: `${ERROR_RATIO_RECORD_PREFIX}${range}`, expr, labels: { slo: objective.id } };
}

function burnRateAlert(
  objective: BudgetedObjective,
  scope: EndpointScope,
  pair: BurnRateWindowPair,
  periodMs: number,
): AlertingRule {
  const budget = errorBudget(objective.objective);
  const threshold = burnRateThreshold(pair, periodMs);
  const long = formatPrometheusDuration(pair.longWindowMs);
  const short = formatPrometheusDuration(pair.shortWindowMs);
  const ratio = (range: string) =>
    `${selector(`${ERROR_RATIO_RECORD_PREFIX}${range}`, scope, [`slo="${objective.id}"`])} > (${threshold} * ${budget})`;
  const who = `{{ $labels.${endpointLabel(INFERENCE_REQUESTS)} }}`;
  const what =
    objective.kind === "availability"
      ? `${objective.objective} % of requests without a 5xx status`
      : `${objective.objective} % of requests within ${formatPrometheusDuration(objective.thresholdMs)}`;
  return {
    alert: BURN_ALERT,
    expr: `${ratio(long)}\nand\n${ratio(short)}`,
    for: formatPrometheusDuration(pair.forMs),
    labels: { severity: pair.severity, slo: objective.id, long_window: long, short_window: short },
    annotations: {
      summary: `Endpoint ${who} burns its ${objective.id} error budget more than ${threshold}x as fast as the SLO allows`,
      description:
        `Errors over the last ${long} and ${short} exceed ${threshold} times the budget of the objective ` +
        `"${what}" over ${formatPrometheusDuration(periodMs)}; at this rate ${pair.budgetConsumed * 100} % ` +
        `of the budget goes within ${long}.`,
    },
  };
}

function thresholdAlert(
  objective: Exclude<SloObjective, BudgetedObjective>,
  scope: EndpointScope,
): AlertingRule {
  switch (objective.kind) {
    case "throughput": {
      const range = formatPrometheusDuration(objective.windowMs);
      const label = endpointLabel(INFERENCE_REQUESTS);
      const series = `rate(${selector(INFERENCE_REQUESTS, scope)}[${range}])`;
      // One endpoint: `or vector(0)` so an endpoint that gets no traffic at all is below its floor too.
      const expr =
        scope.kind === "one"
          ? `(sum(${series}) or vector(0)) < ${objective.minRps}`
          : `sum by (${label}) (${series}) < ${objective.minRps}`;
      const labels: Record<string, string> = { severity: "ticket", slo: objective.id };
      if (scope.kind === "one") labels[label] = scope.endpoint;
      return {
        alert: THROUGHPUT_ALERT,
        expr,
        for: range,
        labels,
        annotations: {
          summary: `Endpoint {{ $labels.${label} }} serves fewer than ${objective.minRps} requests per second`,
          description: `The request rate over ${range} is {{ $value }} per second, below the floor of ${objective.minRps}.`,
        },
      };
    }
    case "drift": {
      const label = endpointLabel(DRIFT_SHARE);
      return {
        alert: DRIFT_ALERT,
        expr: `max by (${label}) (${selector(DRIFT_SHARE, scope)}) >= ${objective.maxShare}`,
        labels: { severity: "ticket", slo: objective.id },
        annotations: {
          summary: `Endpoint {{ $labels.${label} }} has a drifted feature share of {{ $value }}`,
          description: `The share of drifted features reached the ceiling of ${objective.maxShare}.`,
        },
      };
    }
  }
}

/** `metric{label matchers}` addressing `scope` through the metric's endpoint label. */
function selector(metric: string, scope: EndpointScope, extra: readonly string[] = []): string {
  const label = endpointLabel(metric);
  const matchers =
    scope.kind === "one"
      ? [`${label}="${promString(scope.endpoint)}"`]
      : [
          `${label}!=""`,
          ...(scope.except.length > 0
            ? [`${label}!~"${promString(scope.except.map(regexLiteral).join("|"))}"`]
            : []),
        ];
  return `${metric}{${[...matchers, ...extra].join(",")}}`;
}

/** The recorded ratios keep the serving series' endpoint label, `sum by` it. */
function endpointLabel(metric: string): string {
  if (metric.startsWith(ERROR_RATIO_RECORD_PREFIX)) return endpointLabel(INFERENCE_REQUESTS);
  const family = metric.replace(/_(bucket|count|sum)$/, "");
  const label = ENDPOINT_LABEL_OF.get(metric) ?? ENDPOINT_LABEL_OF.get(family);
  if (label === undefined) throw new RangeError(`${metric} is not in FLOWOPS_METRICS`);
  return label;
}

/** Prometheus reads `le` bucket bounds exactly; a threshold between bounds would count nothing. */
function checkLatencyBucket(
  objective: BudgetedObjective,
  scope: EndpointScope,
  buckets: readonly number[],
): void {
  if (objective.kind !== "latency") return;
  const seconds = objective.thresholdMs / 1000;
  if (buckets.some((bound) => Math.abs(bound - seconds) < 1e-12)) return;
  const where = scope.kind === "one" ? `slos.endpoints.${scope.endpoint}` : "slos.defaults";
  throw invalidParameter(
    `${where}: latency threshold ${formatPrometheusDuration(objective.thresholdMs)} is not a bucket bound of ` +
      `${INFERENCE_LATENCY}, so Prometheus cannot count the requests under it; expected one of ` +
      `${buckets.map((bound) => `${bound}s`).join(", ")}`,
  );
}

function promString(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

function regexLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
