/**
 * Spans logged over OTLP (`POST /v1/traces`), a row per span as mlflow's `spans` table keeps them: the span's
 * JSON in `content` and, beside it, the columns that span filters and the trace view read. A trace whose spans
 * are here carries the `mlflow.trace.spansLocation = TRACKING_STORE` tag; older traces keep their spans in the
 * artifact store and have no rows. `duration_ns` is computed by the database, as in mlflow, for duration
 * filters. Rows go with their trace. mlflow's denormalized cost and model columns serve its cost analytics,
 * which FlowOps does not have, so they are left out.
 */
import { sql, type Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("spans")
    .addColumn("trace_id", "text", (c) => c.notNull().references("trace_info.request_id").onDelete("cascade"))
    .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
    .addColumn("span_id", "text", (c) => c.notNull())
    .addColumn("parent_span_id", "text")
    .addColumn("name", "text")
    .addColumn("type", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("start_time_unix_nano", "bigint", (c) => c.notNull())
    .addColumn("end_time_unix_nano", "bigint")
    .addColumn("duration_ns", "bigint", (c) =>
      c.generatedAlwaysAs(sql`end_time_unix_nano - start_time_unix_nano`).stored(),
    )
    .addColumn("content", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("spans_pk", ["trace_id", "span_id"])
    .execute();
  // Experiment-wide span queries (and filters) scope by experiment and read by time.
  await db.schema
    .createIndex("index_spans_experiment_id_start_time")
    .on("spans")
    .columns(["experiment_id", "start_time_unix_nano"])
    .execute();
}
