/**
 * Drift-monitoring calls of the client (FlowOps' own `/api/v1`, not part of MLflow's wire): store the
 * reference profile of a model version (what live windows are compared with), read it back, and list an
 * endpoint's drift reports. Profiles are built on the client (buildProfile) so the data never travels; a
 * training run can carry its profile as an artifact, which the server stores with each version registered
 * from the run (logTrainingProfile).
 */
import { basename } from "node:path";
import type { DriftReport } from "../monitoring/drift/datasetDrift.js";
import type { ColumnProfile, ReferenceProfile } from "../monitoring/drift/referenceProfile.js";
import type { EndpointDriftStatus } from "../monitoring/online/driftMonitor.js";
import type { TrainingProfileOptions } from "../monitoring/profiles/trainingProfile.js";
import { ArtifactsApi } from "./artifacts.js";
import { encodeQuery, sendFlowOpsJson, type HttpMethod, type HttpTransport } from "./http.js";
import { RunsApi } from "./runs.js";

export type { DriftReport } from "../monitoring/drift/datasetDrift.js";
export type { ReferenceProfile } from "../monitoring/drift/referenceProfile.js";
export type { EndpointDriftStatus } from "../monitoring/online/driftMonitor.js";

export interface StoredProfileSummary {
  modelName: string;
  version: string;
  createdAt: number;
  rows: number;
  columns: { name: string; kind: ColumnProfile["kind"] }[];
}

export interface DriftReportEntry {
  id: number;
  endpoint: string;
  /** The model key whose answers the window held, e.g. `models:/churn/3`. */
  model: string;
  windowStart: number;
  windowEnd: number;
  rows: number;
  share: number;
  datasetDrift: boolean;
  report: DriftReport;
}

interface DriftReportWire {
  id: number;
  endpoint: string;
  model: string;
  window_start: number;
  window_end: number;
  rows: number;
  share: number;
  dataset_drift: boolean;
  report: DriftReport;
}

export interface LogTrainingProfileOptions extends Pick<
  TrainingProfileOptions,
  "columns" | "categorical" | "predictionsFile" | "predictions" | "sampleSize"
> {
  /**
   * The dataset's name, as its dataset input on the run is named (default: the file's base name). When the
   * run has several profiles, the server takes the one whose dataset input has context `training`.
   */
  name?: string;
}

export class MonitoringApi {
  private readonly artifacts: ArtifactsApi;

  constructor(private readonly http: HttpTransport) {
    this.artifacts = new ArtifactsApi(http, new RunsApi(http));
  }

  /**
   * Builds the reference profile of a training table file here (with the model's predictions on it as the
   * `prediction` column when given) and uploads it to the run as `flowops/profiles/<name>.json`; a model
   * version later registered from the run gets it as its drift reference.
   * @example
   * await client.monitoring.logTrainingProfile(runId, "data/train.csv", {
   *   columns: ["age", "income"],
   *   predictionsFile: "out/train_predictions.csv",
   * });
   */
  async logTrainingProfile(
    runId: string,
    file: string,
    options: LogTrainingProfileOptions = {},
  ): Promise<{ artifactPath: string; profile: ReferenceProfile }> {
    // Loaded on use: the table readers (Parquet among them) are not needed by the client's other calls.
    const [{ profileTrainingData }, { uploadTrainingProfile }] = await Promise.all([
      import("../monitoring/profiles/trainingProfile.js"),
      import("../monitoring/profiles/profileArtifact.js"),
    ]);
    const profile = await profileTrainingData(file, options);
    const artifactPath = await uploadTrainingProfile(
      this.artifacts,
      runId,
      options.name ?? basename(file),
      profile,
    );
    return { artifactPath, profile };
  }

  /**
   * Stores (or replaces) the reference profile of a registered model version.
   * @example
   * const table = await readDriftTable(await openTable("train.parquet"));
   * await client.monitoring.putProfile({ modelName: "churn", version: 3, profile: buildProfile(table) });
   */
  async putProfile(input: {
    modelName: string;
    version: string | number;
    profile: ReferenceProfile;
  }): Promise<StoredProfileSummary> {
    const body = await this.request<{
      model_name: string;
      version: string;
      created_at: number;
      rows: number;
      columns: StoredProfileSummary["columns"];
    }>("PUT", "/monitoring/profiles", {
      model_name: input.modelName,
      version: String(input.version),
      profile: input.profile,
    });
    return {
      modelName: body.model_name,
      version: body.version,
      createdAt: body.created_at,
      rows: body.rows,
      columns: body.columns,
    };
  }

  /**
   * The stored profile of a model version; RESOURCE_DOES_NOT_EXIST when it has none.
   * @example const { profile } = await client.monitoring.getProfile("churn", 3);
   */
  async getProfile(
    modelName: string,
    version: string | number,
  ): Promise<{ profile: ReferenceProfile; createdAt: number }> {
    const query = encodeQuery({ model_name: modelName, version: String(version) });
    const body = await this.request<{ profile: ReferenceProfile; created_at: number }>(
      "GET",
      `/monitoring/profiles?${query}`,
    );
    return { profile: body.profile, createdAt: body.created_at };
  }

  /**
   * An endpoint's drift reports, newest first (or, with `afterId`, the newer ones oldest first), and the
   * live monitor's state of the endpoint when the server runs one.
   * @example
   * const { reports } = await client.monitoring.driftReports("churn", { limit: 1 });
   * if (reports[0]?.datasetDrift) console.log(reports[0].report.columns.filter((c) => c.drifted));
   */
  async driftReports(
    endpoint: string,
    options: { limit?: number; afterId?: number } = {},
  ): Promise<{ reports: DriftReportEntry[]; status?: EndpointDriftStatus }> {
    const query = encodeQuery({ endpoint, limit: options.limit, after_id: options.afterId });
    const body = await this.request<{ reports?: DriftReportWire[]; status?: EndpointDriftStatus }>(
      "GET",
      `/monitoring/drift?${query}`,
    );
    return {
      reports: (body.reports ?? []).map((row) => ({
        id: row.id,
        endpoint: row.endpoint,
        model: row.model,
        windowStart: row.window_start,
        windowEnd: row.window_end,
        rows: row.rows,
        share: row.share,
        datasetDrift: row.dataset_drift,
        report: row.report,
      })),
      ...(body.status === undefined ? {} : { status: body.status }),
    };
  }

  private async request<T>(method: HttpMethod, path: string, fields?: object): Promise<T> {
    // Storing a profile again replaces it with the same one.
    return sendFlowOpsJson<T>(this.http, method, path, fields, true);
  }
}
