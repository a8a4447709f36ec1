/**
 * The logged-model store (MLflow 3): create a model in PENDING state under an experiment, finalize it once
 * its files are uploaded, and keep its tags (mutable) and params (immutable). Deletion is soft, through the
 * lifecycle stage, and a deleted model reads as missing, as in MLflow's SQL store. Search lives in search.ts.
 */
import { randomUUID } from "node:crypto";
import { invalidParameter, notFound, type FlowOpsError } from "../../errors.js";
import type { MetadataDb } from "../../db/connect.js";
import type { Tag } from "../entities.js";
import { readExperiments } from "../experimentReader.js";
import { parseExperimentId } from "../experimentStore.js";
import type { FinalLoggedModelStatus, LoggedModel } from "./entities.js";
import { assertValidModelName, assertValidParams, assertValidTags, generateModelName } from "./modelName.js";
import { readLifecycleStage, readLoggedModels } from "./reader.js";

export interface CreateLoggedModelInput {
  experimentId: string;
  name?: string | undefined;
  modelType?: string | undefined;
  sourceRunId?: string | undefined;
  params?: readonly Tag[] | undefined;
  tags?: readonly Tag[] | undefined;
  creatorId?: string | undefined;
}

export class LoggedModelStore {
  constructor(
    private readonly meta: MetadataDb,
    private readonly now: () => number = Date.now,
  ) {}

  async create(input: CreateLoggedModelInput): Promise<LoggedModel> {
    const name = input.name === undefined || input.name === "" ? generateModelName() : input.name;
    assertValidModelName(name);
    const params = input.params ?? [];
    const tags = input.tags ?? [];
    assertValidParams(params);
    assertValidTags(tags);
    const experimentId = parseExperimentId(input.experimentId);
    const [experiment] =
      experimentId === undefined ? [] : await readExperiments(this.meta.db, [experimentId]);
    if (experiment === undefined || experimentId === undefined) {
      throw notFound(`No Experiment with id=${input.experimentId} exists`);
    }
    if (experiment.lifecycle_stage !== "active") {
      throw invalidParameter(
        `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
      );
    }
    const modelId = `m-${randomUUID().replace(/-/g, "")}`;
    const now = this.now();
    await this.meta.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("logged_models")
        .values({
          model_id: modelId,
          experiment_id: experimentId,
          name,
          artifact_location: modelArtifactLocation(experiment.artifact_location, modelId),
          creation_timestamp_ms: now,
          last_updated_timestamp_ms: now,
          status: "LOGGED_MODEL_PENDING",
          status_message: null,
          lifecycle_stage: "active",
          model_type: input.modelType ?? null,
          source_run_id: input.sourceRunId ?? null,
          creator_id: input.creatorId ?? null,
        })
        .execute();
      if (params.length > 0) {
        await trx
          .insertInto("logged_model_params")
          .values(params.map((p) => ({ model_id: modelId, key: p.key, value: p.value })))
          .execute();
      }
      if (tags.length > 0) {
        await trx
          .insertInto("logged_model_tags")
          .values(lastValuePerKey(tags).map((t) => ({ model_id: modelId, key: t.key, value: t.value })))
          .execute();
      }
    });
    return this.get(modelId);
  }

  /** An active model; a deleted or unknown id is RESOURCE_DOES_NOT_EXIST. */
  async get(modelId: string): Promise<LoggedModel> {
    const [model] = await readLoggedModels(this.meta.db, [modelId]);
    if (model === undefined || (await readLifecycleStage(this.meta.db, modelId)) !== "active") {
      throw modelNotFound(modelId);
    }
    return model;
  }

  async delete(modelId: string): Promise<void> {
    await this.assertActive(modelId);
    await this.meta.db
      .updateTable("logged_models")
      .set({ lifecycle_stage: "deleted", last_updated_timestamp_ms: this.now() })
      .where("model_id", "=", modelId)
      .execute();
  }

  async finalize(modelId: string, status: FinalLoggedModelStatus): Promise<LoggedModel> {
    await this.assertActive(modelId);
    await this.meta.db
      .updateTable("logged_models")
      .set({ status, last_updated_timestamp_ms: this.now() })
      .where("model_id", "=", modelId)
      .execute();
    return this.get(modelId);
  }

  /** Upserts tags: a key already set takes the new value. */
  async setTags(modelId: string, tags: readonly Tag[]): Promise<LoggedModel> {
    assertValidTags(tags);
    await this.assertActive(modelId);
    await this.meta.db.transaction().execute(async (trx) => {
      for (const tag of lastValuePerKey(tags)) {
        await trx
          .insertInto("logged_model_tags")
          .values({ model_id: modelId, key: tag.key, value: tag.value })
          .onConflict((oc) => oc.columns(["model_id", "key"]).doUpdateSet({ value: tag.value }))
          .execute();
      }
      await trx
        .updateTable("logged_models")
        .set({ last_updated_timestamp_ms: this.now() })
        .where("model_id", "=", modelId)
        .execute();
    });
    return this.get(modelId);
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.assertActive(modelId);
    const result = await this.meta.db
      .deleteFrom("logged_model_tags")
      .where("model_id", "=", modelId)
      .where("key", "=", key)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw notFound(
        `No tag with key ${JSON.stringify(key)} found for model with ID ${JSON.stringify(modelId)}.`,
      );
    }
  }

  /**
   * Params are immutable: logging a key again with the same value is a no-op (so a retried request
   * succeeds), with another value it is INVALID_PARAMETER_VALUE.
   */
  async logParams(modelId: string, params: readonly Tag[]): Promise<void> {
    assertValidParams(params);
    await this.assertActive(modelId);
    if (params.length === 0) return;
    await this.meta.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom("logged_model_params")
        .select(["key", "value"])
        .where("model_id", "=", modelId)
        .where(
          "key",
          "in",
          params.map((p) => p.key),
        )
        .execute();
      const current = new Map(existing.map((row) => [row.key, row.value]));
      const changed = params.filter((p) => current.has(p.key) && current.get(p.key) !== p.value);
      if (changed.length > 0) {
        const first = changed[0];
        throw invalidParameter(
          `Changing param values is not allowed. Param with key='${first?.key}' was already logged with ` +
            `value='${current.get(first?.key ?? "")}' for model ID='${modelId}'. Attempted logging new value '${first?.value}'.`,
        );
      }
      const fresh = params.filter((p) => !current.has(p.key));
      if (fresh.length > 0) {
        await trx
          .insertInto("logged_model_params")
          .values(fresh.map((p) => ({ model_id: modelId, key: p.key, value: p.value })))
          .execute();
      }
    });
  }

  private async assertActive(modelId: string): Promise<void> {
    if ((await readLifecycleStage(this.meta.db, modelId)) !== "active") throw modelNotFound(modelId);
  }
}

/** `<experiment artifact location>/models/<model_id>/artifacts`, as MLflow's SQL store builds it. */
export function modelArtifactLocation(experimentLocation: string, modelId: string): string {
  const base = experimentLocation.endsWith("/") ? experimentLocation : `${experimentLocation}/`;
  return `${base}models/${modelId}/artifacts`;
}

export function modelNotFound(modelId: string): FlowOpsError {
  return notFound(`Logged model with ID '${modelId}' not found.`);
}

function lastValuePerKey(tags: readonly Tag[]): Tag[] {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}
