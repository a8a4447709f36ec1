/**
 * MLflow 3 logged-model calls of the client (`/mlflow/logged-models...`): what a 3.x `log_model` does,
 * create, upload under the returned artifact_uri (via `client.artifacts`), then finalize.
 */
import { decodeDouble, type HttpTransport } from "./http.js";
import { toPage, type LoggedModel, type Page, type Tag, type WirePage } from "./types.js";

export interface LoggedModelOrderBy {
  fieldName: string;
  ascending?: boolean;
  datasetName?: string;
  datasetDigest?: string;
}

export class LoggedModelsApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Creates a model in LOGGED_MODEL_PENDING state; its files go under `info.artifact_uri`.
   * @example const model = await client.loggedModels.create("1", { name: "clf", sourceRunId: runId });
   */
  async create(
    experimentId: string,
    options: { name?: string; modelType?: string; sourceRunId?: string; params?: Tag[]; tags?: Tag[] } = {},
  ): Promise<LoggedModel> {
    const response = await this.http.call<{ model: LoggedModel }>("POST", "logged-models", {
      experiment_id: experimentId,
      name: options.name,
      model_type: options.modelType,
      source_run_id: options.sourceRunId,
      params: options.params,
      tags: options.tags,
    });
    return decodeModel(response.model);
  }

  /**
   * Reads a model.
   * @example const model = await client.loggedModels.get("m-0123...");
   */
  async get(modelId: string): Promise<LoggedModel> {
    return decodeModel(
      (await this.http.call<{ model: LoggedModel }>("GET", `logged-models/${encodeURIComponent(modelId)}`))
        .model,
    );
  }

  /**
   * Marks the upload finished (READY) or failed.
   * @example await client.loggedModels.finalize(modelId, "LOGGED_MODEL_READY");
   */
  async finalize(
    modelId: string,
    status: "LOGGED_MODEL_READY" | "LOGGED_MODEL_UPLOAD_FAILED",
  ): Promise<LoggedModel> {
    const response = await this.http.call<{ model: LoggedModel }>(
      "PATCH",
      `logged-models/${encodeURIComponent(modelId)}`,
      { status },
      { idempotent: true },
    );
    return decodeModel(response.model);
  }

  /**
   * Sets (or replaces) tags on a model.
   * @example await client.loggedModels.setTags(modelId, [{ key: "stage", value: "candidate" }]);
   */
  async setTags(modelId: string, tags: Tag[]): Promise<LoggedModel> {
    const response = await this.http.call<{ model: LoggedModel }>(
      "PATCH",
      `logged-models/${encodeURIComponent(modelId)}/tags`,
      { tags },
      { idempotent: true },
    );
    return decodeModel(response.model);
  }

  /**
   * Marks a model deleted.
   * @example await client.loggedModels.delete(modelId);
   */
  async delete(modelId: string): Promise<void> {
    await this.http.call("DELETE", `logged-models/${encodeURIComponent(modelId)}`);
  }

  /**
   * One page of models of some experiments matching a filter.
   * @example const { items } = await client.loggedModels.search({ experimentIds: ["1"], filter: "metrics.acc > 0.9" });
   */
  async search(options: {
    experimentIds: string[];
    filter?: string;
    datasets?: { datasetName: string; datasetDigest?: string }[];
    maxResults?: number;
    orderBy?: LoggedModelOrderBy[];
    pageToken?: string;
  }): Promise<Page<LoggedModel>> {
    const response = await this.http.call<WirePage<"models", LoggedModel>>(
      "POST",
      "logged-models/search",
      {
        experiment_ids: options.experimentIds,
        filter: options.filter,
        datasets: options.datasets?.map((d) => ({
          dataset_name: d.datasetName,
          dataset_digest: d.datasetDigest,
        })),
        max_results: options.maxResults,
        order_by: options.orderBy?.map((o) => ({
          field_name: o.fieldName,
          ascending: o.ascending,
          dataset_name: o.datasetName,
          dataset_digest: o.datasetDigest,
        })),
        page_token: options.pageToken,
      },
      { idempotent: true },
    );
    const page = toPage(response, "models");
    return { ...page, items: page.items.map(decodeModel) };
  }
}

/**
 * Lists as arrays (the server leaves empty ones out, as MLflow's message_to_json does) and metric values as
 * numbers: the server may send "NaN", or a whole double past 2^53 read as a BigInt.
 */
function decodeModel(model: LoggedModel): LoggedModel {
  const data = model.data ?? { params: [], metrics: [] };
  return {
    ...model,
    info: { ...model.info, tags: model.info.tags ?? [], registrations: model.info.registrations ?? [] },
    data: {
      ...data,
      params: data.params ?? [],
      metrics: (data.metrics ?? []).map((m) => ({
        ...m,
        value: decodeDouble(m.value as number | string | bigint),
      })),
    },
  };
}
