/**
 * The TypeScript API client of a FlowOps (or MLflow) tracking server: `new FlowOpsClient()` and then
 * `client.experiments`, `client.runs`, `client.registry`, `client.artifacts`, `client.loggedModels`. It speaks the MLflow REST
 * wire, so it works against either server; `client.datasets` (dataset versions, lineage) and
 * `client.gates` (quality gates), `client.deployments` (safe delivery) and `client.monitoring` (drift) and
 * `client.retraining` need FlowOps.
 */
import { ArtifactsApi } from "./artifacts.js";
import { DatasetsApi } from "./datasets.js";
import { DeploymentsApi } from "./deployments.js";
import { ExperimentsApi } from "./experiments.js";
import { GatesApi } from "./gates.js";
import { HttpTransport, type ClientOptions } from "./http.js";
import { LoggedModelsApi } from "./loggedModels.js";
import { MonitoringApi } from "./monitoring.js";
import { RegistryApi } from "./registry.js";
import { RetrainingApi } from "./retraining.js";
import { RunsApi } from "./runs.js";

export type { ClientOptions } from "./http.js";
export type { ArtifactFile, ArtifactTarget } from "./artifacts.js";
export type { DatasetVersion, ModelVersionLineage, RecordDatasetVersionInput } from "./datasets.js";
export type {
  CreateDeploymentInput,
  DeploymentEvent,
  DeploymentStatus,
  DeploymentStrategy,
  FeedbackResult,
} from "./deployments.js";
export type {
  ConditionResult,
  EvaluateGateInput,
  GateChampion,
  GateEvaluationResponse,
  GateRecord,
  GateResult,
} from "./gates.js";
export type { LoggedModelOrderBy } from "./loggedModels.js";
export type { DriftReportEntry, EndpointDriftStatus, StoredProfileSummary } from "./monitoring.js";
export type { RetrainingRun } from "./retraining.js";
export type { BatchMetric, MetricOptions } from "./runs.js";
export type * from "./types.js";

export class FlowOpsClient {
  readonly experiments: ExperimentsApi;
  readonly runs: RunsApi;
  readonly registry: RegistryApi;
  readonly artifacts: ArtifactsApi;
  readonly loggedModels: LoggedModelsApi;
  readonly datasets: DatasetsApi;
  readonly gates: GatesApi;
  readonly deployments: DeploymentsApi;
  readonly monitoring: MonitoringApi;
  readonly retraining: RetrainingApi;
  private readonly http: HttpTransport;

  /**
   * @example
   * const client = new FlowOpsClient({ trackingUri: "http://localhost:5000" });
   * const experimentId = await client.experiments.create("churn");
   * const run = await client.runs.create({ experimentId });
   * await client.runs.logMetric(run.info.run_id, "acc", 0.91);
   */
  constructor(options: ClientOptions = {}) {
    this.http = new HttpTransport(options);
    this.experiments = new ExperimentsApi(this.http);
    this.runs = new RunsApi(this.http);
    this.registry = new RegistryApi(this.http);
    this.artifacts = new ArtifactsApi(this.http, this.runs);
    this.loggedModels = new LoggedModelsApi(this.http);
    this.datasets = new DatasetsApi(this.http);
    this.gates = new GatesApi(this.http);
    this.deployments = new DeploymentsApi(this.http);
    this.monitoring = new MonitoringApi(this.http);
    this.retraining = new RetrainingApi(this.http);
  }

  /** The server base URL the client talks to. */
  get trackingUri(): string {
    return this.http.trackingUri;
  }
}
