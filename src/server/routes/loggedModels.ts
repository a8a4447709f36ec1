/**
 * MLflow 3 logged-model RPCs (`/mlflow/logged-models...` in service.proto, served on /api/2.0). The 3.x
 * client's `log_model` creates a model here, uploads its files under the returned artifact_uri, and
 * finalizes it; registration then searches and tags it. Validation is at this edge; behaviour is in
 * src/tracking/loggedModels.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { openArtifactLocation } from "../../artifacts/location.js";
import { assertSafeRelativePath } from "../../artifacts/pathSafety.js";
import { FINAL_LOGGED_MODEL_STATUSES, type LoggedModelStatus } from "../../tracking/loggedModels/entities.js";
import { searchLoggedModels } from "../../tracking/loggedModels/search.js";
import { LoggedModelStore } from "../../tracking/loggedModels/store.js";
import type { ServerContext } from "../context.js";
import { registerProtoRpc } from "./protoRpc.js";
import { bool, int64OrDefault, keyValue, list } from "../wire.js";
import { protoEnum } from "./protoScalars.js";

const modelId = z.string().min(1);

// Protobuf JSON may carry an enum as its name or its number (2, "2", 2.7). MLflow finalizes a model back to
// PENDING or UNSPECIFIED for any other value; that would undo a finished upload, so it is refused here.
const finalStatus = protoEnum<LoggedModelStatus>(
  { 1: "LOGGED_MODEL_PENDING", 2: "LOGGED_MODEL_READY", 3: "LOGGED_MODEL_UPLOAD_FAILED" },
  "refuse",
).pipe(z.enum(FINAL_LOGGED_MODEL_STATUSES));

const orderBy = z.object({
  field_name: z.string(),
  ascending: bool().optional(),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
});

const datasetFilter = z.object({ dataset_name: z.string(), dataset_digest: z.string().optional() });

export async function loggedModelRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const store = new LoggedModelStore(ctx.meta, () => ctx.now());

  registerProtoRpc(app, {
    method: "POST",
    path: "logged-models",
    request: z.object({
      experiment_id: z.string().min(1),
      name: z.string().optional(),
      model_type: z.string().optional(),
      source_run_id: z.string().optional(),
      params: list(keyValue).optional(),
      tags: list(keyValue).optional(),
    }),
    async handle(input) {
      const model = await store.create({
        experimentId: input.experiment_id,
        name: input.name,
        modelType: input.model_type,
        sourceRunId: input.source_run_id,
        params: input.params,
        tags: input.tags,
      });
      return { model };
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "logged-models/search",
    request: z.object({
      experiment_ids: list(z.string()).optional(),
      filter: z.string().optional(),
      datasets: list(datasetFilter).optional(),
      max_results: int64OrDefault().optional(),
      order_by: list(orderBy).optional(),
      page_token: z.string().optional(),
    }),
    async handle(input) {
      const page = await searchLoggedModels(ctx.meta, {
        experimentIds: input.experiment_ids ?? [],
        filter: input.filter,
        datasets: input.datasets,
        maxResults: input.max_results,
        orderBy: input.order_by,
        pageToken: input.page_token,
      });
      return page.nextPageToken === undefined
        ? { models: page.models }
        : { models: page.models, next_page_token: page.nextPageToken };
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "logged-models/:model_id",
    request: z.object({ model_id: modelId }),
    async handle(input) {
      return { model: await store.get(input.model_id) };
    },
  });

  registerProtoRpc(app, {
    method: "DELETE",
    path: "logged-models/:model_id",
    request: z.object({ model_id: modelId }),
    async handle(input) {
      await store.delete(input.model_id);
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "PATCH",
    path: "logged-models/:model_id",
    request: z.object({ model_id: modelId, status: finalStatus }),
    async handle(input) {
      return { model: await store.finalize(input.model_id, input.status) };
    },
  });

  registerProtoRpc(app, {
    method: "PATCH",
    path: "logged-models/:model_id/tags",
    request: z.object({ model_id: modelId, tags: list(keyValue).optional() }),
    async handle(input) {
      return { model: await store.setTags(input.model_id, input.tags ?? []) };
    },
  });

  // Tag keys may contain slashes, which the client does not escape, so the key is the rest of the path.
  registerProtoRpc(app, {
    method: "DELETE",
    path: "logged-models/:model_id/tags/*",
    request: z.preprocess(
      (v) => {
        const fields = (v ?? {}) as Record<string, unknown>;
        return { ...fields, tag_key: fields.tag_key ?? fields["*"] };
      },
      z.object({ model_id: modelId, tag_key: z.string().min(1) }),
    ),
    async handle(input) {
      await store.deleteTag(input.model_id, input.tag_key);
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "logged-models/:model_id/params",
    request: z.object({ model_id: modelId, params: list(keyValue).optional() }),
    async handle(input) {
      await store.logParams(input.model_id, input.params ?? []);
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "logged-models/:model_id/artifacts/directories",
    request: z.object({
      model_id: modelId,
      artifact_directory_path: z.string().optional(),
      page_token: z.string().optional(),
    }),
    async handle(input) {
      const model = await store.get(input.model_id);
      const dir = assertSafeRelativePath(input.artifact_directory_path ?? "", "artifact_directory_path");
      const files = await openArtifactLocation(model.info.artifact_uri, ctx.config).list(dir);
      // MLflow lists one directory in a single page, so no next_page_token is ever sent.
      return { root_uri: model.info.artifact_uri, files };
    },
  });
}
