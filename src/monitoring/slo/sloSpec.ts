/**
 * The `slos` section of a monitoring config: what each endpoint promises. Parsing only; the budget and
 * burn-rate arithmetic lives in burnRate.ts and the Prometheus rendering in prometheusRules.ts. Every error
 * names the file, the line and what was expected.
 *
 *   slos:
 *     defaults:                  # every endpoint without an entry of its own
 *       window: 30d              # the SLO period (default 30d)
 *       objectives:
 *         - latency: {threshold: 300ms, objective: 99}   # 99 % of requests answered within 300 ms
 *         - availability: {objective: 99.9}              # 99.9 % of requests not answered with a 5xx
 *         - drift: {maxShare: 0.5}                       # alert when half the features drift
 *     endpoints:
 *       fraud-detector:          # replaces the defaults for this endpoint
 *         objectives:
 *           - throughput: {minRps: 10}                   # at least 10 requests per second over 5m
 */
import { z } from "zod";
import { malformedFile, parseYamlText, schemaProblem, type YamlFile } from "../../data/yamlFile.js";
import { formatPrometheusDuration, parseSloDuration } from "./sloDuration.js";

export const DEFAULT_SLO_WINDOW_MS = 30 * 86_400_000;
export const DEFAULT_THROUGHPUT_WINDOW_MS = 5 * 60_000;

export interface LatencyObjective {
  kind: "latency";
  /** Unique within an endpoint: `latency-300ms`. */
  id: string;
  thresholdMs: number;
  /** Percent of requests that must be answered within the threshold, below 100. */
  objective: number;
}

export interface AvailabilityObjective {
  kind: "availability";
  id: string;
  /** Percent of requests that must not be answered with a 5xx status, below 100. */
  objective: number;
}

export interface ThroughputObjective {
  kind: "throughput";
  id: string;
  minRps: number;
  /** The window the request rate is averaged over. */
  windowMs: number;
}

export interface DriftObjective {
  kind: "drift";
  id: string;
  /** Share of drifted features (0 to 1] at which the objective is broken, as dataset drift is declared. */
  maxShare: number;
}

/** Objectives with an error budget: a share of good requests over the SLO period. */
export type BudgetedObjective = LatencyObjective | AvailabilityObjective;
export type SloObjective = BudgetedObjective | ThroughputObjective | DriftObjective;

export interface SloSet {
  /** The SLO period the error budget is counted over. */
  windowMs: number;
  objectives: SloObjective[];
}

export interface EndpointSlos extends SloSet {
  endpoint: string;
}

export interface SloConfig {
  defaults?: SloSet;
  endpoints: EndpointSlos[];
}

const duration = (example: string) =>
  z
    .string({ message: `expected a duration like ${example}` })
    .refine((v) => (parseSloDuration(v) ?? 0) > 0, {
      message: `expected a positive duration like ${example} (units ms, s, m, h, d, w)`,
    })
    .transform((v) => parseSloDuration(v) ?? 0)
    .refine((ms) => Number.isInteger(ms), { message: "expected a whole number of milliseconds" });

const percent = z
  .number({ message: "expected a percentage like 99.9" })
  .gt(0, "expected a percentage above 0")
  .lt(100, "expected a percentage below 100 (100 leaves no error budget)");

const latency = z.object({ threshold: duration("300ms"), objective: percent }).strict();
const availability = z.object({ objective: percent }).strict();
const throughput = z
  .object({
    minRps: z.number({ message: "expected requests per second" }).positive("expected a rate above 0"),
    window: duration("5m").optional(),
  })
  .strict();
const drift = z
  .object({
    maxShare: z
      .number({ message: "expected a share from 0 to 1" })
      .gt(0, "expected a share above 0")
      .max(1, "expected a share of at most 1"),
  })
  .strict();

