/**
 * The record of retrainings over the metadata database: a row is created when a trigger fires and updated
 * at each step, so trigger -> pipeline run -> model version -> deployment revision can be followed. Rows
 * stay inside this module; callers get RetrainingRun objects.
 */
import type { Kysely, Selectable, Updateable } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { Database, RetrainingRunTable } from "../../db/schema.js";
import { notFound } from "../../errors.js";

export type RetrainingTriggerKind = "drift" | "labels" | "schedule" | "manual";

/** `running` until one of the others; `interrupted` when the server stopped during it. */
export type RetrainingStatus =
  "running" | "pipeline_failed" | "gates_failed" | "failed" | "interrupted" | "deployed";

/** What fired a trigger: a reason in words and the figures behind it. */
export interface RetrainingTriggerReason {
  /** What fired, in words. */
  reason: string;
  [key: string]: unknown;
}

export interface RetrainingTriggerDetails extends RetrainingTriggerReason {
  /** Labels recorded for the endpoint when the trigger fired: the next label count starts from it. */
  feedbackTotal?: number;
}

export interface RetrainingRun {
  id: number;
  endpoint: string;
  triggerKind: RetrainingTriggerKind;
  triggerDetails: RetrainingTriggerDetails;
  status: RetrainingStatus;
  pipelineRunId?: string;
  modelName?: string;
  modelVersion?: string;
  deploymentRevision?: number;
  message?: string;
  startedAt: number;
  finishedAt?: number;
}

export type RetrainingRunUpdate = Partial<
  Pick<
    RetrainingRun,
    | "status"
    | "pipelineRunId"
    | "modelName"
    | "modelVersion"
    | "deploymentRevision"
    | "message"
    | "finishedAt"
  >
>;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export class RetrainingRunStore {
  private readonly db: Kysely<Database>;

  constructor(meta: MetadataDb) {
    this.db = meta.db;
  }

  async create(input: {
    endpoint: string;
    triggerKind: RetrainingTriggerKind;
    triggerDetails: RetrainingTriggerDetails;
    startedAt: number;
  }): Promise<RetrainingRun> {
    const row = await this.db
      .insertInto("retraining_runs")
      .values({
        endpoint: input.endpoint,
        trigger_kind: input.triggerKind,
        trigger_details: JSON.stringify(input.triggerDetails),
        status: "running",
        started_at: input.startedAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return this.get(Number(row.id));
  }

  async update(id: number, update: RetrainingRunUpdate): Promise<void> {
    const values: Updateable<RetrainingRunTable> = {};
    if (update.status !== undefined) values.status = update.status;
    if (update.pipelineRunId !== undefined) values.pipeline_run_id = update.pipelineRunId;
    if (update.modelName !== undefined) values.model_name = update.modelName;
    if (update.modelVersion !== undefined) values.model_version = update.modelVersion;
    if (update.deploymentRevision !== undefined) values.deployment_revision = update.deploymentRevision;
    if (update.message !== undefined) values.message = update.message.slice(0, 10_000);
    if (update.finishedAt !== undefined) values.finished_at = update.finishedAt;
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable("retraining_runs").set(values).where("id", "=", id).execute();
  }

  async get(id: number): Promise<RetrainingRun> {
    const row = await this.db
      .selectFrom("retraining_runs")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound(`Retraining run ${id} does not exist.`);
    return toRetrainingRun(row);
  }

  /** Newest first; of one endpoint when given. */
  async list(options: { endpoint?: string; limit?: number } = {}): Promise<RetrainingRun[]> {
    let query = this.db.selectFrom("retraining_runs").selectAll();
    if (options.endpoint !== undefined) query = query.where("endpoint", "=", options.endpoint);
    const limit = Math.min(Math.max(options.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
    const rows = await query.orderBy("id", "desc").limit(limit).execute();
    return rows.map(toRetrainingRun);
  }

  async latest(endpoint: string): Promise<RetrainingRun | undefined> {
    return (await this.list({ endpoint, limit: 1 }))[0];
  }

  /** Marks retrainings left `running` by a stopped server; returns how many. */
  async interruptRunning(now: number): Promise<number> {
    const result = await this.db
      .updateTable("retraining_runs")
      .set({ status: "interrupted", finished_at: now, message: "the server stopped during this retraining" })
      .where("status", "=", "running")
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function toRetrainingRun(row: Selectable<RetrainingRunTable>): RetrainingRun {
  return {
    id: Number(row.id),
    endpoint: row.endpoint,
    triggerKind: row.trigger_kind as RetrainingTriggerKind,
    triggerDetails: JSON.parse(row.trigger_details) as RetrainingTriggerDetails,
    status: row.status as RetrainingStatus,
    ...(row.pipeline_run_id === null ? {} : { pipelineRunId: row.pipeline_run_id }),
    ...(row.model_name === null ? {} : { modelName: row.model_name }),
    ...(row.model_version === null ? {} : { modelVersion: row.model_version }),
    ...(row.deployment_revision === null ? {} : { deploymentRevision: Number(row.deployment_revision) }),
    ...(row.message === null ? {} : { message: row.message }),
    startedAt: Number(row.started_at),
    ...(row.finished_at === null ? {} : { finishedAt: Number(row.finished_at) }),
  };
}
