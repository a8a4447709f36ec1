/**
 * MLflow tracing RPCs: the 3.x endpoints under /api/3.0 (StartTraceV3, GetTraceInfoV3, SearchTracesV3,
 * DeleteTracesV3, trace tags) and the 2.x ones under /api/2.0 that 3.x clients still call (tags,
 * DeleteTraces, LinkTracesToRun, LinkPromptsToTrace) or that 2.x clients use (StartTrace, EndTrace, GetTraceInfo,
 * SearchTraces), and the span reads of mlflow ≥ 3.4 (GetTrace, BatchGetTraces, BatchGetTraceInfos). Validation
 * is at this edge; behaviour is in src/tracking/traces. mlflow writes every answer here with `message_to_json`,
 * which leaves empty lists out. The RPCs whose answers hold v2 trace infos and plain fields go through
 * registerProtoRpc; those that hold assessments or spans keep registerRpc and leave their empty lists out by
 * hand, because withoutEmptyRepeated also drops nulls and a feedback without a value is `"value": null` there.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidParameter } from "../../errors.js";
import {
  stateFromV2Status,
  toTraceInfoV2Wire,
  toTraceInfoV3Wire,
  type TraceInfo,
  type TraceState,
  type TraceV2Status,
} from "../../tracking/traces/entities.js";
import { parseProtoDuration, parseProtoTimestamp } from "../../tracking/traces/protoTime.js";
import { searchTraces } from "../../tracking/traces/search.js";
import { SpanStore } from "../../tracking/traces/spanStore.js";
import { TraceStore } from "../../tracking/traces/store.js";
import type { ServerContext } from "../context.js";
import { MLFLOW_API_PREFIXES, registerRpc } from "../rpc.js";
import { bool, int64, int64OrDefault, keyValue, list } from "../wire.js";
import { registerProtoRpc } from "./protoRpc.js";
import { protoEnum } from "./protoScalars.js";
import { atMostInSchema } from "./queryIntegers.js";
import { traceAssessmentRoutes } from "./traceAssessments.js";
import { tracePromptLinkRoutes } from "./tracePromptLinks.js";

const V3_PREFIXES = ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] as const;
const BOTH_PREFIXES = [...MLFLOW_API_PREFIXES, ...V3_PREFIXES] as const;
/** The trace search handlers' own cap on one page (the store allows up to 50000). */
const SEARCH_TRACES_PAGE_LIMIT = 500;

const state = protoEnum<TraceState>(
  { 0: "STATE_UNSPECIFIED", 1: "OK", 2: "ERROR", 3: "IN_PROGRESS" },
  "refuse",
);
const v2Status = protoEnum<TraceV2Status>(
  { 0: "TRACE_STATUS_UNSPECIFIED", 1: "OK", 2: "ERROR", 3: "IN_PROGRESS" },
  "refuse",
);
const stringMap = z.record(z.string(), z.string());

const traceInfoV3 = z.object({
  trace_id: z.string().min(1),
  trace_location: z
    .object({ mlflow_experiment: z.object({ experiment_id: z.string() }).optional() })
    .passthrough()
    .optional(),
  request_time: z.string().optional(),
  execution_duration: z.string().optional(),
  state: state.optional(),
  trace_metadata: stringMap.optional(),
  tags: stringMap.optional(),
  client_request_id: z.string().optional(),
  request_preview: z.string().optional(),
  response_preview: z.string().optional(),
});

const experimentLocation = z
  .object({ mlflow_experiment: z.object({ experiment_id: z.string() }).optional() })
  .passthrough();

const traceId = z.string().min(1);

