/**
 * The trace store (MLflow 3 tracing): the client creates a finished trace in one call (`StartTraceV3`, sent
 * when the root span ends) and uploads its spans to the artifact location the answer names; tags stay
 * mutable, request metadata is written with the trace. The 2.x two-step flow (StartTrace, then EndTrace)
 * lands on the same rows. Deletion is hard, as in mlflow's SQL store. Search lives in search.ts.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { Database, SpanTable } from "../../db/schema.js";
import { invalidParameter, notFound } from "../../errors.js";
import { readExperiments } from "../experimentReader.js";
import { parseExperimentId } from "../experimentStore.js";
import { inChunks } from "../inChunks.js";
import {
  INFO_FINALIZED_METADATA,
  TRACE_ARTIFACT_LOCATION_TAG,
  TRACE_NAME_TAG,
  type TraceInfo,
  type TraceState,
} from "./entities.js";
import { deleteAssessmentsOfTraces } from "./assessments.js";
import { readTraceInfos } from "./reader.js";
import { linkTracesToRun } from "./runLinks.js";

/** What a client sends to create a trace; the server adds the artifact location tag. */
export type NewTrace = Omit<
  TraceInfo,
  "executionDuration" | "clientRequestId" | "requestPreview" | "responsePreview" | "assessments"
> &
  Partial<Pick<TraceInfo, "executionDuration" | "clientRequestId" | "requestPreview" | "responsePreview">>;

export interface EndTraceV2 {
  traceId: string;
  timestampMs: number;
  state: TraceState;
  metadata: Record<string, string>;
  tags: Record<string, string>;
}

export interface DeleteTracesCriteria {
  experimentId: string;
  maxTimestampMillis?: number | undefined;
  maxTraces?: number | undefined;
  traceIds?: readonly string[] | undefined;
}

