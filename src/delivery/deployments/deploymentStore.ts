/**
 * The deployment store: each deployment's spec, templates, rollout state and webhooks, its event log, its
 * analysis runs and the feedback sent for its predictions, over the metadata database. A state change is
 * saved together with the events and analysis runs it produced in one transaction, so a restart never sees
 * a state without the runs it refers to. Rows stay inside this module; callers get domain objects.
 */
import type { Kysely, Selectable } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { AnalysisRunTable, Database, DeploymentEventTable, DeploymentTable } from "../../db/schema.js";
import { alreadyExists, invalidParameter, notFound } from "../../errors.js";
import { isUniqueViolation } from "../../tracking/uniqueViolation.js";
import type { AnalysisRunState } from "../analysis/analysisRun.js";
import type { AnalysisKind, RolloutState } from "../rollout/rolloutState.js";

export interface DeploymentRecord {
  name: string;
  specYaml: string;
  templates: { name: string; yaml: string }[];
  state: RolloutState;
  webhooks: string[];
  createdAt: number;
  updatedAt: number;
}

export interface DeploymentEvent {
  id: number;
  deployment: string;
  at: number;
  kind: string;
  details: string;
  values?: unknown;
}

export interface StoredAnalysisRun {
  deployment: string;
  runId: string;
  kind: AnalysisKind;
  phase: string;
  state: AnalysisRunState;
  startedAt: number;
  finishedAt?: number;
}

export interface FeedbackEntry {
  requestId: string;
  endpoint?: string;
  model?: string;
  label: string;
  prediction?: string;
  correct?: boolean;
  at: number;
}

const ENDPOINT_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ACTIVE_RUN_PHASES = ["Pending", "Running"];
const DEFAULT_EVENT_LIMIT = 1000;
const MAX_EVENT_LIMIT = 10_000;

/** An endpoint name is a DNS label, so it can name Kubernetes objects and URL path segments unchanged. */
export function validateEndpointName(name: string, field: string): string {
  if (typeof name !== "string" || !ENDPOINT_NAME.test(name)) {
    throw invalidParameter(
      `${field} '${String(name)}' is not a valid endpoint name: expected 1 to 63 lowercase letters, digits ` +
        `or '-', starting and ending with a letter or digit (${ENDPOINT_NAME.source}).`,
    );
  }
  return name;
}

function validateWebhookUrl(url: string, field: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw invalidParameter(`${field} '${url}' is not a webhook URL: expected an http:// or https:// URL.`);
  }
}

const deploymentMissing = (name: string) => notFound(`Deployment '${name}' does not exist.`);

export class DeploymentStore {
  private readonly db: Kysely<Database>;

  constructor(meta: MetadataDb) {
    this.db = meta.db;
  }

  /** RESOURCE_ALREADY_EXISTS when the name is taken. */
  async create(record: Omit<DeploymentRecord, "updatedAt">): Promise<void> {
    validateEndpointName(record.name, "name");
    record.webhooks.forEach((url, i) => validateWebhookUrl(url, `webhooks[${i}]`));
    try {
      await this.db
        .insertInto("deployments")
        .values({
          name: record.name,
          spec_yaml: record.specYaml,
          templates_json: JSON.stringify(record.templates),
          state_json: JSON.stringify(record.state),
          webhooks_json: JSON.stringify(record.webhooks),
          created_at: record.createdAt,
          updated_at: record.createdAt,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists(`Deployment '${record.name}' already exists.`);
      throw error;
    }
  }

  /** RESOURCE_DOES_NOT_EXIST when there is no such deployment. */
  async get(name: string): Promise<DeploymentRecord> {
    validateEndpointName(name, "name");
    const row = await this.db
      .selectFrom("deployments")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    if (row === undefined) throw deploymentMissing(name);
    return toDeploymentRecord(row);
  }

  /** Every deployment, by name. */
  async list(): Promise<DeploymentRecord[]> {
    const rows = await this.db.selectFrom("deployments").selectAll().orderBy("name").execute();
    return rows.map(toDeploymentRecord);
  }

  /** State, new events and touched analysis runs in one transaction; runs are upserted by run id. */
  async save(
    name: string,
    state: RolloutState,
    events: Omit<DeploymentEvent, "id" | "deployment">[],
    runs: StoredAnalysisRun[],
    at: number,
  ): Promise<void> {
    validateEndpointName(name, "name");
    for (const run of runs) {
      if (run.deployment !== name) {
        throw invalidParameter(
          `Analysis run '${run.runId}' belongs to deployment '${run.deployment}', not '${name}'.`,
        );
      }
    }
    await this.db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("deployments")
        .set({ state_json: JSON.stringify(state), updated_at: at })
        .where("name", "=", name)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw deploymentMissing(name);
      if (events.length > 0) {
        await tx.insertInto("deployment_events").values(eventRows(name, events)).execute();
      }
      for (const run of runs) {
        const changes = {
          phase: run.phase,
          state_json: JSON.stringify(run.state),
          finished_at: run.finishedAt ?? null,
        };
        await tx
          .insertInto("analysis_runs")
          .values({
            id: `${name}/${run.runId}`,
            deployment: name,
            run_id: run.runId,
            kind: run.kind,
            started_at: run.startedAt,
            ...changes,
          })
          .onConflict((oc) => oc.column("id").doUpdateSet(changes))
          .execute();
      }
    });
  }