function toMap(pairs: readonly { key: string; value: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((pairs ?? []).map((p) => [p.key, p.value]));
}

const v3 = (info: TraceInfo) => ({ trace: { trace_info: toTraceInfoV3Wire(info) } });

export async function traceRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const store = new TraceStore(ctx.meta, () => ctx.now());

  registerRpc(
    app,
    {
      method: "POST",
      path: "traces",
      request: z.object({ trace: z.object({ trace_info: traceInfoV3 }).passthrough() }),
      async handle(input) {
        const info = input.trace.trace_info;
        const experimentId = info.trace_location?.mlflow_experiment?.experiment_id;
        if (experimentId === undefined) {
          throw invalidParameter("Only traces in an MLflow experiment location are supported.");
        }
        const created = await store.start({
          traceId: info.trace_id,
          experimentId,
          requestTime:
            info.request_time === undefined ? 0 : parseProtoTimestamp(info.request_time, "request_time"),
          executionDuration:
            info.execution_duration === undefined
              ? undefined
              : parseProtoDuration(info.execution_duration, "execution_duration"),
          state: info.state ?? "STATE_UNSPECIFIED",
          clientRequestId: info.client_request_id,
          requestPreview: info.request_preview,
          responsePreview: info.response_preview,
          metadata: info.trace_metadata ?? {},
          tags: info.tags ?? {},
        });
        return v3(created);
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "POST",
      path: "traces/search",
      request: z.object({
        locations: list(experimentLocation),
        filter: z.string().optional(),
        max_results: atMostInSchema(SEARCH_TRACES_PAGE_LIMIT, int64OrDefault()).optional(),
        order_by: list(z.string()).optional(),
        page_token: z.string().optional(),
      }),
      async handle(input) {
        const page = await searchTraces(ctx.meta, {
          experimentIds: input.locations.flatMap((l) =>
            l.mlflow_experiment === undefined ? [] : [l.mlflow_experiment.experiment_id],
          ),
          filter: input.filter,
          maxResults: input.max_results,
          orderBy: input.order_by,
          pageToken: input.page_token,
        });
        const traces = page.traces.map(toTraceInfoV3Wire);
        // Protobuf's JSON leaves an empty repeated field out: no traces is `{}`.
        return {
          ...(traces.length > 0 ? { traces } : {}),
          ...(page.nextPageToken === undefined ? {} : { next_page_token: page.nextPageToken }),
        };
      },
    },
    V3_PREFIXES,
  );

  registerProtoRpc(
    app,
    {
      method: "POST",
      path: "traces/delete-traces",
      request: z.object({
        experiment_id: z.string().min(1),
        max_timestamp_millis: int64().optional(),
        max_traces: int64().optional(),
        request_ids: list(z.string()).optional(),
      }),
      async handle(input) {
        const deleted = await store.delete({
          experimentId: input.experiment_id,
          maxTimestampMillis: input.max_timestamp_millis,
          maxTraces: input.max_traces,
          traceIds: input.request_ids,
        });
        return { traces_deleted: deleted };
      },
    },
    BOTH_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "traces/:trace_id",
      request: z.object({ trace_id: traceId }),
      async handle(input) {
        return v3(await store.get(input.trace_id));
      },
    },
    V3_PREFIXES,
  );

  // Tag RPCs: 2.x names the id request_id, 3.x trace_id; the 3.x client calls the 2.x path.
  const idOf = (fields: Record<string, unknown>) => fields.trace_id ?? fields.request_id;
  for (const prefixes of [MLFLOW_API_PREFIXES, V3_PREFIXES]) {
    const param = prefixes === MLFLOW_API_PREFIXES ? "request_id" : "trace_id";
    registerProtoRpc(
      app,
      {
        method: "PATCH",
        path: `traces/:${param}/tags`,
        request: z.preprocess(
          (v) => ({ ...(v as object), id: idOf((v ?? {}) as Record<string, unknown>) }),
          z.object({ id: traceId, key: z.string().min(1), value: z.string().optional().default("") }),
        ),
        async handle(input) {
          await store.setTag(input.id, input.key, input.value);
          return {};
        },
      },
      prefixes,
    );
    registerProtoRpc(
      app,
      {
        method: "DELETE",
        path: `traces/:${param}/tags`,
        request: z.preprocess(
          (v) => ({ ...(v as object), id: idOf((v ?? {}) as Record<string, unknown>) }),
          z.object({ id: traceId, key: z.string().min(1) }),
        ),
        async handle(input) {
          await store.deleteTag(input.id, input.key);
          return {};
        },
      },
      prefixes,
    );
  }

  registerProtoRpc(app, {
    method: "POST",
    path: "traces/link-to-run",
    // mlflow requires trace_ids (an empty list will do) before run_id.
    request: z.object({ trace_ids: list(z.string()), run_id: z.string().min(1) }),
    async handle(input) {
      await store.linkToRun(input.trace_ids, input.run_id);
      return {};
    },
  });

  await traceWithSpansRoutes(app, ctx);
  await traceV2Routes(app, ctx, store);
  await traceAssessmentRoutes(app, ctx);
  await tracePromptLinkRoutes(app, ctx);
}

