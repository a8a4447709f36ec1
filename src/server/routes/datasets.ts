/**
 * Dataset versions and lineage on FlowOps' own API (`/api/v1`, beside MLflow's `/api/2.0`): record, list
 * and read versions, link one to a run (an MLflow dataset input, so MLflow clients see it too), and trace
 * a registered model version back to its data. Validation is here; behaviour is in data/datasetVersions.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  getDatasetVersion,
  lineageOfModelVersion,
  linkDatasetVersionToRun,
  listDatasetVersions,
  recordDatasetVersion,
  runsOfDatasetVersion,
} from "../../data/datasetVersions.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { int64 } from "../wire.js";

/** FlowOps' own resources live under this prefix; MLflow's wire stays under /api/2.0 and /ajax-api/2.0. */
export const FLOWOPS_API_PREFIXES = ["/api/v1"] as const;

const nonNegative = () => int64().refine((n) => n >= 0, "must be a non-negative integer");

export async function datasetRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { db } = ctx.meta;

  registerRpc(
    app,
    {
      method: "POST",
      path: "datasets/versions",
      request: z.object({
        name: z.string().min(1),
        path: z.string().min(1),
        md5: z.string().min(1),
        size: nonNegative(),
        nfiles: nonNegative().optional(),
        remote: z.string().min(1).optional(),
        git_commit: z.string().min(1).optional(),
        created_by: z.string().min(1).optional(),
      }),
      async handle(input) {
        const { datasetVersion, created } = await recordDatasetVersion(db, input, ctx.now());
        return { dataset_version: datasetVersion, created };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "datasets/versions",
      request: z.object({ name: z.string().min(1).optional(), max_results: int64().optional() }),
      async handle(input) {
        return {
          dataset_versions: await listDatasetVersions(db, {
            name: input.name,
            maxResults: input.max_results,
          }),
        };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "datasets/versions/:id",
      request: z.object({ id: z.string().min(1) }),
      async handle(input) {
        const datasetVersion = await getDatasetVersion(db, input.id);
        return { dataset_version: datasetVersion, run_ids: await runsOfDatasetVersion(db, input.id) };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "POST",
      path: "datasets/versions/:id/runs",
      request: z.object({
        id: z.string().min(1),
        run_id: z.string().min(1),
        context: z.string().min(1).optional(),
      }),
      async handle(input) {
        const datasetVersion = await linkDatasetVersionToRun(db, input.id, input.run_id, {
          context: input.context,
        });
        return { dataset_version: datasetVersion, run_id: input.run_id };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "lineage/model-versions/:name/:version",
      request: z.object({ name: z.string().min(1), version: z.string().min(1) }),
      async handle(input) {
        return lineageOfModelVersion(db, input.name, input.version);
      },
    },
    FLOWOPS_API_PREFIXES,
  );
}
