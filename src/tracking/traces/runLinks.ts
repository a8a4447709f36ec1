/**
 * Links from traces to runs (mlflow's LinkTracesToRun, which writes `entity_associations` rows of source type
 * `trace` and destination type `run`). mlflow neither reads the run nor skips trace ids it does not know, and
 * a link shows nowhere in the trace's info: only the `metadata.mlflow.sourceRun = '<run>'` (or `run_id =`)
 * filter finds linked traces beside those whose metadata names the run.
 *
 * Without a table of its own, a link is a request-metadata row under a FlowOps-private key that the trace
 * reader leaves out; the key is a digest of the run id, so one trace takes any number of runs and any run id
 * fits, and the filter finds a link by key. Unlike mlflow's rows, a link goes with its trace, and an id with
 * no trace records nothing: a trace created later under that id is not linked.
 */
import { createHash } from "node:crypto";
import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { Database } from "../../db/schema.js";
import { invalidParameter } from "../../errors.js";
import { inChunks } from "../inChunks.js";

/** mlflow's MAX_TRACE_LINKS_PER_REQUEST. */
const MAX_TRACE_LINKS_PER_REQUEST = 100;

const LINKED_RUN_KEY_PREFIX = "flowops.linkedRun.";

function linkedRunKey(runId: string): string {
  return LINKED_RUN_KEY_PREFIX + createHash("sha256").update(runId, "utf8").digest("hex");
}

/** Whether a request-metadata key holds a run link rather than metadata a client sent. */
export function isLinkedRunKey(key: string): boolean {
  return key.startsWith(LINKED_RUN_KEY_PREFIX);
}

/** Links each existing trace to the run (again linking one already linked changes nothing). */
export async function linkTracesToRun(
  db: Kysely<Database>,
  traceIds: readonly string[],
  runId: string,
): Promise<void> {
  // As mlflow's store: no traces is nothing to do, and a request holds at most 100.
  if (traceIds.length === 0) return;
  if (traceIds.length > MAX_TRACE_LINKS_PER_REQUEST) {
    throw invalidParameter(
      `Cannot link more than ${MAX_TRACE_LINKS_PER_REQUEST} traces to a run in a single request. ` +
        `Provided ${traceIds.length} traces.`,
    );
  }
  const key = linkedRunKey(runId);
  await db.transaction().execute(async (trx) => {
    for (const chunk of inChunks([...new Set(traceIds)])) {
      const known = await trx
        .selectFrom("trace_info")
        .select("request_id")
        .where("request_id", "in", chunk)
        .execute();
      if (known.length === 0) continue;
      await trx
        .insertInto("trace_request_metadata")
        .values(known.map((row) => ({ request_id: row.request_id, key, value: runId })))
        .onConflict((oc) => oc.columns(["request_id", "key"]).doNothing())
        .execute();
    }
  });
}

/** Whether the trace row `t` is linked to the run. */
export function linkedToRunSql(runId: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from trace_request_metadata lr where lr.request_id = t.request_id and lr.key = ${linkedRunKey(runId)} and lr.value = ${runId})`;
}
