/**
 * Spans logged over OTLP and the traces read with them, after mlflow's SQL store (`log_spans`, `get_trace`,
 * `batch_get_traces`). The 3.x client posts a trace's spans to `/v1/traces` before it creates the trace with
 * StartTraceV3, so logging spans creates a trace that does not exist yet (from the spans' times and the root
 * span's status) and StartTraceV3 then merges into it. Every trace that gets spans is tagged
 * `mlflow.trace.spansLocation = TRACKING_STORE`, which tells the client not to upload the spans artifact and to
 * read them back through `traces/get` and `traces/batchGet`. Traces without that tag keep their spans in the
 * artifact store, and reading them here fails as it does in mlflow, since the client never asks.
 */
import type { Kysely } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { Database, TraceSpanDatabase } from "../../db/schema.js";
import { FlowOpsError, notFound } from "../../errors.js";
import { parseExperimentId } from "../experimentStore.js";
import { readExperiments } from "../experimentReader.js";
import { inChunks } from "../inChunks.js";
import { toTraceInfoV3Wire, type TraceInfo, type TraceState } from "./entities.js";
import { SPAN_ATTRIBUTE, spanContentToWire, stringOrNull, type IngestedSpan } from "./otlpSpans.js";
import { readTraceInfos } from "./reader.js";
import { dumpSpanJson } from "./spanJson.js";
import { traceArtifactLocation, upsertTraceKeyValues } from "./store.js";

export const SPANS_LOCATION_TAG = "mlflow.trace.spansLocation";
export const TRACKING_STORE_LOCATION = "TRACKING_STORE";
const SIZE_STATS_METADATA = "mlflow.trace.sizeStats";
const TRACE_USER_METADATA = "mlflow.trace.user";
const TRACE_NAME_TAG = "mlflow.traceName";
const PREVIEW_MAX_LENGTH = 1000;

/** A trace with its spans in the `Trace` message's protobuf JSON. */
export interface TraceWire {
  trace_info: Record<string, unknown>;
  spans?: Record<string, unknown>[];
}

interface TraceBatch {
  spans: IngestedSpan[];
  minStartMs: number;
  maxEndMs: number | undefined;
  root: IngestedSpan | undefined;
}

/** mlflow's SQL store sleeps 2**n seconds between its three reads of a trace whose spans are still arriving. */
const SPAN_WAITS_MS = [1000, 2000] as const;

export interface SpanStoreOptions {
  /** How GetTrace waits between reads of an incomplete trace; tests pass one that does not. */
  sleep?: (ms: number) => Promise<void>;
}

