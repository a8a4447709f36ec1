/**
 * Dataset-version and lineage calls of the client (FlowOps' own `/api/v1`, not part of MLflow's wire):
 * record a version of a DVC-tracked path, list and read versions, link one to a run (it then shows as an
 * MLflow dataset input), and trace a model version back to its data.
 */
import type {
  DatasetVersion,
  ModelVersionLineage,
  RecordDatasetVersionInput,
} from "../data/datasetVersions.js";
import { encodeQuery, sendFlowOpsJson, type HttpMethod, type HttpTransport } from "./http.js";

export type {
  DatasetVersion,
  ModelVersionLineage,
  RecordDatasetVersionInput,
} from "../data/datasetVersions.js";

export class DatasetsApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Records a version; recording the same name and md5 again returns the existing one (`created: false`).
   * @example const { datasetVersion } = await client.datasets.recordVersion({ name: "data/train", path: "data/train", md5: "5fc2...ebd1.dir", size: 1234, nfiles: 3 });
   */
  async recordVersion(
    input: RecordDatasetVersionInput,
  ): Promise<{ datasetVersion: DatasetVersion; created: boolean }> {
    const body = await this.request<{ dataset_version: DatasetVersion; created: boolean }>(
      "POST",
      "/datasets/versions",
      input,
      true,
    );
    return { datasetVersion: body.dataset_version, created: body.created };
  }

  /**
   * Versions newest first, of one dataset name when given.
   * @example const versions = await client.datasets.listVersions({ name: "data/train" });
   */
  async listVersions(options: { name?: string; maxResults?: number } = {}): Promise<DatasetVersion[]> {
    const query = encodeQuery({ name: options.name, max_results: options.maxResults });
    const body = await this.request<{ dataset_versions?: DatasetVersion[] }>(
      "GET",
      `/datasets/versions${query === "" ? "" : `?${query}`}`,
    );
    return body.dataset_versions ?? [];
  }

  /**
   * One version and the runs that used it.
   * @example const { datasetVersion, runIds } = await client.datasets.getVersion(id);
   */
  async getVersion(id: string): Promise<{ datasetVersion: DatasetVersion; runIds: string[] }> {
    const body = await this.request<{ dataset_version: DatasetVersion; run_ids?: string[] }>(
      "GET",
      `/datasets/versions/${encodeURIComponent(id)}`,
    );
    return { datasetVersion: body.dataset_version, runIds: body.run_ids ?? [] };
  }

  /**
   * Logs the version as an MLflow dataset input of the run (digest = md5, source_type "dvc").
   * @example await client.datasets.linkToRun(versionId, runId, { context: "training" });
   */
  async linkToRun(id: string, runId: string, options: { context?: string } = {}): Promise<void> {
    await this.request(
      "POST",
      `/datasets/versions/${encodeURIComponent(id)}/runs`,
      { run_id: runId, context: options.context },
      true,
    );
  }

  /**
   * The model version, the run that produced it and the dataset versions that run consumed.
   * @example const { run, datasets } = await client.datasets.lineageOfModelVersion("churn", 3);
   */
  async lineageOfModelVersion(name: string, version: string | number): Promise<ModelVersionLineage> {
    return this.request<ModelVersionLineage>(
      "GET",
      `/lineage/model-versions/${encodeURIComponent(name)}/${encodeURIComponent(String(version))}`,
    );
  }

  private async request<T>(
    method: HttpMethod,
    path: string,
    fields?: object,
    idempotent = false,
  ): Promise<T> {
    return sendFlowOpsJson<T>(this.http, method, path, fields, idempotent);
  }
}
