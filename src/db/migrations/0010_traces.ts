/**
 * MLflow 3 traces: a row per trace (`trace_info` in mlflow's SQL store), its mutable tags and its
 * write-once request metadata. Span data is not stored here: the client uploads it as `traces.json` under
 * the trace's `mlflow.artifactLocation` tag, as against mlflow's server when spans are not logged over OTLP.
 * Searches scope by experiment and sort newest first, hence the index on (experiment_id, timestamp_ms);
 * filters and order_by on tags and metadata look rows up by (request_id, key), the primary keys.
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("trace_info")
    .addColumn("request_id", "text", (c) => c.primaryKey())
    .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
    .addColumn("timestamp_ms", "bigint", (c) => c.notNull())
    .addColumn("execution_time_ms", "bigint")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("client_request_id", "text")
    .addColumn("request_preview", "text")
    .addColumn("response_preview", "text")
    .execute();
  await db.schema
    .createIndex("trace_info_experiment_timestamp")
    .on("trace_info")
    .columns(["experiment_id", "timestamp_ms", "request_id"])
    .execute();
  await db.schema
    .createTable("trace_tags")
    .addColumn("request_id", "text", (c) =>
      c.notNull().references("trace_info.request_id").onDelete("cascade"),
    )
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("trace_tags_pk", ["request_id", "key"])
    .execute();
  await db.schema
    .createTable("trace_request_metadata")
    .addColumn("request_id", "text", (c) =>
      c.notNull().references("trace_info.request_id").onDelete("cascade"),
    )
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("trace_request_metadata_pk", ["request_id", "key"])
    .execute();
}
