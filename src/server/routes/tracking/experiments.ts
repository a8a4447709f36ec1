/** Experiment RPCs (service.proto): thin handlers over the experiment store. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  createExperiment,
  deleteExperiment,
  deleteExperimentTag,
  getExperiment,
  getExperimentByName,
  renameExperiment,
  restoreExperiment,
  setExperimentTag,
} from "../../../tracking/experimentStore.js";
import { searchDatasetSummaries } from "../../../tracking/datasetSummaries.js";
import type { Experiment } from "../../../tracking/entities.js";
import type { ServerContext } from "../../context.js";
import { registerProtoRpc } from "../protoRpc.js";
import { list } from "../../wire.js";
import { requiredString } from "../protoScalars.js";
import { assertedStringOrEmpty, experimentId, tagList } from "./requestFields.js";

/**
 * An experiment as MLflow 3.17 answers it: its `workspace` field is set even on a server without workspaces,
 * to the one every experiment is in ("default"), as FlowOps's single namespace is.
 */
export function experimentAnswer(experiment: Experiment): Experiment & { workspace: string } {
  return { ...experiment, workspace: "default" };
}

export async function experimentRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.meta.db;

  registerProtoRpc(app, {
    method: "POST",
    path: "experiments/create",
    request: z.object({ name: requiredString(), artifact_location: z.string().optional(), tags: tagList() }),
    handle: async (input) => ({
      experiment_id: await createExperiment(db, input, ctx.config.defaultArtifactRoot, ctx.now()),
    }),
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "experiments/get",
    request: z.object({ experiment_id: experimentId() }),
    handle: async (input) => ({ experiment: experimentAnswer(await getExperiment(db, input.experiment_id)) }),
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "experiments/get-by-name",
    request: z.object({ experiment_name: z.string() }),
    handle: async (input) => ({
      experiment: experimentAnswer(await getExperimentByName(db, input.experiment_name)),
    }),
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "experiments/update",
    request: z.object({ experiment_id: experimentId(), new_name: requiredString() }),
    handle: async (input) => {
      await renameExperiment(db, input.experiment_id, input.new_name, ctx.now());
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "experiments/delete",
    request: z.object({ experiment_id: experimentId() }),
    handle: async (input) => {
      await deleteExperiment(db, input.experiment_id, ctx.now());
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "experiments/restore",
    request: z.object({ experiment_id: experimentId() }),
    handle: async (input) => {
      await restoreExperiment(db, input.experiment_id, ctx.now());
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "experiments/set-experiment-tag",
    request: z.object({
      experiment_id: experimentId(),
      key: requiredString(),
      value: assertedStringOrEmpty(),
    }),
    handle: async (input) => {
      await setExperimentTag(db, input.experiment_id, { key: input.key, value: input.value });
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "experiments/delete-experiment-tag",
    request: z.object({ experiment_id: experimentId(), key: requiredString() }),
    handle: async (input) => {
      await deleteExperimentTag(db, input.experiment_id, input.key);
      return {};
    },
  });

  // The UI's dataset list: MLflow serves it under /ajax-api alone.
  registerProtoRpc(
    app,
    {
      method: "POST",
      path: "experiments/search-datasets",
      request: z.object({ experiment_ids: list(z.string()).optional() }),
      handle: async (input) => {
        const summaries = await searchDatasetSummaries(db, input.experiment_ids ?? []);
        // Protobuf's JSON leaves an empty repeated field out: no summaries is `{}`.
        return summaries.length > 0 ? { dataset_summaries: summaries } : {};
      },
    },
    ["/ajax-api/2.0/mlflow"],
  );

  // MLflow's endpoint table also lists this rule without the slash after "2.0"; it answers an empty 404.
  for (const prefix of ["/api/2.0mlflow", "/ajax-api/2.0mlflow"]) {
    app.post(`${prefix}/experiments/search-datasets`, async (_request, reply) =>
      reply.code(404).type("text/html; charset=utf-8").send(""),
    );
  }
}
