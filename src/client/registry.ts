/**
 * Model-registry calls of the client (`/mlflow/registered-models/...`, `/mlflow/model-versions/...`).
 * Lists the proto may omit when empty are filled in, so callers can iterate without checks.
 */
import type { HttpTransport } from "./http.js";
import {
  toPage,
  type ModelVersion,
  type Page,
  type RegisteredModel,
  type SearchOptions,
  type Stage,
  type Tag,
  type WirePage,
} from "./types.js";

export class RegistryApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Creates a registered model.
   * @example const model = await client.registry.createRegisteredModel("churn", { description: "v1" });
   */
  async createRegisteredModel(
    name: string,
    options: { description?: string; tags?: Tag[] } = {},
  ): Promise<RegisteredModel> {
    const response = await this.http.call<{ registered_model: RegisteredModel }>(
      "POST",
      "registered-models/create",
      {
        name,
        description: options.description,
        tags: options.tags,
      },
    );
    return registeredModel(response.registered_model);
  }

  /**
   * Reads a registered model with its latest versions and aliases.
   * @example const model = await client.registry.getRegisteredModel("churn");
   */
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const response = await this.http.call<{ registered_model: RegisteredModel }>(
      "GET",
      "registered-models/get",
      { name },
    );
    return registeredModel(response.registered_model);
  }

  /**
   * One page of registered models matching a filter.
   * @example const { items } = await client.registry.searchRegisteredModels({ filter: "name LIKE 'churn%'" });
   */
  async searchRegisteredModels(options: SearchOptions = {}): Promise<Page<RegisteredModel>> {
    const response = await this.http.call<WirePage<"registered_models", RegisteredModel>>(
      "GET",
      "registered-models/search",
      {
        filter: options.filter,
        max_results: options.maxResults,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
    );
    const page = toPage(response, "registered_models");
    return { ...page, items: page.items.map(registeredModel) };
  }

  /**
   * Registers a new version of a model from an artifact source (`runs:/`, `models:/<model_id>`, a storage URI).
   * @example const v = await client.registry.createModelVersion("churn", "runs:/abc/model", { runId: "abc" });
   */
  async createModelVersion(
    name: string,
    source: string,
    options: { runId?: string; modelId?: string; description?: string; tags?: Tag[]; runLink?: string } = {},
  ): Promise<ModelVersion> {
    const response = await this.http.call<{ model_version: ModelVersion }>("POST", "model-versions/create", {
      name,
      source,
      run_id: options.runId,
      model_id: options.modelId,
      description: options.description,
      tags: options.tags,
      run_link: options.runLink,
    });
    return modelVersion(response.model_version);
  }

  /**
   * Reads one model version.
   * @example const v = await client.registry.getModelVersion("churn", "1");
   */
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const response = await this.http.call<{ model_version: ModelVersion }>("GET", "model-versions/get", {
      name,
      version,
    });
    return modelVersion(response.model_version);
  }

  /**
   * One page of model versions matching a filter.
   * @example const { items } = await client.registry.searchModelVersions({ filter: "name = 'churn'" });
   */
  async searchModelVersions(options: SearchOptions = {}): Promise<Page<ModelVersion>> {
    const response = await this.http.call<WirePage<"model_versions", ModelVersion>>(
      "GET",
      "model-versions/search",
      {
        filter: options.filter,
        max_results: options.maxResults,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
    );
    const page = toPage(response, "model_versions");
    return { ...page, items: page.items.map(modelVersion) };
  }

  /**
   * Points an alias at a version (moving it if it pointed elsewhere).
   * @example await client.registry.setAlias("churn", "champion", "3");
   */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.http.call("POST", "registered-models/alias", { name, alias, version }, { idempotent: true });
  }

  /**
   * Removes an alias.
   * @example await client.registry.deleteAlias("churn", "champion");
   */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.http.call("DELETE", "registered-models/alias", { name, alias }, { idempotent: true });
  }

  /**
   * The version an alias points at.
   * @example const champion = await client.registry.getModelVersionByAlias("churn", "champion");
   */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const response = await this.http.call<{ model_version: ModelVersion }>("GET", "registered-models/alias", {
      name,
      alias,
    });
    return modelVersion(response.model_version);
  }

  /**
   * Moves a version to a stage (the pre-alias workflow), optionally archiving the stage's current versions.
   * @example await client.registry.transitionStage("churn", "3", "Production", { archiveExistingVersions: true });
   */
  async transitionStage(
    name: string,
    version: string,
    stage: Stage,
    options: { archiveExistingVersions?: boolean } = {},
  ): Promise<ModelVersion> {
    const response = await this.http.call<{ model_version: ModelVersion }>(
      "POST",
      "model-versions/transition-stage",
      {
        name,
        version,
        stage,
        archive_existing_versions: options.archiveExistingVersions ?? false,
      },
    );
    return modelVersion(response.model_version);
  }

  /**
   * Sets (or replaces) a tag on a registered model.
   * @example await client.registry.setRegisteredModelTag("churn", "owner", "ana");
   */
  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.http.call("POST", "registered-models/set-tag", { name, key, value }, { idempotent: true });
  }

  /**
   * Sets (or replaces) a tag on a model version.
   * @example await client.registry.setModelVersionTag("churn", "3", "validated", "true");
   */
  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.http.call(
      "POST",
      "model-versions/set-tag",
      { name, version, key, value },
      { idempotent: true },
    );
  }

  /**
   * The storage URI a version's files can be downloaded from.
   * @example const uri = await client.registry.getDownloadUri("churn", "3");
   */
  async getDownloadUri(name: string, version: string): Promise<string> {
    const response = await this.http.call<{ artifact_uri: string }>(
      "GET",
      "model-versions/get-download-uri",
      {
        name,
        version,
      },
    );
    return response.artifact_uri;
  }
}

function modelVersion(version: ModelVersion): ModelVersion {
  return { ...version, tags: version.tags ?? [], aliases: version.aliases ?? [] };
}

function registeredModel(model: RegisteredModel): RegisteredModel {
  return {
    ...model,
    latest_versions: (model.latest_versions ?? []).map(modelVersion),
    tags: model.tags ?? [],
    aliases: model.aliases ?? [],
  };
}
