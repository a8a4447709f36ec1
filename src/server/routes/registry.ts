/**
 * The model registry's RPCs (`model_registry.proto`): registered models, model versions, tags, aliases
 * and search. Each route validates its request with a zod schema and calls one store function; registry
 * rules, source checks and SQL live in src/registry, never here.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  getModelVersionByAlias,
  deleteRegisteredModelAlias,
  setRegisteredModelAlias,
} from "../../registry/aliasStore.js";
import {
  createModelVersion,
  deleteModelVersion,
  deleteModelVersionTag,
  getModelVersion,
  getModelVersionDownloadUri,
  setModelVersionTag,
  transitionModelVersionStage,
  updateModelVersion,
} from "../../registry/modelVersionStore.js";
import {
  createRegisteredModel,
  deleteRegisteredModel,
  deleteRegisteredModelTag,
  getLatestVersions,
  getRegisteredModel,
  renameRegisteredModel,
  setRegisteredModelTag,
  updateRegisteredModel,
} from "../../registry/registeredModelStore.js";
import {
  assertModelVersionTagWritable,
  assertPromotionAllowed,
  promotionProtection,
} from "../../registry/promotionGuard.js";
import type { MetadataDb } from "../../db/connect.js";
import { VersionProfileCapture } from "../../monitoring/profiles/versionProfileCapture.js";
import type { RegisteredModel } from "../../registry/entities.js";
import {
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  searchModelVersions,
  searchRegisteredModels,
} from "../../registry/registrySearch.js";
import type { RegistryWebhooks } from "../../registry/webhooks/registryWebhooks.js";
import { pageTokenFor, startOffsetFromPageToken } from "../../tracking/search/mlflowPageToken.js";
import type { ServerContext } from "../context.js";
import { registerProtoRpc } from "./protoRpc.js";
import { bool, keyValue, list } from "../wire.js";
import { stringOrEmpty } from "./protoScalars.js";
import { pythonQueryInteger } from "./queryIntegers.js";

/** Versions are strings in the proto; a client may still send a number. */
const version = z.union([z.string(), z.number().int()]).transform((v) => String(v));

/** `atMost`: the limit of MLflow's handler-level schema (1000 models, 200000 versions). */
const searchRequest = (atMost: number) =>
  z.object({
    filter: z.string().optional(),
    max_results: pythonQueryInteger(atMost).optional(),
    order_by: list(z.string()).optional(),
    page_token: z.string().optional(),
  });