export class SpanStore {
  private readonly db: Kysely<TraceSpanDatabase>;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly meta: MetadataDb,
    options: SpanStoreOptions = {},
  ) {
    this.db = meta.db.withTables<Pick<TraceSpanDatabase, "spans">>();
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Logs the spans (of an export request, see spansFromExportRequest) into `experimentId`, all or nothing as
   * mlflow's handler does; the experiment is only looked up for traces that do not exist yet.
   */
  async logSpans(experimentId: string, spans: readonly IngestedSpan[]): Promise<void> {
    if (spans.length === 0) return;
    const batches = groupByTrace(spans);
    await this.meta.db.transaction().execute(async (trx) => {
      const spansTable = trx.withTables<Pick<TraceSpanDatabase, "spans">>();
      const traceIds = [...batches.keys()].sort();
      const existing = new Map(
        (await trx.selectFrom("trace_info").selectAll().where("request_id", "in", traceIds).execute()).map(
          (r) => [r.request_id, r],
        ),
      );
      const missing = traceIds.filter((id) => !existing.has(id));
      const experiment = missing.length === 0 ? undefined : await existingExperimentId(trx, experimentId);
      for (const traceId of missing) {
        const batch = batches.get(traceId) as TraceBatch;
        const row = {
          request_id: traceId,
          experiment_id: experiment as number,
          timestamp_ms: batch.minStartMs,
          // mlflow tests the end time for truth, so a trace whose spans all end at 0 has no duration.
          execution_time_ms: batch.maxEndMs ? batch.maxEndMs - batch.minStartMs : null,
          status: rootState(batch) ?? "IN_PROGRESS",
          client_request_id: null,
          request_preview: null,
          response_preview: null,
        };
        await trx.insertInto("trace_info").values(row).execute();
        existing.set(traceId, row);
        await upsertTraceKeyValues(trx, "trace_tags", traceId, {
          "mlflow.artifactLocation": await traceArtifactLocation(trx, row.experiment_id, traceId),
        });
      }
      for (const traceId of traceIds) {
        const batch = batches.get(traceId) as TraceBatch;
        const trace = existing.get(traceId);
        if (trace === undefined) continue;
        const rows = batch.spans.map((s) => ({ ...s.row, experiment_id: Number(trace.experiment_id) }));
        for (const chunk of inChunks(rows)) {
          await spansTable
            .insertInto("spans")
            .values(chunk)
            .onConflict((oc) =>
              oc.columns(["trace_id", "span_id"]).doUpdateSet((eb) => ({
                parent_span_id: eb.ref("excluded.parent_span_id"),
                name: eb.ref("excluded.name"),
                type: eb.ref("excluded.type"),
                status: eb.ref("excluded.status"),
                start_time_unix_nano: eb.ref("excluded.start_time_unix_nano"),
                end_time_unix_nano: eb.ref("excluded.end_time_unix_nano"),
                content: eb.ref("excluded.content"),
              })),
            )
            .execute();
        }
        await trx
          .updateTable("trace_info")
          .set(traceInfoUpdate(trace, batch))
          .where("request_id", "=", traceId)
          .execute();
        const userId = batch.spans
          .map((s) => s.attributes.get(SPAN_ATTRIBUTE.userId))
          .find((v) => v !== undefined);
        if (userId !== undefined) {
          await trx
            .insertInto("trace_request_metadata")
            .values({ request_id: traceId, key: TRACE_USER_METADATA, value: stringOrNull(userId) ?? userId })
            .onConflict((oc) => oc.columns(["request_id", "key"]).doNothing())
            .execute();
        }
        await upsertTraceKeyValues(trx, "trace_tags", traceId, traceTags(batch));
      }
    });
  }

  /**
   * GetTrace. Without `allowPartial` a trace whose `mlflow.trace.sizeStats` counts more spans than are stored
   * is not yet fully exported: as mlflow's SQL store, it is read again after 1 s and after 2 s, so a client
   * asking just after its export sees the whole trace, and only then refused. A missing trace is refused at once.
   */
  async getTrace(traceId: string, allowPartial: boolean): Promise<TraceWire> {
    for (const waitMs of [...SPAN_WAITS_MS, undefined]) {
      const [info] = await readTraceInfos(this.meta.db, [traceId]);
      if (info === undefined) throw notFound(`Trace with ID ${traceId} is not found.`);
      const spans = await this.readSpans(trackingStoreIds([info]));
      const trace = withSpans(info, spans.get(traceId) ?? [], allowPartial);
      if (trace !== undefined) return trace;
      if (waitMs !== undefined) await this.sleep(waitMs);
    }
    throw notFound(`Trace with ID ${traceId} is not fully exported yet, please try again later.`);
  }

  /** BatchGetTraces: complete traces only, in request order; unknown ids are left out. */
  async batchGetTraces(traceIds: readonly string[], experimentIds?: readonly string[]): Promise<TraceWire[]> {
    const infos = await this.batchGetTraceInfos(traceIds, experimentIds);
    const spans = await this.readSpans(trackingStoreIds(infos));
    return infos.flatMap((info) => withSpans(info, spans.get(info.traceId) ?? [], false) ?? []);
  }

  /** BatchGetTraceInfos: the traces' metadata in request order, within `experimentIds` when given. */
  async batchGetTraceInfos(
    traceIds: readonly string[],
    experimentIds?: readonly string[],
  ): Promise<TraceInfo[]> {
    const infos = await readTraceInfos(this.meta.db, [...new Set(traceIds)]);
    if (experimentIds === undefined) return infos;
    const allowed = new Set(experimentIds);
    return infos.filter((info) => allowed.has(info.experimentId));
  }

  /** Spans by trace, root first and then by start time, as mlflow orders them. */
  private async readSpans(traceIds: readonly string[]): Promise<Map<string, Record<string, unknown>[]>> {
    const spans = new Map<string, Record<string, unknown>[]>();
    for (const chunk of inChunks([...traceIds])) {
      const rows = await this.db
        .selectFrom("spans")
        .select(["trace_id", "content"])
        .where("trace_id", "in", chunk)
        .orderBy("trace_id")
        .orderBy((eb) => eb.case().when("parent_span_id", "is", null).then(0).else(1).end())
        .orderBy("start_time_unix_nano")
        .orderBy("span_id")
        .execute();
      for (const row of rows) {
        const list = spans.get(row.trace_id) ?? [];
        list.push(spanContentToWire(row.content));
        spans.set(row.trace_id, list);
      }
    }
    return spans;
  }
}

