/**
 * MLflow 3 evaluation dataset RPCs under /api/3.0/mlflow/datasets (CreateDataset, GetDataset,
 * DeleteDataset, SearchEvaluationDatasets, SetDatasetTags, DeleteDatasetTag, UpsertDatasetRecords,
 * GetDatasetRecords, DeleteDatasetRecords and the experiment links) as `mlflow.genai.datasets` calls them.
 * Tags and records travel as JSON text inside the JSON body; they are read here, behaviour is in
 * src/tracking/evaluationDatasets.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidParameter } from "../../errors.js";
import { recordsText, toDatasetWire, type JsonDict } from "../../tracking/evaluationDatasets/entities.js";
import { parseJsonObjectField, parseRecords } from "../../tracking/evaluationDatasets/recordMerge.js";
import { searchDatasetIds } from "../../tracking/evaluationDatasets/search.js";
import { EvaluationDatasetStore } from "../../tracking/evaluationDatasets/store.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { int64OrDefault, list } from "../wire.js";
import { pythonQueryInteger } from "./queryIntegers.js";

const V3_PREFIXES = ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] as const;
const datasetId = { dataset_id: z.string() };

function missing(name: string) {
  return invalidParameter(
    `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`,
  );
}

/** A `tags` field: JSON text of an object (mlflow answers a 500 for anything else; this says why). */
function tagsFrom(text: string | undefined): JsonDict | undefined {
  if (text === undefined || text === "") return undefined;
  return parseJsonObjectField("tags", text);
}

export async function evaluationDatasetRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const store = new EvaluationDatasetStore(ctx.meta, () => ctx.now());
  const rpc = (route: Parameters<typeof registerRpc>[1]) => registerRpc(app, route, V3_PREFIXES);

  rpc({
    method: "POST",
    path: "datasets/create",
    request: z.object({
      name: z.string().optional(),
      experiment_ids: list(z.string()).optional(),
      tags: z.string().optional(),
    }),
    async handle(input: { name?: string; experiment_ids?: string[]; tags?: string }) {
      if (input.name === undefined || input.name === "") throw missing("name");
      const dataset = await store.create(input.name, tagsFrom(input.tags), input.experiment_ids ?? []);
      return { dataset: toDatasetWire(dataset) };
    },
  });

  rpc({
    method: ["GET", "POST"],
    path: "datasets/search",
    request: z.object({
      experiment_ids: list(z.string()).optional(),
      filter_string: z.string().optional(),
      max_results: z.union([int64OrDefault(), pythonQueryInteger()]).optional(),
      order_by: list(z.string()).optional(),
      page_token: z.string().optional(),
    }),
    async handle(input: {
      experiment_ids?: string[];
      filter_string?: string;
      max_results?: number | undefined;
      order_by?: string[];
      page_token?: string;
    }) {
      const page = await searchDatasetIds(ctx.meta, {
        ...(input.experiment_ids !== undefined && { experimentIds: input.experiment_ids }),
        ...(input.filter_string !== undefined && { filter: input.filter_string }),
        ...(input.max_results !== undefined && { maxResults: input.max_results }),
        ...(input.order_by !== undefined && { orderBy: input.order_by }),
        ...(input.page_token !== undefined && { pageToken: input.page_token }),
      });
      const datasets = await store.getMany(page.datasetIds);
      return {
        ...(datasets.length > 0 && { datasets: datasets.map(toDatasetWire) }),
        ...(page.nextPageToken !== undefined && { next_page_token: page.nextPageToken }),
      };
    },
  });

  rpc({
    method: "GET",
    path: "datasets/:dataset_id",
    request: z.object(datasetId),
    async handle(input: { dataset_id: string }) {
      return { dataset: toDatasetWire(await store.get(input.dataset_id)) };
    },
  });

  rpc({
    method: "DELETE",
    path: "datasets/:dataset_id",
    request: z.object(datasetId),
    async handle(input: { dataset_id: string }) {
      await store.delete(input.dataset_id);
      return {};
    },
  });

  rpc({
    method: "PATCH",
    path: "datasets/:dataset_id/tags",
    request: z.object({ ...datasetId, tags: z.string().optional() }),
    async handle(input: { dataset_id: string; tags?: string }) {
      const tags = tagsFrom(input.tags);
      if (tags === undefined) throw missing("tags");
      await store.setTags(input.dataset_id, tags);
      return {};
    },
  });

  rpc({
    method: "DELETE",
    path: "datasets/:dataset_id/tags/:key",
    request: z.object({ ...datasetId, key: z.string() }),
    async handle(input: { dataset_id: string; key: string }) {
      await store.deleteTag(input.dataset_id, input.key);
      return {};
    },
  });

  rpc({
    method: "POST",
    path: "datasets/:dataset_id/records",
    request: z.object({ ...datasetId, records: z.string().optional() }),
    async handle(input: { dataset_id: string; records?: string }) {
      if (input.records === undefined || input.records === "") throw missing("records");
      const counts = await store.upsertRecords(input.dataset_id, parseRecords(input.records));
      return { inserted_count: counts.inserted, updated_count: counts.updated };
    },
  });

  rpc({
    method: "GET",
    path: "datasets/:dataset_id/records",
    request: z.object({
      ...datasetId,
      max_results: pythonQueryInteger().optional(),
      page_token: z.string().optional(),
    }),
    async handle(input: { dataset_id: string; max_results?: number; page_token?: string }) {
      // `max_results or 1000`: an unset or zero limit reads as the default.
      const page = await store.records(input.dataset_id, input.max_results || undefined, input.page_token);
      return {
        records: recordsText(page.records),
        ...(page.nextPageToken !== undefined && { next_page_token: page.nextPageToken }),
      };
    },
  });

  rpc({
    method: "DELETE",
    path: "datasets/:dataset_id/records",
    request: z.object({ ...datasetId, dataset_record_ids: list(z.string()).optional() }),
    async handle(input: { dataset_id: string; dataset_record_ids?: string[] }) {
      return { deleted_count: await store.deleteRecords(input.dataset_id, input.dataset_record_ids ?? []) };
    },
  });

  rpc({
    method: "GET",
    path: "datasets/:dataset_id/experiment-ids",
    request: z.object(datasetId),
    async handle(input: { dataset_id: string }) {
      const ids = await store.experimentIds(input.dataset_id);
      return ids.length === 0 ? {} : { experiment_ids: ids };
    },
  });

  for (const [path, link] of [
    ["add-experiments", (id: string, ids: string[]) => store.addToExperiments(id, ids)],
    ["remove-experiments", (id: string, ids: string[]) => store.removeFromExperiments(id, ids)],
  ] as const) {
    rpc({
      method: "POST",
      path: `datasets/:dataset_id/${path}`,
      request: z.object({ ...datasetId, experiment_ids: list(z.string()).optional() }),
      async handle(input: { dataset_id: string; experiment_ids?: string[] }) {
        return { dataset: toDatasetWire(await link(input.dataset_id, input.experiment_ids ?? [])) };
      },
    });
  }
}
