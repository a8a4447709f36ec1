/**
 * Argo Rollouts' AnalysisTemplate (`argoproj.io/v1alpha1`), read from YAML: which metrics to measure, how
 * often, and which conditions judge a measurement. The same document can be applied to a cluster running
 * Argo Rollouts or run in-process by FlowOps (provider `flowops`). Validation happens here, once, with the
 * file and line of whatever is wrong; defaults are Argo's (`pkg/apis/rollouts/v1alpha1/analysis_types.go`,
 * `analysis/analysis.go`, `utils/analysis.ValidateMetric`).
 */
import { z } from "zod";
import { malformedFile, parseYamlText } from "../../data/yamlFile.js";
import { DURATION_FORMS, parseArgoDuration } from "./argoDuration.js";
import { parseCondition } from "./conditionExpression.js";

/** Argo's `DefaultConsecutiveErrorLimit`. */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

/** The metrics FlowOps' own provider computes from its serving telemetry. */
export const FLOWOPS_METRICS = [
  "error_rate",
  "latency_p50",
  "latency_p95",
  "latency_p99",
  "prediction_psi",
  "agreement",
  "online_accuracy",
] as const;
export type FlowOpsMetric = (typeof FLOWOPS_METRICS)[number];

const duration = z
  .union([z.string(), z.number()])
  .refine((value) => parseArgoDuration(value) !== undefined, { message: `expected ${DURATION_FORMS}` })
  .transform((value) => String(value));

const prometheusProvider = z.strictObject({
  address: z.string().min(1),
  query: z.string().min(1),
  /** Seconds, as in Argo's Prometheus provider. */
  timeout: z.number().int().positive().optional(),
});

const flowopsProvider = z.strictObject({
  metric: z.enum(FLOWOPS_METRICS),
  compare: z.literal("stable").optional(),
  window: duration.optional(),
  /** Fewer samples than this in the window make the measurement Inconclusive (20 when absent). */
  minSamples: z.number().int().min(1).optional(),
});

const provider = z
  .strictObject({ prometheus: prometheusProvider.optional(), flowops: flowopsProvider.optional() })
  .refine((value) => Object.keys(value).length === 1, {
    message: "expected exactly one provider: prometheus or flowops",
  });

const limit = (minimum: number) => z.number().int().min(minimum);

const metric = z.strictObject({
  name: z.string().min(1),
  interval: duration.optional(),
  initialDelay: duration.optional(),
  count: z.number().int().min(0).optional(),
  successCondition: z.string().optional(),
  failureCondition: z.string().optional(),
  /** -1 disables failure judgement (Argo 1.8). */
  failureLimit: limit(-1).default(0),
  inconclusiveLimit: limit(0).default(0),
  consecutiveErrorLimit: limit(0).default(DEFAULT_CONSECUTIVE_ERROR_LIMIT),
  /** 0 leaves success to `count`. */
  consecutiveSuccessLimit: limit(0).default(0),
  provider,
});

const templateSchema = z.strictObject({
  apiVersion: z.literal("argoproj.io/v1alpha1"),
  kind: z.literal("AnalysisTemplate"),
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: z.strictObject({
    args: z.array(z.strictObject({ name: z.string().min(1), value: z.string().optional() })).default([]),
    metrics: z.array(metric).min(1),
    dryRun: z.array(z.strictObject({ metricName: z.string().min(1) })).default([]),
  }),
});

export type AnalysisTemplate = z.infer<typeof templateSchema>;
export type AnalysisMetric = AnalysisTemplate["spec"]["metrics"][number];
export type MetricProviderSpec = AnalysisMetric["provider"];

interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Where the line comes from when it is not `path` (an unknown key's own line). */
  readonly linePath?: readonly (string | number)[];
}

/** `spec.metrics[0].interval` */
export function describePath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}

/** Argo's `ValidateMetric` rules plus the conditions' syntax; templated conditions are checked once resolved. */
function semanticProblems(template: AnalysisTemplate): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  template.spec.metrics.forEach((m, i) => {
    const at = ["spec", "metrics", i];
    if (seen.has(m.name))
      problems.push({ path: [...at, "name"], message: `duplicate metric name '${m.name}'` });
    seen.add(m.name);
    if (m.count !== undefined && m.count > 1 && m.interval === undefined) {
      problems.push({ path: [...at, "count"], message: "interval must be specified when count > 1" });
    }
    if (m.count !== undefined && m.count > 0) {
      if (m.count < m.failureLimit) {
        problems.push({
          path: [...at, "count"],
          message: `count (${m.count}) must be >= failureLimit (${m.failureLimit})`,
        });
      }
      if (m.count < m.inconclusiveLimit) {
        problems.push({
          path: [...at, "count"],
          message: `count (${m.count}) must be >= inconclusiveLimit (${m.inconclusiveLimit})`,
        });
      }
      if (m.count < m.consecutiveSuccessLimit) {
        problems.push({
          path: [...at, "count"],
          message: `count (${m.count}) must be >= consecutiveSuccessLimit (${m.consecutiveSuccessLimit})`,
        });
      }
    }
    for (const key of ["successCondition", "failureCondition"] as const) {
      const text = m[key];
      if (text === undefined || text.includes("{{")) continue;
      try {
        parseCondition(text, describePath([...at, key]));
      } catch (error) {
        problems.push({ path: [...at, key], message: (error as Error).message });
      }
    }
  });
  const names = new Set(template.spec.metrics.map((m) => m.name));
  template.spec.dryRun.forEach((entry, i) => {
    if (entry.metricName !== "*" && !names.has(entry.metricName)) {
      problems.push({
        path: ["spec", "dryRun", i, "metricName"],
        message: `no metric named '${entry.metricName}' (metrics: ${[...names].join(", ")})`,
      });
    }
  });
  return problems;
}

function zodProblem(issue: z.core.$ZodIssue): Problem {
  const path = issue.path.filter((key): key is string | number => typeof key !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys;
    return {
      path,
      linePath: [...path, keys[0] ?? ""],
      message: `unknown key${keys.length === 1 ? "" : "s"} ${keys.map((k) => `'${k}'`).join(", ")}`,
    };
  }
  return { path, message: issue.message };
}

/**
 * Parses and validates an AnalysisTemplate; every error reads `file:line: spec.metrics[0].interval: ...`.
 *
 * @example parseAnalysisTemplate(await readFile("analysis.yaml", "utf8"), "analysis.yaml")
 */
export function parseAnalysisTemplate(yamlText: string, file: string): AnalysisTemplate {
  const yaml = parseYamlText(file, yamlText);
  const fail = (problem: Problem): never => {
    const where = describePath(problem.path);
    const message =
      where === "" || problem.message.startsWith(`${where}:`)
        ? problem.message
        : `${where}: ${problem.message}`;
    throw malformedFile(file, yaml.lineOf(problem.linePath ?? problem.path), message);
  };
  const parsed = templateSchema.safeParse(yaml.value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return fail(first === undefined ? { path: [], message: "invalid AnalysisTemplate" } : zodProblem(first));
  }
  const problem = semanticProblems(parsed.data)[0];
  if (problem !== undefined) fail(problem);
  return parsed.data;
}

/** Whether a metric runs in dry-run mode: its results are recorded but never fail the run. */
export function isDryRun(template: AnalysisTemplate, metricName: string): boolean {
  return template.spec.dryRun.some((entry) => entry.metricName === "*" || entry.metricName === metricName);
}
