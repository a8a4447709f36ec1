/**
 * Table shapes of the metadata database, shared by SQLite and PostgreSQL. Times are epoch milliseconds;
 * booleans are stored as 0/1 integers so both dialects read them the same way. Rows never leave a store:
 * stores map them to domain objects.
 */
import type { ColumnType, Generated } from "kysely";

export interface ExperimentTable {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface ExperimentTagTable {
  experiment_id: number;
  key: string;
  value: string;
}

export interface RunTable {
  run_uuid: string;
  name: string;
  experiment_id: number;
  user_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: string;
  artifact_uri: string;
  deleted_time: number | null;
}

/** Every metric point; the primary key makes an exact replay (the client retries log-batch) a no-op. */
export interface MetricTable {
  run_uuid: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}

/** The latest point per (run, key) by (step, timestamp, value), kept on write so search never scans history. */
export interface LatestMetricTable {
  run_uuid: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
  /** Where the row sits in the run's first-logged order (migration 0019); never rewritten. */
  seq: ColumnType<number, number | undefined, never>;
}

export interface ParamTable {
  run_uuid: string;
  key: string;
  value: string;
  /** Where the row sits in the run's first-logged order (migration 0019); never rewritten. */
  seq: ColumnType<number, number | undefined, never>;
}

export interface TagTable {
  run_uuid: string;
  key: string;
  value: string;
  /** Where the row sits in the run's first-logged order (migration 0019); never rewritten. */
  seq: ColumnType<number, number | undefined, never>;
}

export interface DatasetTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

/** Links a source (DATASET or MODEL) to a destination (RUN), as MLflow's `inputs` table. */
export interface InputTable {
  input_uuid: string;
  source_type: string;
  source_id: string;
  destination_type: string;
  destination_id: string;
  step: number | null;
}

export interface InputTagTable {
  input_uuid: string;
  key: string;
  value: string;
}

export interface RunOutputTable {
  run_uuid: string;
  model_id: string;
  step: number;
}

export interface RegisteredModelTable {
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
}

export interface RegisteredModelTagTable {
  name: string;
  key: string;
  value: string;
}

export interface RegisteredModelAliasTable {
  name: string;
  alias: string;
  version: number;
}

export interface ModelVersionTable {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  current_stage: string;
  source: string;
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
  model_id: string | null;
  /** Soft delete, as MLflow's "Deleted_Internal" stage: the version number is never reused. */
  deleted: number;
}

export interface ModelVersionTagTable {
  name: string;
  version: number;
  key: string;
  value: string;
}

export interface LoggedModelTable {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: string;
  status_message: string | null;
  lifecycle_stage: string;
  model_type: string | null;
  source_run_id: string | null;
  creator_id: string | null;
}

export interface LoggedModelTagTable {
  model_id: string;
  key: string;
  value: string;
}

export interface LoggedModelParamTable {
  model_id: string;
  key: string;
  value: string;
}

export interface LoggedModelMetricTable {
  model_id: string;
  metric_name: string;
  metric_timestamp_ms: number;
  metric_step: number;
  metric_value: number;
  is_nan: number;
  run_id: string;
  dataset_name: string;
  dataset_digest: string;
}

/** A DVC-tracked file or directory at one content hash; `md5` ends in `.dir` for directories. */
export interface DatasetVersionTable {
  id: string;
  name: string;
  path: string;
  md5: string;
  size: number;
  nfiles: number | null;
  remote: string | null;
  git_commit: string | null;
  created_by: string | null;
  created_at: number;
}

/** One evaluation of a gate policy for a model version; only the server writes these. */
export interface GateRecordTable {
  id: Generated<number>;
  model_name: string;
  version: number;
  run_id: string;
  policy_name: string;
  policy_digest: string;
  passed: number;
  /** The full gate result as JSON, as the report was rendered from it. */
  report_json: string;
  created_at: number;
}

/** One safe-delivery deployment; spec, templates, state and webhooks are JSON (the spec as its YAML text). */
export interface DeploymentTable {
  name: string;
  spec_yaml: string;
  /** `[{name, yaml}]` */
  templates_json: string;
  /** The RolloutState, as rolloutState.ts defines it. */
  state_json: string;
  /** `string[]` of webhook URLs. */
  webhooks_json: string;
  created_at: number;
  updated_at: number;
}

/** A deployment's event log, read in id order. */
export interface DeploymentEventTable {
  id: Generated<number>;
  deployment: string;
  at: number;
  kind: string;
  details: string;
  values_json: string | null;
}

/** An analysis run of a deployment; the state is the AnalysisRunState, so a restart continues the run. */
export interface AnalysisRunTable {
  /** `<endpoint>/<runId>` */
  id: string;
  deployment: string;
  run_id: string;
  kind: string;
  phase: string;
  state_json: string;
  started_at: number;
  finished_at: number | null;
}

/** A label sent for a served prediction; `correct` is 0/1, null when the prediction was not found. */
export interface FeedbackTable {
  id: Generated<number>;
  request_id: string;
  endpoint: string | null;
  model: string | null;
  label: string;
  prediction: string | null;
  correct: number | null;
  at: number;
}

/** The reference profile of a model version's training data (a ReferenceProfile as JSON). */
export interface ModelProfileTable {
  model_name: string;
  version: string;
  profile_json: string;
  created_at: number;
}

/** One closed drift-monitoring window of an endpoint; `dataset_drift` is 0/1, the report is a DriftReport. */
export interface DriftReportTable {
  id: Generated<number>;
  endpoint: string;
  model: string;
  window_start: number;
  window_end: number;
  rows: number;
  share: number;
  dataset_drift: number;
  report_json: string;
}

/** A monitoring event (an SLO alert firing or resolving); `endpoint` null for server-wide events. */
export interface MonitoringEventTable {
  id: Generated<number>;
  endpoint: string | null;
  kind: string;
  severity: string;
  at: number;
  details_json: string;
}

/**
 * One retraining of an endpoint: its trigger (kind and JSON details), its status (running, pipeline_failed,
 * gates_failed, failed, interrupted, deployed) and the pipeline run, model version and deployment revision
 * it led to.
 */
export interface RetrainingRunTable {
  id: Generated<number>;
  endpoint: string;
  trigger_kind: string;
  trigger_details: string;
  status: string;
  pipeline_run_id: string | null;
  model_name: string | null;
  model_version: string | null;
  deployment_revision: number | null;
  message: string | null;
  started_at: number;
  finished_at: number | null;
}

/**
 * A registry webhook (mlflow's `webhooks` table). `secret` signs deliveries and is never returned by the
 * API; a deleted webhook keeps its row (`deleted_timestamp`, as mlflow soft-deletes) but loses its secret.
 */
export interface WebhookTable {
  webhook_id: string;
  name: string;
  description: string | null;
  url: string;
  status: string;
  secret: string | null;
  creation_timestamp: number;
  last_updated_timestamp: number;
  deleted_timestamp: number | null;
}

/** One event a webhook subscribes to, in payload spelling (`model_version`, `created`). */
export interface WebhookEventTable {
  webhook_id: string;
  entity: string;
  action: string;
}

/** An MLflow 3 trace (mlflow's `trace_info`); `status` holds the v3 state name (OK, ERROR, IN_PROGRESS). */
export interface TraceInfoTable {
  request_id: string;
  experiment_id: number;
  timestamp_ms: number;
  execution_time_ms: number | null;
  status: string;
  client_request_id: string | null;
  request_preview: string | null;
  response_preview: string | null;
}

/** A trace's tag (mutable) or request metadata entry (written with the trace). */
export interface TraceKeyValueTable {
  request_id: string;
  key: string;
  value: string;
}

export interface Database {
  experiments: ExperimentTable;
  experiment_tags: ExperimentTagTable;
  runs: RunTable;
  metrics: MetricTable;
  latest_metrics: LatestMetricTable;
  params: ParamTable;
  tags: TagTable;
  datasets: DatasetTable;
  inputs: InputTable;
  input_tags: InputTagTable;
  run_outputs: RunOutputTable;
  registered_models: RegisteredModelTable;
  registered_model_tags: RegisteredModelTagTable;
  registered_model_aliases: RegisteredModelAliasTable;
  model_versions: ModelVersionTable;
  model_version_tags: ModelVersionTagTable;
  logged_models: LoggedModelTable;
  logged_model_tags: LoggedModelTagTable;
  logged_model_params: LoggedModelParamTable;
  logged_model_metrics: LoggedModelMetricTable;
  dataset_versions: DatasetVersionTable;
  gate_records: GateRecordTable;
  deployments: DeploymentTable;
  deployment_events: DeploymentEventTable;
  analysis_runs: AnalysisRunTable;
  feedback: FeedbackTable;
  model_profiles: ModelProfileTable;
  drift_reports: DriftReportTable;
  monitoring_events: MonitoringEventTable;
  retraining_runs: RetrainingRunTable;
  webhooks: WebhookTable;
  webhook_events: WebhookEventTable;
  trace_info: TraceInfoTable;
  trace_tags: TraceKeyValueTable;
  trace_request_metadata: TraceKeyValueTable;
}

// MLflow 3's GenAI tables (scorers, evaluation datasets, trace prompt links) live in genaiSchema.ts.
export * from "./genaiSchema.js";
