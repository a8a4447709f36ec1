/**
 * Drift monitoring on FlowOps' own API (`/api/v1/monitoring`): store and read the reference profile of a model
 * version, and list an endpoint's drift reports (one per compared window), with the live monitor's state of
 * the endpoint when this server runs one. Profiles are built by clients (`flowops monitor profile`); drift is
 * computed by the DriftMonitor, never here.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { notFound } from "../../errors.js";
import { DriftReportStore, type StoredDriftReport } from "../../monitoring/online/driftReportStore.js";
import { referenceProfileSchema } from "../../monitoring/online/profileSchema.js";
import { ProfileStore } from "../../monitoring/online/profileStore.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { int64 } from "../wire.js";
import { FLOWOPS_API_PREFIXES } from "./datasets.js";

/** Versions are strings in the registry's wire; a client may still send a number. */
const version = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

const MAX_REPORTS = 1000;

export async function monitoringRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { db } = ctx.meta;
  const profiles = new ProfileStore(ctx.meta, () => ctx.now());
  const reports = new DriftReportStore(ctx.meta);

  registerRpc(
    app,
    {
      method: "PUT",
      path: "monitoring/profiles",
      request: z.object({
        model_name: z.string().min(1),
        version,
        profile: referenceProfileSchema,
      }),
      async handle(input) {
        const known = await db
          .selectFrom("model_versions")
          .select("version")
          .where("name", "=", input.model_name)
          .where("version", "=", Number(input.version))
          .executeTakeFirst();
        if (known === undefined) {
          throw notFound(`Model version (name=${input.model_name}, version=${input.version}) not found`);
        }
        const stored = await profiles.put(input.model_name, input.version, input.profile);
        return {
          model_name: stored.modelName,
          version: stored.version,
          created_at: stored.createdAt,
          rows: stored.profile.rows,
          columns: stored.profile.columns.map((column) => ({ name: column.name, kind: column.kind })),
        };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "monitoring/profiles",
      request: z.object({ model_name: z.string().min(1), version }),
      async handle(input) {
        const stored = await profiles.getStored(input.model_name, input.version);
        if (stored === undefined) {
          throw notFound(
            `Model '${input.model_name}' version ${input.version} has no reference profile; ` +
              `store one with 'flowops monitor profile models:/${input.model_name}/${input.version} --data <file>'`,
          );
        }
        return {
          model_name: stored.modelName,
          version: stored.version,
          created_at: stored.createdAt,
          profile: stored.profile,
        };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "monitoring/drift",
      request: z.object({
        endpoint: z.string().min(1),
        limit: int64()
          .refine((n) => n >= 1 && n <= MAX_REPORTS, `must be between 1 and ${MAX_REPORTS}`)
          .optional(),
        after_id: int64().optional(),
      }),
      async handle(input) {
        const rows = await reports.list(input.endpoint, {
          limit: input.limit ?? 20,
          afterId: input.after_id,
        });
        const live = ctx.monitoring?.drift.status(input.endpoint);
        return { reports: rows.map(driftReportWire), ...(live === undefined ? {} : { status: live }) };
      },
    },
    FLOWOPS_API_PREFIXES,
  );
}

function driftReportWire(row: StoredDriftReport): object {
  return {
    id: row.id,
    endpoint: row.endpoint,
    model: row.model,
    window_start: row.windowStart,
    window_end: row.windowEnd,
    rows: row.rows,
    share: row.report.share,
    dataset_drift: row.report.datasetDrift,
    report: row.report,
  };
}
