/**
 * Run calls of the client (`/mlflow/runs/...`, `/mlflow/metrics/get-history`). Metric values come back as
 * numbers even when the server sent protobuf's "NaN"/"Infinity" strings; int64 fields (steps, timestamps,
 * run times) are an `Int64`, a BigInt only past 2^53, both ways.
 */
import { decodeDouble, type HttpTransport } from "./http.js";
import {
  toPage,
  type DatasetInput,
  type Int64,
  type Metric,
  type Page,
  type Param,
  type Run,
  type RunInfo,
  type RunStatus,
  type SearchOptions,
  type Tag,
  type ViewType,
  type WirePage,
} from "./types.js";

export interface MetricOptions {
  /** Epoch ms; now by default. */
  timestamp?: Int64;
  step?: Int64;
  /** MLflow 3: the logged model the metric evaluates, and the dataset it was computed on. */
  modelId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

export interface BatchMetric extends Metric {
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

export class RunsApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Starts a run in an experiment.
   * @example const run = await client.runs.create({ experimentId: "1", runName: "baseline" });
   */
  async create(options: {
    experimentId: string;
    runName?: string;
    startTime?: Int64;
    userId?: string;
    tags?: Tag[];
  }): Promise<Run> {
    const response = await this.http.call<{ run: Run }>("POST", "runs/create", {
      experiment_id: options.experimentId,
      run_name: options.runName,
      start_time: options.startTime ?? Date.now(),
      user_id: options.userId,
      tags: options.tags,
    });
    return decodeRun(response.run);
  }

  /**
   * Reads a run with its latest metrics, params, tags, inputs and outputs.
   * @example const { info, data } = await client.runs.get(runId);
   */
  async get(runId: string): Promise<Run> {
    const response = await this.http.call<{ run: Run }>("GET", "runs/get", {
      run_id: runId,
      run_uuid: runId,
    });
    return decodeRun(response.run);
  }

  /**
   * Updates a run's status, end time or name.
   * @example await client.runs.update(runId, { status: "FINISHED", endTime: Date.now() });
   */
  async update(
    runId: string,
    changes: { status?: RunStatus; endTime?: Int64; runName?: string },
  ): Promise<RunInfo> {
    const response = await this.http.call<{ run_info: RunInfo }>(
      "POST",
      "runs/update",
      {
        run_id: runId,
        run_uuid: runId,
        status: changes.status,
        end_time: changes.endTime,
        run_name: changes.runName,
      },
      { idempotent: true },
    );
    return response.run_info;
  }

  /**
   * Marks a run deleted.
   * @example await client.runs.delete(runId);
   */
  async delete(runId: string): Promise<void> {
    await this.http.call("POST", "runs/delete", { run_id: runId });
  }

  /**
   * Restores a deleted run.
   * @example await client.runs.restore(runId);
   */
  async restore(runId: string): Promise<void> {
    await this.http.call("POST", "runs/restore", { run_id: runId });
  }

