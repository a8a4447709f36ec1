/**
 * CalculateTraceFilterCorrelation as mlflow's SQL store answers it: how often traces matching two search
 * filters co-occur, as normalized pointwise mutual information (NPMI), among the traces of the experiments or,
 * with a base filter, among those matching it (which both filters are then combined with, `base and filter`).
 * Filters are search_traces filters, turned into SQL by the trace search's own `traceFilterSql`, so they
 * mean and refuse exactly what a trace search does; each count is one COUNT over the matching traces.
 * The joint count is of traces matching both combined filters, not of one filter joining their clauses, since
 * the span clauses of one filter must hold for the same span. The NPMI policy is mlflow's
 * `trace_correlation.py`: undefined (NaN, left out of the answer) without support, -1 for disjoint filters,
 * and a smoothed value with Jeffreys' prior (alpha 0.5).
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import { parseExperimentId } from "../experimentStore.js";
import { invalidRegexToBadRequest, traceFilterSql } from "./search.js";
import { parseTraceFilter } from "./searchFilter.js";

const JEFFREYS_PRIOR = 0.5;

export interface TraceFilterCorrelationRequest {
  experimentIds: readonly string[];
  filter1: string;
  filter2: string;
  baseFilter?: string | undefined;
}

export interface TraceFilterCorrelation {
  npmi: number;
  npmiSmoothed: number;
  filter1Count: number;
  filter2Count: number;
  jointCount: number;
  totalCount: number;
}

export async function calculateTraceFilterCorrelation(
  meta: MetadataDb,
  request: TraceFilterCorrelationRequest,
): Promise<TraceFilterCorrelation> {
  const experimentIds = request.experimentIds
    .map((id) => parseExperimentId(id))
    .filter((id): id is number => id !== undefined);
  const base = request.baseFilter || undefined;
  const combine = (filter: string) => (base === undefined ? filter : `${base} and ${filter}`);
  const filters = [combine(request.filter1), combine(request.filter2), ...(base === undefined ? [] : [base])];
  if (experimentIds.length === 0) {
    // As a search of no experiments: its filters are still read and built, so refused alike, but nothing
    // matches. Building checks the comparators, which reading alone no longer does.
    filters.forEach((filter) => traceFilterSql(meta.dialect, parseTraceFilter(filter), []));
    const none = { filter1Count: 0, filter2Count: 0, jointCount: 0, totalCount: 0 };
    return { ...none, ...npmiFromCounts(none) };
  }
  // Each filter is built and counted before the next is read, as the searches these counts replace ran, so
  // the filter refused is the same one.
  const filterSql = (filter: string) => traceFilterSql(meta.dialect, parseTraceFilter(filter), experimentIds);
  const count = (condition: RawBuilder<SqlBool>) => countTraces(meta, experimentIds, condition);
  const matching1 = filterSql(combine(request.filter1));
  const filter1Count = await count(matching1);
  const matching2 = filterSql(combine(request.filter2));
  const filter2Count = await count(matching2);
  const jointCount = await count(sql<SqlBool>`${matching1} and ${matching2}`);
  const totalCount = await count(base === undefined ? sql<SqlBool>`1 = 1` : filterSql(base));
  const counts = { filter1Count, filter2Count, jointCount, totalCount };
  return { ...counts, ...npmiFromCounts(counts) };
}

async function countTraces(
  meta: MetadataDb,
  experimentIds: readonly number[],
  condition: RawBuilder<SqlBool>,
): Promise<number> {
  const row = await meta.db
    .selectFrom("trace_info as t")
    .select((eb) => eb.fn.countAll<number | string>().as("total"))
    .where("t.experiment_id", "in", experimentIds)
    .where(condition)
    .executeTakeFirst()
    .catch((error: unknown) => {
      throw invalidRegexToBadRequest(error);
    });
  return Number(row?.total ?? 0);
}

interface CorrelationCounts {
  filter1Count: number;
  filter2Count: number;
  jointCount: number;
  totalCount: number;
}

/** mlflow's `calculate_npmi_from_counts`. */
export function npmiFromCounts(counts: CorrelationCounts): { npmi: number; npmiSmoothed: number } {
  const { filter1Count, filter2Count, jointCount, totalCount } = counts;
  const undefinedResult = { npmi: Number.NaN, npmiSmoothed: Number.NaN };
  if (totalCount <= 0 || filter1Count === 0 || filter2Count === 0) return undefinedResult;
  const n11 = jointCount;
  const n10 = filter1Count - jointCount;
  const n01 = filter2Count - jointCount;
  const n00 = totalCount - filter1Count - filter2Count + jointCount;
  if (Math.min(n11, n10, n01, n00) < 0) return undefinedResult;
  return {
    npmi: jointCount === 0 ? -1 : npmiCore(n11, n10, n01, n00, 0),
    npmiSmoothed: npmiCore(n11, n10, n01, n00, JEFFREYS_PRIOR),
  };
}

function npmiCore(n11: number, n10: number, n01: number, n00: number, smoothing: number): number {
  const [s11, s10, s01, s00] = [n11 + smoothing, n10 + smoothing, n01 + smoothing, n00 + smoothing];
  const total = s11 + s10 + s01 + s00;
  const n1 = s11 + s10;
  const n2 = s11 + s01;
  if (n1 <= 0 || n2 <= 0 || s11 <= 0) return Number.NaN;
  if (n10 === 0 && n01 === 0 && n00 === 0) return 1;
  const pmi = Math.log(s11) + Math.log(total) - (Math.log(n1) + Math.log(n2));
  const npmi = pmi / -(Math.log(s11) - Math.log(total));
  return Math.max(-1, Math.min(1, npmi));
}
