/**
 * MLflow 3 logged models in the proto's JSON shape (`LoggedModel`, `LoggedModelInfo`, `LoggedModelData` in
 * service.proto), so the store's objects go to the wire, the client and the CLI unchanged.
 */
import type { Tag } from "../entities.js";

export const LOGGED_MODEL_STATUSES = [
  "LOGGED_MODEL_PENDING",
  "LOGGED_MODEL_READY",
  "LOGGED_MODEL_UPLOAD_FAILED",
] as const;
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number];

/** The statuses FinalizeLoggedModel accepts: a model only leaves PENDING. */
export const FINAL_LOGGED_MODEL_STATUSES = ["LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"] as const;
export type FinalLoggedModelStatus = (typeof FINAL_LOGGED_MODEL_STATUSES)[number];

export interface LoggedModelRegistration {
  name: string;
  version: string;
}

export interface LoggedModelInfo {
  model_id: string;
  experiment_id: string;
  name: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  artifact_uri: string;
  status: LoggedModelStatus;
  /** int64 in the proto; only set when the creator is known by a numeric id. */
  creator_id?: number;
  model_type?: string;
  source_run_id?: string;
  status_message?: string;
  tags: Tag[];
  registrations: LoggedModelRegistration[];
}

/** A metric linked to a model: MLflow's `Metric` message with its 3.x model and dataset fields. */
export interface LoggedModelMetric {
  key: string;
  value: number;
  /** int64: a BigInt only where a double cannot hold it exactly (see exactInt64.ts). */
  timestamp: number | bigint;
  step: number | bigint;
  run_id: string;
  model_id: string;
  dataset_name?: string;
  dataset_digest?: string;
}

export interface LoggedModelData {
  params: Tag[];
  metrics: LoggedModelMetric[];
}

export interface LoggedModel {
  info: LoggedModelInfo;
  data: LoggedModelData;
}
