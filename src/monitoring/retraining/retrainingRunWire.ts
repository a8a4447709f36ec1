/**
 * How a retraining travels over the API: the RetrainingRun in snake_case, as the rest of FlowOps' wire.
 * Shared by the server's route and the client, so both read one definition.
 */
import type { RetrainingRun } from "./retrainingRunStore.js";

export interface WireRetrainingRun {
  id: number;
  endpoint: string;
  trigger_kind: string;
  trigger_details: Record<string, unknown>;
  status: string;
  pipeline_run_id?: string;
  model_name?: string;
  model_version?: string;
  deployment_revision?: number;
  message?: string;
  started_at: number;
  finished_at?: number;
}

export function wireRetrainingRun(run: RetrainingRun): WireRetrainingRun {
  return {
    id: run.id,
    endpoint: run.endpoint,
    trigger_kind: run.triggerKind,
    trigger_details: run.triggerDetails,
    status: run.status,
    ...(run.pipelineRunId === undefined ? {} : { pipeline_run_id: run.pipelineRunId }),
    ...(run.modelName === undefined ? {} : { model_name: run.modelName }),
    ...(run.modelVersion === undefined ? {} : { model_version: run.modelVersion }),
    ...(run.deploymentRevision === undefined ? {} : { deployment_revision: run.deploymentRevision }),
    ...(run.message === undefined ? {} : { message: run.message }),
    started_at: run.startedAt,
    ...(run.finishedAt === undefined ? {} : { finished_at: run.finishedAt }),
  };
}
