/**
 * The tracking server's Prometheus metrics, in one Registry served at `GET /metrics`: HTTP requests by
 * route pattern, the embedded delivery's inference metrics (the same ServingMetrics the endpoint registry
 * records into), traffic weights and analysis phases read from the deployments at scrape time, drift
 * scores, SLO burn rates and budgets, pipeline and stage outcomes, and GPU usage from nvidia-smi. Names,
 * types and labels come from FLOWOPS_METRICS so dashboards and rules find what is exported.
 */
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DeploymentStatus } from "../../delivery/deployments/deploymentStatus.js";
import { ServingMetrics } from "../../serving/servingMetrics.js";
import type { DriftReport } from "../drift/datasetDrift.js";
import {
  ANALYSIS_PHASE,
  DEPLOYMENT_TRAFFIC_WEIGHT,
  DRIFT_SCORE,
  DRIFT_SHARE,
  FLOWOPS_METRICS,
  SLO_BURN_RATE,
  SLO_ERROR_BUDGET_REMAINING,
  type MetricDefinition,
} from "../metricNames.js";
import type { SloEvaluation } from "../slo/burnRate.js";
import { GpuUsageReader } from "./gpuUsage.js";

/** The analysis phases the phase gauge has a series for, one of them 1 at a time. */
export const ANALYSIS_PHASES = [
  "Pending",
  "Running",
  "Successful",
  "Failed",
  "Error",
  "Inconclusive",
] as const;

const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

/** What the scrape reads deployments from: the DeliveryController's `list`. */
export interface DeploymentLister {
  list(): Promise<DeploymentStatus[]>;
}

export interface ServerMetricsOptions {
  /** The serving metrics the delivery stack records into; a fresh set by default. */
  serving?: ServingMetrics;
  gpu?: Pick<GpuUsageReader, "read">;
}

function definition(name: string): MetricDefinition {
  const found = FLOWOPS_METRICS.find((metric) => metric.name === name);
  if (found === undefined) throw new Error(`metric ${name} is not listed in FLOWOPS_METRICS`);
  return found;
}

function spec(name: string): { name: string; help: string; labelNames: string[] } {
  const found = definition(name);
  return { name: found.name, help: found.help, labelNames: [...found.labelNames] };
}

export class ServerMetrics {
  /** Pass to createEmbeddedDelivery's `metrics` so inference requests land in this registry too. */
  readonly serving: ServingMetrics;
  readonly registry: Registry;
  private readonly own = new Registry();
  private readonly httpRequests: Counter;
  private readonly httpDuration: Histogram;
  private readonly driftScore: Gauge;
  private readonly driftShare: Gauge;
  private readonly burnRate: Gauge;
  private readonly budgetRemaining: Gauge;
  private readonly pipelineRuns: Counter;
  private readonly pipelineDuration: Histogram;
  private readonly stageDuration: Histogram;
  private deployments: DeploymentLister | undefined;
  private readonly driftLabels = new Map<string, Record<string, string>[]>();