/** Inside the transaction: SQLite has one connection, which the transaction holds. */
async function existingExperimentId(db: Kysely<Database>, experimentId: string): Promise<number> {
  const id = parseExperimentId(experimentId);
  const [experiment] = id === undefined ? [] : await readExperiments(db, [id]);
  if (experiment === undefined || id === undefined) {
    throw notFound(`No Experiment with id=${experimentId} exists`);
  }
  return id;
}

function groupByTrace(spans: readonly IngestedSpan[]): Map<string, TraceBatch> {
  const batches = new Map<string, TraceBatch>();
  for (const span of spans) {
    const startMs = nanosToMillis(span.row.start_time_unix_nano);
    const endMs =
      span.row.end_time_unix_nano === null ? undefined : nanosToMillis(span.row.end_time_unix_nano);
    const batch = batches.get(span.row.trace_id) ?? {
      spans: [],
      minStartMs: startMs,
      maxEndMs: undefined,
      root: undefined,
    };
    batch.spans.push(span);
    batch.minStartMs = Math.min(batch.minStartMs, startMs);
    if (endMs !== undefined) batch.maxEndMs = Math.max(batch.maxEndMs ?? endMs, endMs);
    if (span.row.parent_span_id === null) batch.root ??= span;
    batches.set(span.row.trace_id, batch);
  }
  return batches;
}

function nanosToMillis(nanos: string): number {
  return Number(BigInt(nanos) / 1_000_000n);
}

/** A root span's ERROR makes the trace ERROR; OK and UNSET both make it OK. */
function rootState(batch: TraceBatch): TraceState | undefined {
  if (batch.root === undefined) return undefined;
  return batch.root.row.status === "ERROR" ? "ERROR" : "OK";
}

/**
 * How a batch moves an existing trace: its time range widens to cover the spans, an unfinished state takes the
 * root span's, and missing previews come from the root span's inputs and outputs. mlflow leaves the range alone
 * for a trace StartTraceV3 has finalized only when the trace carries token usage, cost or a session, none of
 * which FlowOps keeps, so here it always widens, as mlflow does for every other trace.
 */
