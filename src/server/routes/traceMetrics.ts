/**
 * MLflow 3's trace analytics RPCs: QueryTraceMetrics (`POST /api/3.0/mlflow/traces/metrics`) and
 * CalculateTraceFilterCorrelation (`POST /api/3.0/mlflow/traces/calculate-filter-correlation`), with the
 * request checks of mlflow's handlers. Behaviour is in src/tracking/traces/traceMetrics.ts and
 * filterCorrelation.ts.
 *
 * Enum fields read as protobuf reads them: a name or number that names no value leaves the field unset, which
 * for a proto2 enum is its first value (TRACES, COUNT). An aggregation's percentile that is missing, out of
 * range or not allowed is refused with mlflow's words as a 400, where mlflow's server fails with a 500 page.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { FlowOpsError } from "../../errors.js";
import { calculateTraceFilterCorrelation } from "../../tracking/traces/filterCorrelation.js";
import { queryTraceMetrics } from "../../tracking/traces/traceMetrics.js";
import { checkAggregation, type MetricAggregation } from "../../tracking/traces/traceMetricsConfig.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { double } from "../wire.js";
import { lenientInt64, protoEnum } from "./protoScalars.js";

const V3_PREFIXES = ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] as const;

/** Python's name for a JSON value's type, as mlflow's type checks print it. */
function pythonTypeName(value: unknown): string {
  if (typeof value === "string") return "str";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "list";
  return value === null ? "NoneType" : "dict";
}

const typeHint = (value: unknown) => ` Hint: Value was of type '${pythonTypeName(value)}'`;

/** `_assert_array` and `_assert_item_type_string`, with `_assert_required` when `required`. */
const stringArray = (required: boolean) =>
  z.unknown().transform((value, ctx) => {
    if (value === undefined || value === null) {
      if (!required) return undefined;
      ctx.addIssue({ code: "custom", message: "missing" });
      return z.NEVER;
    }
    if (!Array.isArray(value)) {
      ctx.addIssue({ code: "custom", message: typeHint(value) });
      return z.NEVER;
    }
    const nonString = value.find((item) => typeof item !== "string");
    if (nonString !== undefined) {
      ctx.addIssue({ code: "custom", message: typeHint(nonString) });
      return z.NEVER;
    }
    return value as string[];
  });
const requiredStringArray = () => stringArray(true) as unknown as z.ZodType<string[]>;
const optionalStringArray = () => stringArray(false).optional() as unknown as z.ZodType<string[] | undefined>;

/** `[_assert_string, _assert_required]`. */
const requiredString = () =>
  z.unknown().transform((value, ctx) => {
    if (typeof value === "string" && value !== "") return value;
    ctx.addIssue({
      code: "custom",
      message: value === undefined || value === null ? "missing" : typeHint(value),
    });
    return z.NEVER;
  }) as unknown as z.ZodType<string>;

/** An optional string; protobuf skips what is not one. */
const optionalString = () =>
  z
    .unknown()
    .transform((value) => (typeof value === "string" ? value : undefined))
    .optional() as unknown as z.ZodType<string | undefined>;

const viewType = protoEnum({ 1: "TRACES", 2: "SPANS", 3: "ASSESSMENTS" } as const, "unset");
const aggregationType = protoEnum(
  { 1: "COUNT", 2: "SUM", 3: "AVG", 4: "PERCENTILE", 5: "MIN", 6: "MAX" } as const,
  "unset",
);

const aggregation = z
  .object({
    aggregation_type: aggregationType.optional(),
    percentile_value: double().optional().catch(undefined),
  })
  .transform((a): MetricAggregation => ({
    type: a.aggregation_type ?? "COUNT",
    percentile: a.percentile_value,
  }));

const queryTraceMetricsRequest = z.object({
  experiment_ids: requiredStringArray(),
  view_type: z.unknown().refine((value) => value !== undefined && value !== null && value !== "", "missing"),
  metric_name: requiredString(),
  aggregations: z.array(aggregation).or(
    z.unknown().transform((value, ctx) => {
      ctx.addIssue({
        code: "custom",
        message: value === undefined || value === null ? "missing" : typeHint(value),
      });
      return z.NEVER;
    }),
  ) as unknown as z.ZodType<MetricAggregation[]>,
  dimensions: optionalStringArray(),
  filters: optionalStringArray(),
  time_interval_seconds: lenientInt64().optional(),
  start_time_ms: lenientInt64().optional(),
  end_time_ms: lenientInt64().optional(),
  max_results: lenientInt64().optional(),
  page_token: optionalString(),
});

export async function traceMetricsRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const rpc = (route: Parameters<typeof registerRpc>[1]) => registerRpc(app, route, V3_PREFIXES);

  rpc({
    method: "POST",
    path: "traces/metrics",
    request: queryTraceMetricsRequest,
    async handle(input: z.output<typeof queryTraceMetricsRequest>) {
      const aggregations = input.aggregations.map(checkAggregation);
      const dimensions = input.dimensions ?? [];
      if (aggregations.length === 0 && dimensions.length === 0 && !input.time_interval_seconds) {
        // mlflow's SQL builder has nothing to select and says so (as BAD_REQUEST).
        throw new FlowOpsError("BAD_REQUEST", "Query contains no columns with which to SELECT from.");
      }
      const points = await queryTraceMetrics(ctx.meta, {
        experimentIds: input.experiment_ids,
        viewType: viewType.parse(input.view_type) ?? "TRACES",
        metricName: input.metric_name,
        aggregations,
        dimensions,
        filters: input.filters,
        timeIntervalSeconds: input.time_interval_seconds,
        startTimeMs: input.start_time_ms,
        endTimeMs: input.end_time_ms,
        maxResults: input.max_results,
      });
      if (points.length === 0) return {};
      return {
        data_points: points.map((p) => ({
          metric_name: p.metricName,
          ...(Object.keys(p.dimensions).length > 0 && { dimensions: p.dimensions }),
          values: p.values,
        })),
      };
    },
  });

  const correlationRequest = z.object({
    experiment_ids: requiredStringArray(),
    filter_string1: requiredString(),
    filter_string2: requiredString(),
    base_filter: z
      .unknown()
      .transform((value, ctx) => {
        if (value === undefined || value === null || typeof value === "string") return value ?? undefined;
        ctx.addIssue({ code: "custom", message: typeHint(value) });
        return z.NEVER;
      })
      .optional() as unknown as z.ZodType<string | undefined>,
  });

  rpc({
    method: "POST",
    path: "traces/calculate-filter-correlation",
    request: correlationRequest,
    async handle(input: z.output<typeof correlationRequest>) {
      const result = await calculateTraceFilterCorrelation(ctx.meta, {
        experimentIds: input.experiment_ids,
        filter1: input.filter_string1,
        filter2: input.filter_string2,
        baseFilter: input.base_filter,
      });
      // NaN scores are undefined and left out, as mlflow's `to_proto` does.
      return {
        ...(!Number.isNaN(result.npmi) && { npmi: result.npmi }),
        ...(!Number.isNaN(result.npmiSmoothed) && { npmi_smoothed: result.npmiSmoothed }),
        filter1_count: result.filter1Count,
        filter2_count: result.filter2Count,
        joint_count: result.jointCount,
        total_count: result.totalCount,
      };
    },
  });
}
