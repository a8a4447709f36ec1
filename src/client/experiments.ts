/**
 * Experiment calls of the client (`/mlflow/experiments/...`). Pure wire mapping: validation and behaviour
 * belong to the server.
 */
import { FlowOpsError } from "../errors.js";
import type { HttpTransport } from "./http.js";
import {
  toPage,
  type Experiment,
  type Page,
  type SearchOptions,
  type Tag,
  type ViewType,
  type WirePage,
} from "./types.js";

const SEARCH_EXPERIMENTS_DEFAULT_MAX_RESULTS = 1000;

export class ExperimentsApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Creates an experiment and returns its id.
   * @example const id = await client.experiments.create("churn", { tags: [{ key: "team", value: "ml" }] });
   */
  async create(name: string, options: { artifactLocation?: string; tags?: Tag[] } = {}): Promise<string> {
    const response = await this.http.call<{ experiment_id: string }>("POST", "experiments/create", {
      name,
      artifact_location: options.artifactLocation,
      tags: options.tags,
    });
    return response.experiment_id;
  }

  /**
   * Reads an experiment by id, deleted ones included.
   * @example const experiment = await client.experiments.get("1");
   */
  async get(experimentId: string): Promise<Experiment> {
    const response = await this.http.call<{ experiment: Experiment }>("GET", "experiments/get", {
      experiment_id: experimentId,
    });
    return withTagList(response.experiment);
  }

  /**
   * Reads an experiment by name; `undefined` when there is none, as MLflow's client returns None.
   * @example const experiment = (await client.experiments.getByName("churn")) ?? null;
   */
  async getByName(name: string): Promise<Experiment | undefined> {
    try {
      const response = await this.http.call<{ experiment: Experiment }>("GET", "experiments/get-by-name", {
        experiment_name: name,
      });
      return withTagList(response.experiment);
    } catch (error) {
      if (error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST") return undefined;
      throw error;
    }
  }

  /**
   * One page of experiments matching a filter.
   * @example const { items } = await client.experiments.search({ filter: "name LIKE 'churn%'", viewType: "ALL" });
   */
  async search(options: SearchOptions & { viewType?: ViewType } = {}): Promise<Page<Experiment>> {
    const response = await this.http.call<WirePage<"experiments", Experiment>>(
      "POST",
      "experiments/search",
      {
        filter: options.filter,
        // MLflow's server reads a missing max_results as 0 and refuses it; its Python client always sends 1000.
        max_results: options.maxResults ?? SEARCH_EXPERIMENTS_DEFAULT_MAX_RESULTS,
        order_by: options.orderBy,
        page_token: options.pageToken,
        view_type: options.viewType,
      },
      { idempotent: true },
    );
    const page = toPage(response, "experiments");
    return { ...page, items: page.items.map(withTagList) };
  }

  /**
   * Renames an experiment.
   * @example await client.experiments.update("1", "churn-v2");
   */
  async update(experimentId: string, newName: string): Promise<void> {
    await this.http.call(
      "POST",
      "experiments/update",
      { experiment_id: experimentId, new_name: newName },
      { idempotent: true },
    );
  }

  /**
   * Marks an experiment and its runs deleted.
   * @example await client.experiments.delete("1");
   */
  async delete(experimentId: string): Promise<void> {
    await this.http.call("POST", "experiments/delete", { experiment_id: experimentId });
  }

  /**
   * Restores a deleted experiment.
   * @example await client.experiments.restore("1");
   */
  async restore(experimentId: string): Promise<void> {
    await this.http.call("POST", "experiments/restore", { experiment_id: experimentId });
  }

  /**
   * Sets (or replaces) a tag on an experiment.
   * @example await client.experiments.setTag("1", "owner", "ana");
   */
  async setTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.http.call(
      "POST",
      "experiments/set-experiment-tag",
      { experiment_id: experimentId, key, value },
      { idempotent: true },
    );
  }
}

/** The server leaves an empty tag list out, as MLflow's message_to_json does; callers get an array. */
function withTagList(experiment: Experiment): Experiment {
  return { ...experiment, tags: experiment.tags ?? [] };
}