  /**
   * Replaces a deployment's rollout spec, templates and webhooks, with the state that carries the parsed spec,
   * and records `events`, in one transaction: a failed update leaves the deployment as it was.
   */
  async updateSpec(
    name: string,
    update: Pick<DeploymentRecord, "specYaml" | "templates" | "webhooks" | "state">,
    events: Omit<DeploymentEvent, "id" | "deployment">[],
    at: number,
  ): Promise<void> {
    validateEndpointName(name, "name");
    update.webhooks.forEach((url, i) => validateWebhookUrl(url, `webhooks[${i}]`));
    await this.db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("deployments")
        .set({
          spec_yaml: update.specYaml,
          templates_json: JSON.stringify(update.templates),
          webhooks_json: JSON.stringify(update.webhooks),
          state_json: JSON.stringify(update.state),
          updated_at: at,
        })
        .where("name", "=", name)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw deploymentMissing(name);
      if (events.length > 0)
        await tx.insertInto("deployment_events").values(eventRows(name, events)).execute();
    });
  }

  /** Events in the order they were recorded, after `afterId` when given (for following a log). */
  async events(name: string, options: { afterId?: number; limit?: number } = {}): Promise<DeploymentEvent[]> {
    await this.get(name);
    const limit = options.limit ?? DEFAULT_EVENT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENT_LIMIT) {
      throw invalidParameter(`limit must be an integer between 1 and ${MAX_EVENT_LIMIT}, got ${limit}.`);
    }
    let query = this.db.selectFrom("deployment_events").selectAll().where("deployment", "=", name);
    if (options.afterId !== undefined) {
      if (!Number.isInteger(options.afterId)) {
        throw invalidParameter(`after_id must be an integer, got ${options.afterId}.`);
      }
      query = query.where("id", ">", options.afterId);
    }
    const rows = await query.orderBy("id").limit(limit).execute();
    return rows.map(toDeploymentEvent);
  }

  /** A deployment's analysis runs, oldest first; `activeOnly` keeps those still Pending or Running. */
  async analysisRuns(name: string, options: { activeOnly?: boolean } = {}): Promise<StoredAnalysisRun[]> {
    validateEndpointName(name, "name");
    let query = this.db.selectFrom("analysis_runs").selectAll().where("deployment", "=", name);
    if (options.activeOnly === true) query = query.where("phase", "in", ACTIVE_RUN_PHASES);
    const rows = await query.orderBy("started_at").orderBy("run_id").execute();
    return rows.map(toStoredAnalysisRun);
  }

  /**
   * Removes the deployment with its events, runs and feedback, so a new deployment of the same name starts
   * with no history that is not its own.
   */
  async delete(name: string): Promise<void> {
    validateEndpointName(name, "name");
    await this.db.transaction().execute(async (tx) => {
      const deleted = await tx.deleteFrom("deployments").where("name", "=", name).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw deploymentMissing(name);
      await tx.deleteFrom("deployment_events").where("deployment", "=", name).execute();
      await tx.deleteFrom("analysis_runs").where("deployment", "=", name).execute();
      await tx.deleteFrom("feedback").where("endpoint", "=", name).execute();
    });
  }

  async recordFeedback(entry: FeedbackEntry): Promise<void> {
    await this.db
      .insertInto("feedback")
      .values({
        request_id: entry.requestId,
        endpoint: entry.endpoint ?? null,
        model: entry.model ?? null,
        label: entry.label,
        prediction: entry.prediction ?? null,
        correct: entry.correct === undefined ? null : entry.correct ? 1 : 0,
        at: entry.at,
      })
      .execute();
  }

  /** Feedback rows recorded for an endpoint, after id `sinceId` when given. */
  async feedbackCount(endpoint: string, sinceId?: number): Promise<number> {
    let query = this.db
      .selectFrom("feedback")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("endpoint", "=", endpoint);
    if (sinceId !== undefined) query = query.where("id", ">", sinceId);
    const row = await query.executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

function eventRows(name: string, events: readonly Omit<DeploymentEvent, "id" | "deployment">[]) {
  return events.map((event) => ({
    deployment: name,
    at: event.at,
    kind: event.kind,
    details: event.details,
    values_json: event.values === undefined ? null : JSON.stringify(event.values),
  }));
}

function toDeploymentRecord(row: Selectable<DeploymentTable>): DeploymentRecord {
  return {
    name: row.name,
    specYaml: row.spec_yaml,
    templates: JSON.parse(row.templates_json) as DeploymentRecord["templates"],
    state: JSON.parse(row.state_json) as RolloutState,
    webhooks: JSON.parse(row.webhooks_json) as string[],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toDeploymentEvent(row: Selectable<DeploymentEventTable>): DeploymentEvent {
  const event: DeploymentEvent = {
    id: Number(row.id),
    deployment: row.deployment,
    at: Number(row.at),
    kind: row.kind,
    details: row.details,
  };
  if (row.values_json !== null) event.values = JSON.parse(row.values_json) as unknown;
  return event;
}

function toStoredAnalysisRun(row: Selectable<AnalysisRunTable>): StoredAnalysisRun {
  const run: StoredAnalysisRun = {
    deployment: row.deployment,
    runId: row.run_id,
    kind: row.kind as AnalysisKind,
    phase: row.phase,
    state: JSON.parse(row.state_json) as AnalysisRunState,
    startedAt: Number(row.started_at),
  };
  if (row.finished_at !== null) run.finishedAt = Number(row.finished_at);
  return run;
}
