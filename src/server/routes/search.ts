/**
 * runs/search and experiments/search: validate the request, find ids with the SQL searches, then load the
 * page's objects with the shared readers. Empty lists and an absent next page are omitted, as proto JSON
 * omits unset repeated fields.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ViewType } from "../../tracking/entities.js";
import { readExperiments } from "../../tracking/experimentReader.js";
import { readRuns } from "../../tracking/runReader.js";
import { searchExperiments } from "../../tracking/search/searchExperiments.js";
import { searchRuns } from "../../tracking/search/searchRuns.js";
import type { ServerContext } from "../context.js";
import { registerProtoRpc } from "./protoRpc.js";
import { int64OrDefault, list } from "../wire.js";
import { protoEnum } from "./protoScalars.js";
import { experimentAnswer } from "./tracking/experiments.js";

/**
 * ViewType by name (proto JSON) or by number (older clients, hand-written query strings). A number that names
 * no view type passes MLflow's `_assert_intlike`, so the search keeps its default view rather than failing.
 */
const viewType = () => protoEnum<ViewType>({ 1: "ACTIVE_ONLY", 2: "DELETED_ONLY", 3: "ALL" }, "unset");

const experimentIdList = () => list(z.union([z.string(), z.number().int()]).transform(String)).optional();

const searchRunsRequest = z.object({
  experiment_ids: experimentIdList(),
  filter: z.string().optional(),
  run_view_type: viewType().optional(),
  // SearchRuns.max_results has a proto default of 1000, which a fractional value falls back to.
  max_results: int64OrDefault().optional(),
  order_by: list(z.string()).optional(),
  page_token: z.string().optional(),
});

const searchExperimentsRequest = z.object({
  filter: z.string().optional(),
  view_type: viewType().optional(),
  // SearchExperiments.max_results has no proto default, so MLflow reads a fractional value as 0 and refuses it.
  max_results: int64OrDefault(0).optional(),
  order_by: list(z.string()).optional(),
  page_token: z.string().optional(),
});

export async function searchRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  registerProtoRpc(app, {
    method: "POST",
    path: "runs/search",
    request: searchRunsRequest,
    handle: async (input) => {
      const found = await searchRuns(ctx.meta, { ...input, experiment_ids: input.experiment_ids ?? [] });
      const runs = await readRuns(ctx.meta.db, found.runIds);
      return {
        ...(runs.length > 0 ? { runs } : {}),
        ...(found.nextPageToken !== undefined ? { next_page_token: found.nextPageToken } : {}),
      };
    },
  });

  registerProtoRpc(app, {
    method: ["GET", "POST"],
    path: "experiments/search",
    request: searchExperimentsRequest,
    handle: async (input) => {
      // No proto default either when max_results is left out: MLflow's store gets 0 and refuses it.
      const found = await searchExperiments(ctx.meta, { ...input, max_results: input.max_results ?? 0 });
      const experiments = await readExperiments(ctx.meta.db, found.experimentIds);
      return {
        ...(experiments.length > 0 ? { experiments: experiments.map(experimentAnswer) } : {}),
        ...(found.nextPageToken !== undefined ? { next_page_token: found.nextPageToken } : {}),
      };
    },
  });
}