export class TraceStore {
  constructor(
    private readonly meta: MetadataDb,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Creates the trace, or merges into it when it exists (the client retries on timeouts): columns take the
   * new values, tags and metadata are upserted key by key.
   */
  async start(trace: NewTrace): Promise<TraceInfo> {
    if (trace.traceId === "") throw invalidParameter("Missing value for required parameter 'trace_id'.");
    const experimentId = await this.activeExperimentId(trace.experimentId);
    const artifactLocation = await this.artifactLocation(experimentId, trace.traceId);
    const row = {
      experiment_id: experimentId,
      timestamp_ms: trace.requestTime,
      execution_time_ms: trace.executionDuration ?? null,
      status: trace.state,
      client_request_id: trace.clientRequestId ?? null,
      request_preview: trace.requestPreview ?? null,
      response_preview: trace.responsePreview ?? null,
    };
    await this.meta.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("trace_info")
        .values({ request_id: trace.traceId, ...row })
        .onConflict((oc) => oc.column("request_id").doUpdateSet(row))
        .execute();
      await upsertTraceKeyValues(trx, "trace_tags", trace.traceId, {
        ...trace.tags,
        [TRACE_ARTIFACT_LOCATION_TAG]: artifactLocation,
      });
      await upsertTraceKeyValues(trx, "trace_request_metadata", trace.traceId, {
        ...trace.metadata,
        [INFO_FINALIZED_METADATA]: "true",
      });
    });
    return this.get(trace.traceId);
  }

  /** 2.x StartTrace: a trace in progress with a server-made id, finished later by endV2. */
  async startV2(input: {
    experimentId: string;
    timestampMs: number;
    metadata: Record<string, string>;
    tags: Record<string, string>;
  }): Promise<TraceInfo> {
    // mlflow's v2 StartTrace names the trace with a bare uuid hex; the v3 client makes `tr-` ids itself.
    const traceId = randomUUID().replace(/-/g, "");
    const experimentId = await this.activeExperimentId(input.experimentId);
    const artifactLocation = await this.artifactLocation(experimentId, traceId);
    await this.meta.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("trace_info")
        .values({
          request_id: traceId,
          experiment_id: experimentId,
          timestamp_ms: input.timestampMs,
          execution_time_ms: null,
          status: "IN_PROGRESS",
          client_request_id: null,
          request_preview: null,
          response_preview: null,
        })
        .execute();
      await upsertTraceKeyValues(trx, "trace_tags", traceId, {
        ...input.tags,
        [TRACE_ARTIFACT_LOCATION_TAG]: artifactLocation,
      });
      await upsertTraceKeyValues(trx, "trace_request_metadata", traceId, input.metadata);
    });
    return this.get(traceId);
  }

  /** 2.x EndTrace: the duration runs from the trace's start to `timestampMs`. */
  async endV2(input: EndTraceV2): Promise<TraceInfo> {
    const trace = await this.get(input.traceId);
    await this.meta.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("trace_info")
        .set({ status: input.state, execution_time_ms: input.timestampMs - trace.requestTime })
        .where("request_id", "=", input.traceId)
        .execute();
      await upsertTraceKeyValues(trx, "trace_tags", input.traceId, input.tags);
      await upsertTraceKeyValues(trx, "trace_request_metadata", input.traceId, input.metadata);
    });
    return this.get(input.traceId);
  }

  async get(traceId: string): Promise<TraceInfo> {
    const [trace] = await readTraceInfos(this.meta.db, [traceId]);
    if (trace === undefined) throw traceNotFound(traceId);
    return trace;
  }

  async setTag(traceId: string, key: string, value: string): Promise<void> {
    assertTagKey(key);
    await this.get(traceId);
    await upsertTraceKeyValues(this.meta.db, "trace_tags", traceId, { [key]: value });
  }

  async deleteTag(traceId: string, key: string): Promise<void> {
    // mlflow deletes the tag row without reading the trace, so a missing trace is a missing tag; only the
    // trace name, which its store keeps on the trace's own row, reads the trace first.
    if (key === TRACE_NAME_TAG) await this.get(traceId);
    const result = await this.meta.db
      .deleteFrom("trace_tags")
      .where("request_id", "=", traceId)
      .where("key", "=", key)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) {
      throw notFound(`No trace tag with key '${key}' for trace with ID '${traceId}'`);
    }
  }

  /**
   * Deletes by age (`timestamp_ms <= maxTimestampMillis`, oldest first, at most `maxTraces`) or by ids,
   * within one experiment, as mlflow's SQL store does; returns how many went.
   */
  async delete(criteria: DeleteTracesCriteria): Promise<number> {
    const traceIds = criteria.traceIds ?? [];
    if (criteria.maxTimestampMillis === undefined && traceIds.length === 0) {
      throw invalidParameter("Either `max_timestamp_millis` or `trace_ids` must be specified.");
    }
    if (criteria.maxTimestampMillis !== undefined && traceIds.length > 0) {
      throw invalidParameter("Only one of `max_timestamp_millis` and `trace_ids` can be specified.");
    }
    if (traceIds.length > 0 && criteria.maxTraces !== undefined) {
      throw invalidParameter("`max_traces` can't be specified if `trace_ids` is specified.");
    }
    if (criteria.maxTraces !== undefined && criteria.maxTraces <= 0) {
      throw invalidParameter(`\`max_traces\` must be a positive integer, received ${criteria.maxTraces}.`);
    }
    const experimentId = parseExperimentId(criteria.experimentId);
    if (experimentId === undefined) return 0;
    return this.meta.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom("trace_info").select("request_id").where("experiment_id", "=", experimentId);
      if (criteria.maxTimestampMillis !== undefined) {
        query = query.where("timestamp_ms", "<=", criteria.maxTimestampMillis);
      }
      if (traceIds.length > 0) query = query.where("request_id", "in", [...new Set(traceIds)]);
      if (criteria.maxTraces !== undefined) {
        query = query.orderBy("timestamp_ms").orderBy("request_id").limit(criteria.maxTraces);
      }
      const ids = (await query.execute()).map((r) => r.request_id);
      for (const chunk of inChunks(ids)) {
        // Children first: SQLite enforces the foreign keys, and not every deployment may cascade.
        await deleteAssessmentsOfTraces(trx, chunk);
        await trx
          .withTables<{ spans: SpanTable }>()
          .deleteFrom("spans")
          .where("trace_id", "in", chunk)
          .execute();
        await trx.deleteFrom("trace_tags").where("request_id", "in", chunk).execute();
        await trx.deleteFrom("trace_request_metadata").where("request_id", "in", chunk).execute();
        await trx.deleteFrom("trace_info").where("request_id", "in", chunk).execute();
      }
      return ids.length;
    });
  }

  /** Links the traces to the run as mlflow does (runLinks.ts): unknown traces skipped, the run not read. */
  async linkToRun(traceIds: readonly string[], runId: string): Promise<void> {
    await linkTracesToRun(this.meta.db, traceIds, runId);
  }

  private async activeExperimentId(experimentId: string): Promise<number> {
    const id = parseExperimentId(experimentId);
    const [experiment] = id === undefined ? [] : await readExperiments(this.meta.db, [id]);
    if (experiment === undefined || id === undefined) {
      throw notFound(`No Experiment with id=${experimentId} exists`);
    }
    if (experiment.lifecycle_stage !== "active") {
      throw invalidParameter(
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
      );
    }
    return id;
  }

  private async artifactLocation(experimentId: number, traceId: string): Promise<string> {
    return traceArtifactLocation(this.meta.db, experimentId, traceId);
  }
}

/** The `mlflow.artifactLocation` tag a new trace gets: `traces/<id>/artifacts` under its experiment's root. */
export async function traceArtifactLocation(
  db: Kysely<Database>,
  experimentId: number,
  traceId: string,
): Promise<string> {
  const [experiment] = await readExperiments(db, [experimentId]);
  const root = experiment?.artifact_location ?? "";
  return `${root.endsWith("/") ? root : `${root}/`}traces/${traceId}/artifacts`;
}

export function traceNotFound(traceId: string) {
  return notFound(`Trace with ID '${traceId}' not found.`);
}

function assertTagKey(key: string): void {
  if (key === "") throw invalidParameter("Missing value for required parameter 'key'.");
}

export async function upsertTraceKeyValues(
  db: Kysely<Database> | Transaction<Database>,
  table: "trace_tags" | "trace_request_metadata",
  traceId: string,
  entries: Record<string, string>,
): Promise<void> {
  const rows = Object.entries(entries).map(([key, value]) => ({ request_id: traceId, key, value }));
  for (const chunk of inChunks(rows)) {
    await db
      .insertInto(table)
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(["request_id", "key"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })),
      )
      .execute();
  }
}
