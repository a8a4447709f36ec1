/**
 * CalculateTraceFilterCorrelation as mlflow's SQL store answers it: how often traces matching two search
 * filters co-occur, as normalized pointwise mutual information (NPMI), among the traces of the experiments or,
 * with a base filter, among those matching it (which both filters are then combined with, `base and filter`).
 * Filters are search_traces filters, matched by `searchTraces` itself, so they mean and refuse exactly what a
 * trace search does. The NPMI policy is mlflow's `trace_correlation.py`: undefined (NaN, left out of the
 * answer) without support, -1 for disjoint filters, and a smoothed value with Jeffreys' prior (alpha 0.5).
 */
import { sql } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import { parseExperimentId } from "../experimentStore.js";
import { searchTraces } from "./search.js";

const JEFFREYS_PRIOR = 0.5;
// searchTraces' largest page.
const PAGE_SIZE = 50_000;

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
  const matching1 = await matchingTraceIds(meta, request.experimentIds, combine(request.filter1));
  const matching2 = await matchingTraceIds(meta, request.experimentIds, combine(request.filter2));
  const totalCount =
    base === undefined
      ? await countTraces(meta, experimentIds)
      : (await matchingTraceIds(meta, request.experimentIds, base)).size;
  let jointCount = 0;
  for (const id of matching1) if (matching2.has(id)) jointCount += 1;
  const counts = { filter1Count: matching1.size, filter2Count: matching2.size, jointCount, totalCount };
  return { ...counts, ...npmiFromCounts(counts) };
}

async function matchingTraceIds(
  meta: MetadataDb,
  experimentIds: readonly string[],
  filter: string,
): Promise<Set<string>> {
  const ids = new Set<string>();
  let pageToken: string | undefined;
  do {
    const page = await searchTraces(meta, { experimentIds, filter, maxResults: PAGE_SIZE, pageToken });
    for (const trace of page.traces) ids.add(trace.traceId);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return ids;
}

async function countTraces(meta: MetadataDb, experimentIds: readonly number[]): Promise<number> {
  if (experimentIds.length === 0) return 0;
  const { rows } = await sql<{ total: number | string }>`select count(*) as total from trace_info
    where experiment_id in (${sql.join(experimentIds.map((id) => sql.lit(id)))})`.execute(meta.db);
  return Number(rows[0]?.total ?? 0);
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