/** `webhooks` hears of each change once it is saved (mlflow's handlers call `deliver_webhook` there). */
export async function registryRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  webhooks: RegistryWebhooks,
): Promise<void> {
  const { db } = ctx.meta;
  const artifactRoots = [ctx.config.defaultArtifactRoot, ctx.config.artifactsDestination];
  const protection = promotionProtection(ctx.config);
  // A version registered from a run that logged a training profile gets it as its drift reference.
  const profileCapture = new VersionProfileCapture({
    meta: ctx.meta,
    config: ctx.config,
    now: () => ctx.now(),
    log: app.log,
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "registered-models/create",
    request: z.object({
      name: z.string(),
      tags: list(keyValue).optional(),
      description: z.string().optional(),
    }),
    handle: async (input) => {
      const created = await createRegisteredModel(db, input, ctx.now());
      webhooks.notify({ kind: "registered_model_created", ...input, tags: input.tags ?? [] });
      return { registered_model: created };
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "registered-models/get",
    request: z.object({ name: z.string() }),
    handle: async ({ name }) => ({ registered_model: await getRegisteredModel(db, name) }),
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "registered-models/rename",
    request: z.object({ name: z.string(), new_name: z.string() }),
    handle: async ({ name, new_name }) => ({
      registered_model: await renameRegisteredModel(db, name, new_name, ctx.now()),
    }),
  });

  registerProtoRpc(app, {
    method: "PATCH",
    path: "registered-models/update",
    request: z.object({ name: z.string(), description: z.string().optional() }),
    // An unset proto2 string reads as "", so MLflow clears the description when none is sent.
    handle: async ({ name, description }) => ({
      registered_model: await updateRegisteredModel(db, name, description ?? "", ctx.now()),
    }),
  });

  registerProtoRpc(app, {
    method: "DELETE",
    path: "registered-models/delete",
    request: z.object({ name: z.string() }),
    handle: async ({ name }) => {
      await deleteRegisteredModel(db, name);
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "registered-models/search",
    request: searchRequest(1000),
    handle: async (input) => {
      const page =
        input.max_results === 0
          ? await emptyRegisteredModelPage(ctx.meta, input)
          : await searchRegisteredModels(ctx.meta, input);
      return {
        registered_models: page.items,
        ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
      };
    },
  });

  registerProtoRpc(app, {
    method: ["POST", "GET"],
    path: "registered-models/get-latest-versions",
    request: z.object({ name: z.string(), stages: list(z.string()).optional() }),
    handle: async ({ name, stages }) => ({ model_versions: await getLatestVersions(db, name, stages ?? []) }),
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "registered-models/set-tag",
    request: z.object({ name: z.string(), key: z.string(), value: stringOrEmpty() }),
    handle: async ({ name, key, value }) => {
      await setRegisteredModelTag(db, name, { key, value });
      webhooks.notify({ kind: "registered_model_tag_set", name, key, value });
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "DELETE",
    path: "registered-models/delete-tag",
    request: z.object({ name: z.string(), key: z.string() }),
    handle: async ({ name, key }) => {
      await deleteRegisteredModelTag(db, name, key);
      webhooks.notify({ kind: "registered_model_tag_deleted", name, key });
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "registered-models/alias",
    request: z.object({ name: z.string(), alias: z.string(), version }),
    handle: async (input) => {
      await assertPromotionAllowed(db, input, protection);
      await setRegisteredModelAlias(db, input.name, input.alias, input.version);
      webhooks.notify({ kind: "alias_set", ...input });
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "DELETE",
    path: "registered-models/alias",
    request: z.object({ name: z.string(), alias: z.string() }),
    handle: async ({ name, alias }) => {
      await deleteRegisteredModelAlias(db, name, alias);
      webhooks.notify({ kind: "alias_deleted", name, alias });
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "registered-models/alias",
    request: z.object({ name: z.string(), alias: z.string() }),
    handle: async ({ name, alias }) => ({ model_version: await getModelVersionByAlias(db, name, alias) }),
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "model-versions/create",
    request: z.object({
      name: z.string(),
      source: z.string(),
      run_id: z.string().optional(),
      tags: list(keyValue).optional(),
      run_link: z.string().optional(),
      description: z.string().optional(),
      model_id: z.string().optional(),
    }),
    handle: async (input) => {
      for (const tag of input.tags ?? []) assertModelVersionTagWritable(tag.key);
      const created = await createModelVersion(db, input, artifactRoots, ctx.now());
      webhooks.notify({
        kind: "model_version_created",
        name: created.name,
        version: created.version,
        source: created.source,
        run_id: created.run_id,
        tags: input.tags ?? [],
        description: input.description,
      });
      await profileCapture.capture(created);
      return { model_version: created };
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "model-versions/get",
    request: z.object({ name: z.string(), version }),
    handle: async (input) => ({ model_version: await getModelVersion(db, input.name, input.version) }),
  });

  registerProtoRpc(app, {
    method: "PATCH",
    path: "model-versions/update",
    request: z.object({ name: z.string(), version, description: z.string().optional() }),
    handle: async (input) => ({
      model_version: await updateModelVersion(db, input.name, input.version, input.description, ctx.now()),
    }),
  });

  registerProtoRpc(app, {
    method: "DELETE",
    path: "model-versions/delete",
    request: z.object({ name: z.string(), version }),
    handle: async (input) => {
      await deleteModelVersion(db, input.name, input.version, ctx.now());
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "model-versions/transition-stage",
    request: z.object({
      name: z.string(),
      version,
      stage: z.string(),
      // MLflow does not require it: left out or null, protobuf leaves it false.
      archive_existing_versions: bool()
        .nullish()
        .transform((archive) => archive ?? false),
    }),
    // Only the target version is gated: archive_existing_versions moves the others out, never in.
    handle: async (input) => {
      await assertPromotionAllowed(db, input, protection);
      return { model_version: await transitionModelVersionStage(db, input, ctx.now()) };
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "model-versions/search",
    request: searchRequest(200_000),
    handle: async (input) => {
      // SearchModelVersions.max_results has a proto default of 200000, which MLflow's handler passes on.
      const page = await searchModelVersions(ctx.meta, {
        ...input,
        max_results: input.max_results ?? SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
      });
      return {
        model_versions: page.items,
        ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
      };
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "model-versions/get-download-uri",
    request: z.object({ name: z.string(), version }),
    handle: async (input) => ({
      artifact_uri: await getModelVersionDownloadUri(db, input.name, input.version),
    }),
  });

  registerProtoRpc(app, {
    method: "POST",
    path: "model-versions/set-tag",
    request: z.object({ name: z.string(), version, key: z.string(), value: stringOrEmpty() }),
    handle: async (input) => {
      assertModelVersionTagWritable(input.key);
      await setModelVersionTag(db, input.name, input.version, { key: input.key, value: input.value });
      webhooks.notify({ kind: "model_version_tag_set", ...input });
      return {};
    },
  });

  registerProtoRpc(app, {
    method: "DELETE",
    path: "model-versions/delete-tag",
    request: z.object({ name: z.string(), version, key: z.string() }),
    handle: async (input) => {
      assertModelVersionTagWritable(input.key);
      await deleteModelVersionTag(db, input.name, input.version, input.key);
      webhooks.notify({ kind: "model_version_tag_deleted", ...input });
      return {};
    },
  });
}

/**
 * MLflow's registered-model search reads `max_results: 0` as a page of no models, with a token for the same
 * offset when any model matches (it fetches max_results + 1 rows to tell); its model-version search refuses 0.
 */
async function emptyRegisteredModelPage(
  meta: MetadataDb,
  request: z.output<ReturnType<typeof searchRequest>>,
): Promise<{ items: RegisteredModel[]; nextPageToken?: string }> {
  const probe = await searchRegisteredModels(meta, { ...request, max_results: 1 });
  if (probe.items.length === 0) return { items: [] };
  return { items: [], nextPageToken: pageTokenFor(startOffsetFromPageToken(request.page_token)) };
}
