/**
 * The assessment store: create, read, update and delete a trace's assessments with the semantics of
 * mlflow's SqlAlchemyStore. Creating an override marks the overridden assessment invalid; deleting the
 * override makes it valid again. Deleting an assessment that is not there succeeds (mlflow's delete is
 * idempotent). The source and span of an assessment never change; an update merges metadata.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { Database } from "../../db/schema.js";
import { alreadyExists, invalidParameter, notFound } from "../../errors.js";
import { inChunks } from "../inChunks.js";
import {
  ASSESSMENT_KINDS,
  ASSESSMENT_SOURCE_TYPES,
  assessmentErrorFromWire,
  type Assessment,
  type AssessmentError,
  type AssessmentSourceType,
} from "./assessmentEntities.js";

/** The `assessments` row (migration 0011); `valid` is 0/1 as every FlowOps boolean. */
export interface AssessmentsTable {
  assessment_id: string;
  trace_id: string;
  name: string;
  assessment_type: string;
  value: string;
  error: string | null;
  created_timestamp: number | string | bigint;
  last_updated_timestamp: number | string | bigint;
  source_type: string;
  source_id: string | null;
  span_id: string | null;
  rationale: string | null;
  overrides: string | null;
  valid: number;
  assessment_metadata: string | null;
}

export type AssessmentDatabase = Database & { assessments: AssessmentsTable };

/** The tables this store reads and writes, the assessments one declared here beside the rest. */
export function withAssessments(db: Kysely<Database>): Kysely<AssessmentDatabase> {
  return db.withTables<{ assessments: AssessmentsTable }>();
}

/** What a client sends; the server names the assessment when it has no id and stamps missing times. */
export type NewAssessment = Omit<Assessment, "assessmentId" | "createTime" | "lastUpdateTime" | "valid"> & {
  assessmentId: string | undefined;
  createTime: number | undefined;
  lastUpdateTime: number | undefined;
};

/** The fields an update mask names; the others keep their values. */
export interface AssessmentChanges {
  name?: string | undefined;
  feedback?: { valueJson: string; error: AssessmentError | undefined } | undefined;
  expectation?: { valueJson: string } | undefined;
  rationale?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export class AssessmentStore {
  private readonly db: Kysely<AssessmentDatabase>;

  constructor(
    meta: MetadataDb,
    private readonly now: () => number = Date.now,
  ) {
    this.db = withAssessments(meta.db);
  }

  async create(input: NewAssessment): Promise<Assessment> {
    const now = this.now();
    const assessmentId = input.assessmentId ?? `a-${randomUUID().replace(/-/g, "")}`;
    await this.db.transaction().execute(async (trx) => {
      await assertTraceExists(trx, input.traceId);
      const taken = await trx
        .selectFrom("assessments")
        .select("assessment_id")
        .where("assessment_id", "=", assessmentId)
        .executeTakeFirst();
      // mlflow answers a reused id with an INTERNAL_ERROR from the primary key; it is the caller's doing.
      if (taken !== undefined) throw alreadyExists(`Assessment with ID '${assessmentId}' already exists.`);
      if (input.overrides !== undefined) {
        const result = await trx
          .updateTable("assessments")
          .set({ valid: 0 })
          .where("trace_id", "=", input.traceId)
          .where("assessment_id", "=", input.overrides)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) throw assessmentNotFound(input.overrides, input.traceId);
      }
      await trx
        .insertInto("assessments")
        .values({
          assessment_id: assessmentId,
          trace_id: input.traceId,
          name: input.name,
          assessment_type: input.kind,
          value: input.valueJson,
          error: input.kind === "feedback" ? errorJson(input.error) : null,
          created_timestamp: input.createTime || now,
          last_updated_timestamp: input.lastUpdateTime || now,
          source_type: input.sourceType,
          source_id: input.sourceId ?? null,
          span_id: input.spanId ?? null,
          // mlflow's Expectation has no rationale; one sent with it is dropped.
          rationale: input.kind === "expectation" ? null : (input.rationale ?? null),
          overrides: input.overrides ?? null,
          valid: 1,
          assessment_metadata: metadataJson(input.metadata),
        })
        .execute();
    });
    return this.get(input.traceId, assessmentId);
  }

  async get(traceId: string, assessmentId: string): Promise<Assessment> {
    const row = await this.db
      .selectFrom("assessments")
      .selectAll()
      .where("trace_id", "=", traceId)
      .where("assessment_id", "=", assessmentId)
      .executeTakeFirst();
    if (row !== undefined) return toAssessment(row);
    const trace = await this.db
      .selectFrom("trace_info")
      .select("request_id")
      .where("request_id", "=", traceId)
      .executeTakeFirst();
    if (trace === undefined) throw notFound(`Trace with request_id '${traceId}' not found`);
    throw assessmentNotFound(assessmentId, traceId);
  }