const objective = z
  .object({
    latency: latency.optional(),
    availability: availability.optional(),
    throughput: throughput.optional(),
    drift: drift.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const keys = Object.keys(value);
    if (keys.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `an objective has exactly one of latency, availability, throughput, drift (found ${keys.join(", ") || "none"})`,
      });
    }
  })
  .transform((value): SloObjective => {
    if (value.latency !== undefined) {
      const { threshold, objective } = value.latency;
      return {
        kind: "latency",
        id: `latency-${formatPrometheusDuration(threshold)}`,
        thresholdMs: threshold,
        objective,
      };
    }
    if (value.availability !== undefined) {
      return { kind: "availability", id: "availability", objective: value.availability.objective };
    }
    if (value.throughput !== undefined) {
      const windowMs = value.throughput.window ?? DEFAULT_THROUGHPUT_WINDOW_MS;
      return { kind: "throughput", id: "throughput", minRps: value.throughput.minRps, windowMs };
    }
    // The refinement guarantees exactly one key, so the last one is drift.
    return { kind: "drift", id: "drift", maxShare: (value.drift as { maxShare: number }).maxShare };
  });

const sloSet = z
  .object({
    window: duration("30d").optional(),
    objectives: z.array(objective).min(1, "expected at least one objective"),
  })
  .strict();

const slosSection = z
  .object({
    defaults: sloSet.optional(),
    endpoints: z.record(z.string().min(1, "expected an endpoint name"), sloSet).optional(),
  })
  .strict();

/** Parses the text of a monitoring config and returns its `slos` section; `file` is used in messages. */
export function parseSloConfig(yamlText: string, file: string): SloConfig {
  return sloConfigFromYaml(parseYamlText(file, yamlText));
}

/**
 * The SLOs at `keyPath` of a parsed YAML file (`slos` by default); no section means no objectives. Other
 * sections of the file belong to other readers and are left alone.
 */
export function sloConfigFromYaml(yaml: YamlFile, keyPath: readonly string[] = ["slos"]): SloConfig {
  const value = valueAt(yaml.value, keyPath);
  if (value === undefined || value === null) return { endpoints: [] };
  const parsed = slosSection.safeParse(value);
  if (!parsed.success) throw schemaProblem(yaml, parsed.error.issues, keyPath);
  const toSet = (set: z.infer<typeof sloSet>, setPath: readonly (string | number)[]): SloSet => {
    checkUniqueIds(set.objectives, (index) => yaml.lineOf([...setPath, "objectives", index]), yaml.path);
    return { windowMs: set.window ?? DEFAULT_SLO_WINDOW_MS, objectives: set.objectives };
  };
  const config: SloConfig = {
    endpoints: Object.entries(parsed.data.endpoints ?? {}).map(([endpoint, set]) => ({
      endpoint,
      ...toSet(set, [...keyPath, "endpoints", endpoint]),
    })),
  };
  if (parsed.data.defaults !== undefined)
    config.defaults = toSet(parsed.data.defaults, [...keyPath, "defaults"]);
  return config;
}

/** The objectives an endpoint is held to: its own entry, else the defaults, else none. */
export function slosForEndpoint(config: SloConfig, endpoint: string): SloSet | undefined {
  const own = config.endpoints.find((entry) => entry.endpoint === endpoint);
  if (own !== undefined) return { windowMs: own.windowMs, objectives: own.objectives };
  return config.defaults;
}

/** Two objectives of the same id would record the same Prometheus series, so the second is refused. */
function checkUniqueIds(
  objectives: readonly SloObjective[],
  lineOf: (index: number) => number,
  file: string,
): void {
  const seen = new Set<string>();
  objectives.forEach((objective, index) => {
    if (seen.has(objective.id)) {
      throw malformedFile(
        file,
        lineOf(index),
        `objective '${objective.id}' appears twice; expected each once`,
      );
    }
    seen.add(objective.id);
  });
}

function valueAt(root: unknown, keyPath: readonly string[]): unknown {
  let node = root;
  for (const key of keyPath) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
