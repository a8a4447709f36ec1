/**
 * Tracking domain objects. They carry MLflow's proto field names (snake_case) on purpose: the REST API,
 * the TypeScript client and the CLI's --json output all show the same shape, with no mapping layer to
 * drift. Optional fields are absent when unset, as proto JSON omits them.
 */

export type LifecycleStage = "active" | "deleted";
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
export const RUN_STATUSES: readonly RunStatus[] = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];

/** MLflow's ViewType enum: which lifecycle stages a search returns. */
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export interface Tag {
  key: string;
  value: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  last_update_time: number;
  creation_time: number;
  tags: Tag[];
}

export interface Metric {
  key: string;
  value: number;
  /** int64: a BigInt only where a double cannot hold it exactly (see exactInt64.ts). */
  timestamp: number | bigint;
  step: number | bigint;
}

export interface MetricWithRunId extends Metric {
  run_id: string;
}

export interface Param {
  key: string;
  value: string;
}

export interface RunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  /** int64 milliseconds: a BigInt only where a double cannot hold it exactly (see exactInt64.ts). */
  start_time: number | bigint;
  end_time?: number | bigint;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags: Tag[];
  dataset: Dataset;
}

export interface ModelInput {
  model_id: string;
}

export interface ModelOutput {
  model_id: string;
  step: number | bigint;
}

export interface Run {
  info: RunInfo;
  data: { metrics: Metric[]; params: Param[]; tags: Tag[] };
  inputs: { dataset_inputs: DatasetInput[]; model_inputs: ModelInput[] };
  outputs: { model_outputs: ModelOutput[] };
}