  constructor(options: ServerMetricsOptions = {}) {
    this.serving = options.serving ?? new ServingMetrics();
    const registers = [this.own];
    this.httpRequests = new Counter({ ...spec("flowops_http_requests_total"), registers });
    this.httpDuration = new Histogram({
      ...spec("flowops_http_request_duration_seconds"),
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.driftScore = new Gauge({ ...spec(DRIFT_SCORE), registers });
    this.driftShare = new Gauge({ ...spec(DRIFT_SHARE), registers });
    this.burnRate = new Gauge({ ...spec(SLO_BURN_RATE), registers });
    this.budgetRemaining = new Gauge({ ...spec(SLO_ERROR_BUDGET_REMAINING), registers });
    this.pipelineRuns = new Counter({ ...spec("flowops_pipeline_runs_total"), registers });
    this.pipelineDuration = new Histogram({
      ...spec("flowops_pipeline_duration_seconds"),
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.stageDuration = new Histogram({
      ...spec("flowops_stage_duration_seconds"),
      buckets: DURATION_BUCKETS,
      registers,
    });

    const deploymentStatuses = () => this.deploymentStatuses();
    new Gauge({
      ...spec(DEPLOYMENT_TRAFFIC_WEIGHT),
      registers,
      async collect() {
        this.reset();
        for (const status of await deploymentStatuses()) {
          for (const route of status.weights) {
            const role = route.model === status.stable ? "stable" : "candidate";
            this.set({ endpoint: status.name, version: route.model, role }, route.weight);
          }
        }
      },
    });
    new Gauge({
      ...spec(ANALYSIS_PHASE),
      registers,
      async collect() {
        this.reset();
        for (const status of await deploymentStatuses()) {
          for (const analysis of status.analyses) {
            for (const phase of ANALYSIS_PHASES) {
              const labels = { endpoint: status.name, analysis: analysis.runId, phase };
              this.set(labels, analysis.phase === phase ? 1 : 0);
            }
          }
        }
      },
    });
    const gpu = options.gpu ?? new GpuUsageReader();
    const gpuGauge = (name: string, value: (usage: Awaited<ReturnType<typeof gpu.read>>[number]) => number) =>
      new Gauge({
        ...spec(name),
        registers,
        async collect() {
          this.reset();
          for (const usage of await gpu.read()) this.set({ gpu: usage.index }, value(usage));
        },
      });
    gpuGauge("flowops_gpu_utilization_ratio", (usage) => usage.utilization);
    gpuGauge("flowops_gpu_memory_used_bytes", (usage) => usage.memoryUsedBytes);
    gpuGauge("flowops_gpu_memory_total_bytes", (usage) => usage.memoryTotalBytes);

    // Both registries keep their metric objects: the merged one reads live values at every scrape.
    this.registry = Registry.merge([this.own, this.serving.registry]);
  }

  /** Traffic weights and analysis phases are read from these deployments at each scrape. */
  watchDeployments(deployments: DeploymentLister): void {
    this.deployments = deployments;
  }

  /**
   * Counts every HTTP request by its route pattern (`/api/v1/deployments/:name`, never the raw URL, which
   * would make a series per id); requests no route matched are labelled `unmatched`.
   */
  instrument(app: FastifyInstance): void {
    app.addHook("onResponse", async (request, reply) => {
      const route = request.routeOptions.url ?? "unmatched";
      const method = request.method;
      this.httpRequests.inc({ method, route, code: String(reply.statusCode) });
      this.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
    });
  }

  /** The latest window's drift per feature and the share drifted; features no longer reported are dropped. */
  observeDrift(endpoint: string, report: DriftReport): void {
    for (const labels of this.driftLabels.get(endpoint) ?? []) this.driftScore.remove(labels);
    const labelSets = report.columns.map((column) => ({
      endpoint,
      feature: column.column,
      method: column.method,
    }));
    report.columns.forEach((column, i) => this.driftScore.set(labelSets[i] ?? {}, column.score));
    this.driftLabels.set(endpoint, labelSets);
    this.driftShare.set({ endpoint }, report.share);
  }

  /** An SLO's burn rate per window and the budget it has left. */
  observeSlo(endpoint: string, slo: string, evaluation: SloEvaluation): void {
    for (const rate of evaluation.burnRates) {
      this.burnRate.set({ endpoint, slo, window: rate.window }, rate.rate);
    }
    this.budgetRemaining.set({ endpoint, slo }, evaluation.budgetRemaining);
  }

  /** One finished pipeline run: `status` is its outcome (`succeeded`, `failed`). */
  observePipeline(pipeline: string, status: string, seconds: number): void {
    this.pipelineRuns.inc({ pipeline, status });
    this.pipelineDuration.observe({ pipeline, status }, seconds);
  }

  /** One finished stage of a pipeline run. */
  observeStage(pipeline: string, stage: string, status: string, seconds: number): void {
    this.stageDuration.observe({ pipeline, stage, status }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every server metric. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }

  private async deploymentStatuses(): Promise<DeploymentStatus[]> {
    if (this.deployments === undefined) return [];
    // A scrape must not fail because one read did; the series are simply absent this time.
    return this.deployments.list().catch(() => []);
  }
}
