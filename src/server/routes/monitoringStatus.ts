/**
 * Monitoring read-outs on FlowOps' own API: `GET /api/v1/monitoring/status` (per endpoint: its SLOs with
 * SLI, budget, burn rates and active alerts, the latest drift report and the traffic split),
 * `GET /api/v1/monitoring/events` (SLO alerts firing and resolving), and `GET /metrics` (Prometheus). The
 * monitors compute; this only reads them.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { DeploymentStatus } from "../../delivery/deployments/deploymentStatus.js";
import { notFound } from "../../errors.js";
import { MAX_EVENT_LIMIT, MonitoringEventStore } from "../../monitoring/events/monitoringEventStore.js";
import { DriftReportStore } from "../../monitoring/online/driftReportStore.js";
import type { SloStatus } from "../../monitoring/slo/sloMonitor.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { int64 } from "../wire.js";
import { FLOWOPS_API_PREFIXES } from "./datasets.js";

/** What the status needs of a stored drift report (DriftReportStore's rows satisfy it). */
export interface LatestDriftReport {
  id: number;
  model: string;
  windowEnd: number;
  rows: number;
  report: {
    share: number;
    datasetDrift: boolean;
    columns: readonly { column: string; drifted: boolean; score: number; method: string }[];
  };
}

export interface LatestDriftSource {
  latest(endpoint: string): Promise<LatestDriftReport | undefined>;
}

/** One endpoint as `GET /api/v1/monitoring/status` shows it. */
export interface EndpointMonitoringStatus {
  endpoint: string;
  phase?: string;
  traffic: { model: string; weight: number; role: "stable" | "candidate" }[];
  slos: {
    id: string;
    kind: string;
    sli: number | null;
    budgetRemaining: number | null;
    burnRates: Record<string, number>;
    value: number | null;
    alerts: { name: string; severity: string; since: number; firing: boolean }[];
  }[];
  drift: {
    reportId: number;
    model: string;
    windowEnd: number;
    rows: number;
    share: number;
    datasetDrift: boolean;
    driftedColumns: string[];
  } | null;
}

export async function monitoringStatusRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const events = new MonitoringEventStore(ctx.meta);
  const drift: LatestDriftSource = new DriftReportStore(ctx.meta);
  const metrics = ctx.monitoring?.metrics;
  if (metrics !== undefined) {
    app.get("/metrics", async (_request, reply) =>
      reply.type(metrics.contentType).send(await metrics.exposition()),
    );
  }

  registerRpc(
    app,
    {
      method: "GET",
      path: "monitoring/status",
      request: z.object({ endpoint: z.string().min(1).optional() }),
      async handle(input) {
        const deployments = (await ctx.delivery?.list()) ?? [];
        const slo = ctx.monitoring?.slo;
        const names = new Set([...deployments.map((d) => d.name), ...(slo?.endpoints() ?? [])]);
        if (input.endpoint !== undefined && !names.has(input.endpoint)) {
          throw notFound(
            `endpoint '${input.endpoint}' is not monitored; endpoints: ${[...names].sort().join(", ") || "none"}`,
          );
        }
        const selected = input.endpoint === undefined ? [...names].sort() : [input.endpoint];
        const now = ctx.now();
        const endpoints = await Promise.all(
          selected.map(async (endpoint) =>
            endpointStatus(
              endpoint,
              deployments.find((d) => d.name === endpoint),
              slo?.status(endpoint, now) ?? [],
              await drift.latest(endpoint),
            ),
          ),
        );
        return { endpoints };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "monitoring/events",
      request: z.object({
        endpoint: z.string().min(1).optional(),
        after_id: int64().optional(),
        limit: int64()
          .refine((n) => n >= 1 && n <= MAX_EVENT_LIMIT, `must be between 1 and ${MAX_EVENT_LIMIT}`)
          .optional(),
      }),
      async handle(input) {
        const list = await events.list({
          ...(input.endpoint === undefined ? {} : { endpoint: input.endpoint }),
          ...(input.after_id === undefined ? {} : { afterId: input.after_id }),
          ...(input.limit === undefined ? {} : { limit: input.limit }),
        });
        return { events: list };
      },
    },
    FLOWOPS_API_PREFIXES,
  );
}

export function endpointStatus(
  endpoint: string,
  deployment: DeploymentStatus | undefined,
  slos: readonly SloStatus[],
  latest: LatestDriftReport | undefined,
): EndpointMonitoringStatus {
  return {
    endpoint,
    ...(deployment === undefined ? {} : { phase: deployment.phase }),
    traffic: (deployment?.weights ?? []).map((route) => ({
      model: route.model,
      weight: route.weight,
      role: route.model === deployment?.stable ? "stable" : "candidate",
    })),
    slos: slos.map((slo) => ({
      id: slo.id,
      kind: slo.kind,
      sli: slo.evaluation?.sli ?? null,
      budgetRemaining: slo.evaluation?.budgetRemaining ?? null,
      burnRates: Object.fromEntries(
        (slo.evaluation?.burnRates ?? []).map((rate) => [rate.window, rate.rate]),
      ),
      value: slo.value ?? null,
      alerts: slo.active,
    })),
    drift:
      latest === undefined
        ? null
        : {
            reportId: latest.id,
            model: latest.model,
            windowEnd: latest.windowEnd,
            rows: latest.rows,
            share: latest.report.share,
            datasetDrift: latest.report.datasetDrift,
            driftedColumns: latest.report.columns.filter((c) => c.drifted).map((c) => c.column),
          },
  };
}
