/**
 * The run charts' read (get-history-bulk-interval): up to `max_results` points of each run, sampled by row
 * as MLflow 3.17's SQL store does it, so a chart shows the same points against either server. Reads only.
 *
 * MLflow splits a run's points, in (step, timestamp, value, is_nan) order, into `max_results` NTILE buckets
 * and keeps each bucket's first point, then makes sure the run's last point is shown: appended while
 * there is room, otherwise in place of the last sample. The sampling runs in SQL, so the server holds
 * about `max_results` rows per run however many were logged.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../db/schema.js";
import { invalidParameter } from "../errors.js";
import type { MetricWithRunId } from "./entities.js";
import { exactDigitsOf, storedInt64 } from "./exactInt64.js";
import { assertRunCount, type MetricRowLike, toMetricWithRunId } from "./metricHistory.js";
import { API_DOCS_HINT } from "./validationMessages.js";

export const MAX_SAMPLED_RESULTS_PER_RUN = 2500;

export interface StepInterval {
  startStep?: number | undefined;
  endStep?: number | undefined;
  maxResults?: number | undefined;
}

interface StepRange {
  start: number;
  end: number;
}

export async function getMetricHistoryBulkInterval(
  db: Kysely<Database>,
  runIds: readonly string[],
  metricKey: string,
  interval: StepInterval = {},
): Promise<MetricWithRunId[]> {
  assertRunCount(runIds, "GetMetricHistoryBulkInterval");
  const maxResults = interval.maxResults ?? MAX_SAMPLED_RESULTS_PER_RUN;
  if (maxResults < 1 || maxResults > MAX_SAMPLED_RESULTS_PER_RUN) {
    // A handler-level schema check in MLflow, so its message carries the API-docs hint.
    throw invalidParameter(
      `max_results must be between 1 and ${MAX_SAMPLED_RESULTS_PER_RUN}. ${API_DOCS_HINT}`,
    );
  }
  const { startStep, endStep } = interval;
  if ((startStep === undefined) !== (endStep === undefined)) {
    throw invalidParameter("If either start step or end step are specified, both must be specified.");
  }
  let range: StepRange | undefined;
  if (startStep !== undefined && endStep !== undefined) {
    if (startStep > endStep) {
      throw invalidParameter(
        `end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`,
      );
    }
    range = { start: startStep, end: endStep };
  }
  // Runs in the order given, a repeated id answered again, as MLflow's loop over run_ids does.
  const sampled: MetricWithRunId[] = [];
  for (const runId of runIds) sampled.push(...(await sampleRun(db, runId, metricKey, maxResults, range)));
  return sampled;
}

/** A stored metric point, as the sampling queries select it. */
type SampledRow = MetricRowLike;

const STEP_DIGITS = sql`${exactDigitsOf("step")} as "step_digits"`;
const TIMESTAMP_DIGITS = sql`${exactDigitsOf("timestamp")} as "timestamp_digits"`;

async function sampleRun(
  db: Kysely<Database>,
  runId: string,
  metricKey: string,
  maxResults: number,
  range: StepRange | undefined,
): Promise<MetricWithRunId[]> {
  const inRange = range === undefined ? sql`` : sql`and "step" >= ${range.start} and "step" <= ${range.end}`;
  // NTILE gives each row its own bucket when there are fewer rows than buckets, so then every row is kept.
  const { rows } = await sql<SampledRow>`
    select "run_uuid", "key", "value", "timestamp", "step", "is_nan", ${STEP_DIGITS}, ${TIMESTAMP_DIGITS} from (
      select *, row_number() over (partition by bucket order by "step", "timestamp", "value", "is_nan") as rn from (
        select "run_uuid", "key", "value", "timestamp", "step", "is_nan",
          ntile(${sql.lit(maxResults)}) over (order by "step", "timestamp", "value", "is_nan") as bucket
        from metrics where "run_uuid" = ${runId} and "key" = ${metricKey} ${inRange}
      ) as bucketed
    ) as ranked
    where rn = 1
    order by "step", "timestamp", "value", "is_nan"`.execute(db);
  const last = await sql<SampledRow>`
    select "run_uuid", "key", "value", "timestamp", "step", "is_nan", ${STEP_DIGITS}, ${TIMESTAMP_DIGITS}
    from metrics where "run_uuid" = ${runId} and "key" = ${metricKey} ${inRange}
    order by "step" desc, "timestamp" desc, "value" desc, "is_nan" desc
    limit 1`.execute(db);
  const lastRow = last.rows[0];
  const lastSample = rows[rows.length - 1];
  if (lastRow !== undefined && (lastSample === undefined || !samePoint(lastSample, lastRow))) {
    if (rows.length >= maxResults) rows[rows.length - 1] = lastRow;
    else rows.push(lastRow);
  }
  return rows.map(toMetricWithRunId);
}

/** MLflow's `_row_key`: a NaN point's stored value does not count. */
function samePoint(a: SampledRow, b: SampledRow): boolean {
  return (
    storedInt64(a.step, a.step_digits) === storedInt64(b.step, b.step_digits) &&
    storedInt64(a.timestamp, a.timestamp_digits) === storedInt64(b.timestamp, b.timestamp_digits) &&
    Boolean(Number(a.is_nan)) === Boolean(Number(b.is_nan)) &&
    (Boolean(Number(a.is_nan)) || Number(a.value) === Number(b.value))
  );
}
