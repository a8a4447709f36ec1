/**
 * Reads traces with their tags, request metadata and assessments in four queries per 500 ids. Shared by
 * the store (one trace) and search (a page of ids found first, loaded here).
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, TraceInfoTable } from "../../db/schema.js";
import { inChunks } from "../inChunks.js";
import type { Assessment } from "./assessmentEntities.js";
import { readAssessments } from "./assessments.js";
import { isLinkedRunKey } from "./runLinks.js";
import { TRACE_STATES, type TraceInfo, type TraceState } from "./entities.js";

/** Traces in input order; ids that do not exist are dropped. */
export async function readTraceInfos(
  db: Kysely<Database>,
  traceIds: readonly string[],
): Promise<TraceInfo[]> {
  const rows = new Map<string, Selectable<TraceInfoTable>>();
  const tags = new Map<string, Record<string, string>>();
  const metadata = new Map<string, Record<string, string>>();
  for (const chunk of inChunks([...new Set(traceIds)])) {
    const [infoRows, tagRows, metadataRows] = await Promise.all([
      db.selectFrom("trace_info").selectAll().where("request_id", "in", chunk).execute(),
      db.selectFrom("trace_tags").selectAll().where("request_id", "in", chunk).orderBy("key").execute(),
      db
        .selectFrom("trace_request_metadata")
        .selectAll()
        .where("request_id", "in", chunk)
        .orderBy("key")
        .execute(),
    ]);
    for (const row of infoRows) rows.set(row.request_id, row);
    collect(tags, tagRows);
    // Run links live among the metadata rows but, as in mlflow, are no part of the trace's info.
    collect(
      metadata,
      metadataRows.filter((row) => !isLinkedRunKey(row.key)),
    );
  }
  const assessments = await readAssessments(db, traceIds);
  const traces: TraceInfo[] = [];
  for (const id of traceIds) {
    const row = rows.get(id);
    if (row !== undefined) {
      traces.push(toTraceInfo(row, tags.get(id) ?? {}, metadata.get(id) ?? {}, assessments.get(id) ?? []));
    }
  }
  return traces;
}

function collect(
  into: Map<string, Record<string, string>>,
  rows: readonly { request_id: string; key: string; value: string }[],
): void {
  for (const row of rows) {
    const map = into.get(row.request_id) ?? {};
    map[row.key] = row.value;
    into.set(row.request_id, map);
  }
}

function toTraceInfo(
  row: Selectable<TraceInfoTable>,
  tags: Record<string, string>,
  metadata: Record<string, string>,
  assessments: Assessment[],
): TraceInfo {
  return {
    traceId: row.request_id,
    experimentId: String(row.experiment_id),
    requestTime: Number(row.timestamp_ms),
    executionDuration: row.execution_time_ms === null ? undefined : Number(row.execution_time_ms),
    state: (TRACE_STATES as readonly string[]).includes(row.status)
      ? (row.status as TraceState)
      : "STATE_UNSPECIFIED",
    clientRequestId: row.client_request_id ?? undefined,
    requestPreview: row.request_preview ?? undefined,
    responsePreview: row.response_preview ?? undefined,
    metadata,
    tags,
    assessments,
  };
}