/**
 * Traces with their spans (GetTrace, BatchGetTraces) and trace infos by id (BatchGetTraceInfos), as mlflow
 * routes them: the first two GET only, the last POST only. Their paths are static, so Fastify prefers them to
 * `traces/:trace_id`. `experiment_ids`, when sent, limits the traces to those experiments.
 */
async function traceWithSpansRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const spans = new SpanStore(ctx.meta);
  const byIds = z.object({ trace_ids: list(z.string()), experiment_ids: list(z.string()).optional() });

  registerRpc(
    app,
    {
      method: "GET",
      path: "traces/get",
      request: z.object({ trace_id: traceId, allow_partial: bool().optional() }),
      async handle(input) {
        return { trace: await spans.getTrace(input.trace_id, input.allow_partial ?? false) };
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "traces/batchGet",
      request: byIds,
      async handle(input) {
        const traces = await spans.batchGetTraces(input.trace_ids, input.experiment_ids);
        return traces.length === 0 ? {} : { traces };
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "POST",
      path: "traces/batchGetInfos",
      request: byIds,
      async handle(input) {
        const infos = await spans.batchGetTraceInfos(input.trace_ids, input.experiment_ids);
        return infos.length === 0 ? {} : { trace_infos: infos.map(toTraceInfoV3Wire) };
      },
    },
    V3_PREFIXES,
  );
}

/** The 2.x client's flow: StartTrace, EndTrace, GetTraceInfo and SearchTraces, on the same rows. */
async function traceV2Routes(app: FastifyInstance, ctx: ServerContext, store: TraceStore): Promise<void> {
  const v2 = (info: TraceInfo) => ({ trace_info: toTraceInfoV2Wire(info) });

  registerProtoRpc(app, {
    method: "POST",
    path: "traces",
    request: z.object({
      experiment_id: z.string().min(1),
      timestamp_ms: int64(),
      request_metadata: list(keyValue).optional(),
      tags: list(keyValue).optional(),
    }),
    async handle(input) {
      return v2(
        await store.startV2({
          experimentId: input.experiment_id,
          timestampMs: input.timestamp_ms,
          metadata: toMap(input.request_metadata),
          tags: toMap(input.tags),
        }),
      );
    },
  });

  registerProtoRpc(app, {
    method: "PATCH",
    path: "traces/:request_id",
    request: z.object({
      request_id: traceId,
      timestamp_ms: int64(),
      status: v2Status,
      request_metadata: list(keyValue).optional(),
      tags: list(keyValue).optional(),
    }),
    async handle(input) {
      return v2(
        await store.endV2({
          traceId: input.request_id,
          timestampMs: input.timestamp_ms,
          state: stateFromV2Status(input.status ?? "TRACE_STATUS_UNSPECIFIED"),
          metadata: toMap(input.request_metadata),
          tags: toMap(input.tags),
        }),
      );
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "traces/:request_id/info",
    request: z.object({ request_id: traceId }),
    async handle(input) {
      return v2(await store.get(input.request_id));
    },
  });

  registerProtoRpc(app, {
    method: "GET",
    path: "traces",
    request: z.object({
      experiment_ids: list(z.string()),
      filter: z.string().optional(),
      max_results: atMostInSchema(SEARCH_TRACES_PAGE_LIMIT, int64()).optional(),
      order_by: list(z.string()).optional(),
      page_token: z.string().optional(),
    }),
    async handle(input) {
      const page = await searchTraces(ctx.meta, {
        experimentIds: input.experiment_ids,
        filter: input.filter,
        maxResults: input.max_results,
        orderBy: input.order_by,
        pageToken: input.page_token,
      });
      return { traces: page.traces.map(toTraceInfoV2Wire), next_page_token: page.nextPageToken };
    },
  });
}