  /**
   * One page of runs of some experiments matching a filter.
   * @example const { items } = await client.runs.search({ experimentIds: ["1"], filter: "metrics.acc > 0.9" });
   */
  async search(
    options: SearchOptions & { experimentIds: string[]; runViewType?: ViewType },
  ): Promise<Page<Run>> {
    const response = await this.http.call<WirePage<"runs", Run>>(
      "POST",
      "runs/search",
      {
        experiment_ids: options.experimentIds,
        filter: options.filter,
        run_view_type: options.runViewType,
        max_results: options.maxResults,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
      { idempotent: true },
    );
    const page = toPage(response, "runs");
    return { ...page, items: page.items.map(decodeRun) };
  }

  /**
   * Appends one metric value.
   * @example await client.runs.logMetric(runId, "loss", 0.25, { step: 3 });
   */
  async logMetric(runId: string, key: string, value: number, options: MetricOptions = {}): Promise<void> {
    await this.http.call("POST", "runs/log-metric", {
      run_id: runId,
      run_uuid: runId,
      key,
      value,
      timestamp: options.timestamp ?? Date.now(),
      step: options.step ?? 0,
      model_id: options.modelId,
      dataset_name: options.datasetName,
      dataset_digest: options.datasetDigest,
    });
  }

  /**
   * Logs a param; params are immutable, so a second value for the key is rejected.
   * @example await client.runs.logParam(runId, "lr", "0.01");
   */
  async logParam(runId: string, key: string, value: string): Promise<void> {
    await this.http.call(
      "POST",
      "runs/log-parameter",
      { run_id: runId, run_uuid: runId, key, value },
      { idempotent: true },
    );
  }

  /**
   * Sets (or replaces) a run tag.
   * @example await client.runs.setTag(runId, "stage", "tuning");
   */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.http.call(
      "POST",
      "runs/set-tag",
      { run_id: runId, run_uuid: runId, key, value },
      { idempotent: true },
    );
  }

  /**
   * Removes a run tag.
   * @example await client.runs.deleteTag(runId, "stage");
   */
  async deleteTag(runId: string, key: string): Promise<void> {
    await this.http.call("POST", "runs/delete-tag", { run_id: runId, key });
  }

  /**
   * Logs metrics, params and tags in one request; retried on transient failures because the server
   * applies a replayed batch idempotently.
   * @example await client.runs.logBatch(runId, { metrics: [{ key: "acc", value: 0.9, timestamp: Date.now(), step: 0 }] });
   */
  async logBatch(
    runId: string,
    batch: { metrics?: BatchMetric[]; params?: Param[]; tags?: Tag[] },
  ): Promise<void> {
    await this.http.call(
      "POST",
      "runs/log-batch",
      { run_id: runId, metrics: batch.metrics ?? [], params: batch.params ?? [], tags: batch.tags ?? [] },
      { idempotent: true },
    );
  }

  /**
   * Records the datasets (and, in MLflow 3, logged models) a run used.
   * @example await client.runs.logInputs(runId, { datasets: [{ tags: [], dataset: { name: "d", digest: "x", source_type: "local", source: "/d" } }] });
   */
  async logInputs(runId: string, inputs: { datasets?: DatasetInput[]; modelIds?: string[] }): Promise<void> {
    await this.http.call(
      "POST",
      "runs/log-inputs",
      {
        run_id: runId,
        datasets: inputs.datasets ?? [],
        models: inputs.modelIds?.map((model_id) => ({ model_id })),
      },
      { idempotent: true },
    );
  }

  /**
   * Every logged value of one metric, following the server's pages.
   * @example const history = await client.runs.getMetricHistory(runId, "loss");
   */
  async getMetricHistory(runId: string, metricKey: string): Promise<Metric[]> {
    const metrics: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const response = await this.http.call<WirePage<"metrics", Metric>>("GET", "metrics/get-history", {
        run_id: runId,
        run_uuid: runId,
        metric_key: metricKey,
        page_token: pageToken,
      });
      metrics.push(...(response.metrics ?? []).map(decodeMetric));
      pageToken = response.next_page_token === "" ? undefined : response.next_page_token;
    } while (pageToken !== undefined);
    return metrics;
  }
}

function decodeMetric<M extends Metric>(metric: M): M {
  return { ...metric, value: decodeDouble(metric.value as number | string | bigint) };
}

function decodeRun(run: Run): Run {
  const data = run.data ?? { metrics: [], params: [], tags: [] };
  return {
    ...run,
    data: {
      metrics: (data.metrics ?? []).map(decodeMetric),
      params: data.params ?? [],
      tags: data.tags ?? [],
    },
    inputs: {
      dataset_inputs: run.inputs?.dataset_inputs ?? [],
      model_inputs: run.inputs?.model_inputs ?? [],
    },
    outputs: { model_outputs: run.outputs?.model_outputs ?? [] },
  };
}