  async update(traceId: string, assessmentId: string, changes: AssessmentChanges): Promise<Assessment> {
    const existing = await this.get(traceId, assessmentId);
    if (changes.expectation !== undefined && changes.feedback !== undefined) {
      throw invalidParameter("Cannot specify both `expectation` and `feedback` parameters.");
    }
    if (changes.expectation !== undefined && existing.kind !== "expectation") {
      throw invalidParameter("Cannot update expectation value on a Feedback assessment.");
    }
    if (changes.feedback !== undefined && existing.kind !== "feedback") {
      throw invalidParameter("Cannot update feedback value on an Expectation assessment.");
    }
    const value = changes.feedback ?? changes.expectation;
    // Replacing feedback's value replaces its error too, as mlflow's update does.
    const error = changes.feedback === undefined ? existing.error : changes.feedback.error;
    await this.db
      .updateTable("assessments")
      .set({
        name: changes.name ?? existing.name,
        value: value?.valueJson ?? existing.valueJson,
        error: existing.kind === "feedback" ? errorJson(error) : null,
        last_updated_timestamp: this.now(),
        rationale: existing.kind === "expectation" ? null : (changes.rationale ?? existing.rationale ?? null),
        assessment_metadata: metadataJson({ ...existing.metadata, ...changes.metadata }),
      })
      .where("trace_id", "=", traceId)
      .where("assessment_id", "=", assessmentId)
      .execute();
    return this.get(traceId, assessmentId);
  }

  async delete(traceId: string, assessmentId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("assessments")
        .select("overrides")
        .where("trace_id", "=", traceId)
        .where("assessment_id", "=", assessmentId)
        .executeTakeFirst();
      if (row === undefined) return;
      if (row.overrides !== null) {
        await trx
          .updateTable("assessments")
          .set({ valid: 1 })
          .where("assessment_id", "=", row.overrides)
          .execute();
      }
      await trx
        .deleteFrom("assessments")
        .where("trace_id", "=", traceId)
        .where("assessment_id", "=", assessmentId)
        .execute();
    });
  }
}

/** Each trace's assessments in creation order; traces without any are absent from the map. */
export async function readAssessments(
  db: Kysely<Database>,
  traceIds: readonly string[],
): Promise<Map<string, Assessment[]>> {
  const byTrace = new Map<string, Assessment[]>();
  for (const chunk of inChunks([...new Set(traceIds)])) {
    const rows = await withAssessments(db)
      .selectFrom("assessments")
      .selectAll()
      .where("trace_id", "in", chunk)
      .orderBy("created_timestamp")
      .orderBy("assessment_id")
      .execute();
    for (const row of rows) {
      const list = byTrace.get(row.trace_id) ?? [];
      list.push(toAssessment(row));
      byTrace.set(row.trace_id, list);
    }
  }
  return byTrace;
}

/** Removes the assessments of traces being deleted, before the traces (SQLite enforces the key). */
export async function deleteAssessmentsOfTraces(
  db: Kysely<Database>,
  traceIds: readonly string[],
): Promise<void> {
  await withAssessments(db).deleteFrom("assessments").where("trace_id", "in", traceIds).execute();
}

export function assessmentNotFound(assessmentId: string, traceId: string) {
  return notFound(`Assessment with ID '${assessmentId}' not found for trace '${traceId}'`);
}

async function assertTraceExists(db: Kysely<AssessmentDatabase>, traceId: string): Promise<void> {
  const trace = await db
    .selectFrom("trace_info")
    .select("request_id")
    .where("request_id", "=", traceId)
    .executeTakeFirst();
  // The store's traceNotFound wording; importing it would tie the two modules in a cycle.
  if (trace === undefined) throw notFound(`Trace with ID '${traceId}' not found.`);
}

function errorJson(error: AssessmentError | undefined): string | null {
  if (error === undefined) return null;
  return JSON.stringify({
    error_code: error.errorCode,
    error_message: error.errorMessage ?? null,
    stack_trace: error.stackTrace ?? null,
  });
}

function metadataJson(metadata: Record<string, string>): string | null {
  return Object.keys(metadata).length === 0 ? null : JSON.stringify(metadata);
}

function toAssessment(row: Selectable<AssessmentsTable>): Assessment {
  const error = row.error === null ? undefined : (JSON.parse(row.error) as Record<string, string | null>);
  return {
    assessmentId: row.assessment_id,
    traceId: row.trace_id,
    name: row.name,
    kind: oneOf(ASSESSMENT_KINDS, row.assessment_type, "feedback"),
    valueJson: row.value,
    error: assessmentErrorFromWire(error),
    sourceType: oneOf<AssessmentSourceType>(
      ASSESSMENT_SOURCE_TYPES,
      row.source_type,
      "SOURCE_TYPE_UNSPECIFIED",
    ),
    sourceId: row.source_id ?? undefined,
    createTime: Number(row.created_timestamp),
    lastUpdateTime: Number(row.last_updated_timestamp),
    spanId: row.span_id ?? undefined,
    rationale: row.rationale ?? undefined,
    metadata:
      row.assessment_metadata === null ? {} : (JSON.parse(row.assessment_metadata) as Record<string, string>),
    overrides: row.overrides ?? undefined,
    valid: Number(row.valid) !== 0,
  };
}

function oneOf<T extends string>(values: readonly T[], value: string, fallback: T): T {
  return (values as readonly string[]).includes(value) ? (value as T) : fallback;
}