function traceInfoUpdate(
  trace: {
    timestamp_ms: unknown;
    execution_time_ms: unknown;
    status: string;
    request_preview: string | null;
    response_preview: string | null;
  },
  batch: TraceBatch,
) {
  const timestamp = Math.min(Number(trace.timestamp_ms), batch.minStartMs);
  const update: {
    timestamp_ms: number;
    execution_time_ms?: number;
    status?: string;
    request_preview?: string;
    response_preview?: string;
  } = { timestamp_ms: timestamp };
  if (batch.maxEndMs !== undefined) {
    const previousEnd =
      trace.execution_time_ms === null
        ? undefined
        : Number(trace.timestamp_ms) + Number(trace.execution_time_ms);
    const end = previousEnd !== undefined && previousEnd > batch.maxEndMs ? previousEnd : batch.maxEndMs;
    update.execution_time_ms = end - timestamp;
  }
  const state = rootState(batch);
  if (state !== undefined && (trace.status === "IN_PROGRESS" || trace.status === "STATE_UNSPECIFIED")) {
    update.status = state;
  }
  const inputs = batch.root?.attributes.get(SPAN_ATTRIBUTE.inputs);
  if (trace.request_preview === null && inputs) update.request_preview = preview(inputs);
  const outputs = batch.root?.attributes.get(SPAN_ATTRIBUTE.outputs);
  if (trace.response_preview === null && outputs) update.response_preview = preview(outputs);
  return update;
}

/**
 * mlflow's `_get_truncated_preview` on the attribute's JSON text, without its chat-message extraction: the
 * text itself, cut to 1000 characters.
 */
function preview(serialized: string): string {
  const chars = Array.from(serialized);
  return chars.length <= PREVIEW_MAX_LENGTH
    ? serialized
    : `${chars.slice(0, PREVIEW_MAX_LENGTH - 3).join("")}...`;
}

/**
 * The tags the batch sets: the spans' location; the resource's attributes (but the SDK's own and the reserved
 * `mlflow.` namespace); and the user's trace tags that an OTLP exporter carries as `mlflow.traceTag.<key>`
 * attributes on the root span, which win over resource attributes of the same name.
 */
function traceTags(batch: TraceBatch): Record<string, string> {
  const tags: Record<string, string> = { [SPANS_LOCATION_TAG]: TRACKING_STORE_LOCATION };
  for (const [key, value] of batch.spans[0]?.resource ?? []) {
    if (key.startsWith("telemetry.sdk.") || key.startsWith("mlflow.") || key === "") continue;
    tags[key] = typeof value === "string" ? value : dumpSpanJson(value);
  }
  for (const [key, serialized] of batch.root?.attributes ?? []) {
    if (!key.startsWith(SPAN_ATTRIBUTE.traceTagPrefix)) continue;
    const tagKey = key.slice(SPAN_ATTRIBUTE.traceTagPrefix.length);
    if (tagKey === "" || tagKey === TRACE_NAME_TAG) continue;
    tags[tagKey] = stringOrNull(serialized) ?? serialized;
  }
  return tags;
}

function trackingStoreIds(infos: readonly TraceInfo[]): string[] {
  const ids: string[] = [];
  for (const info of infos) {
    if (info.tags[SPANS_LOCATION_TAG] !== TRACKING_STORE_LOCATION) {
      // mlflow's SQL store refuses the same way; its client reads such traces from artifacts instead.
      throw new FlowOpsError("INTERNAL_ERROR", "Trace data not stored in tracking store");
    }
    ids.push(info.traceId);
  }
  return ids;
}

/** The trace with its spans, or undefined while spans it counts are still missing (mlflow's "not ready"). */
function withSpans(
  info: TraceInfo,
  spans: Record<string, unknown>[],
  allowPartial: boolean,
): TraceWire | undefined {
  if (!allowPartial) {
    if (spans.length === 0 || spans.length < expectedSpanCount(info)) return undefined;
  }
  const trace_info = toTraceInfoV3Wire(info);
  return spans.length === 0 ? { trace_info } : { trace_info, spans };
}

function expectedSpanCount(info: TraceInfo): number {
  const stats = info.metadata[SIZE_STATS_METADATA];
  if (stats === undefined) return 0;
  try {
    const count = (JSON.parse(stats) as { num_spans?: unknown }).num_spans;
    return typeof count === "number" ? count : 0;
  } catch {
    return 0;
  }
}
