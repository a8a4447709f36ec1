/**
 * MLflow 3 trace assessments (mlflow's `assessments` table): a person's or a judge's feedback on a trace,
 * or the expected answer, one row each. Values are stored as the JSON mlflow's SQL store writes (the
 * plain value, not its protobuf wrapper) so filters on them can compare values later. `valid` is 0/1 as
 * every FlowOps boolean; an override sets the overridden row to 0. Traces read their assessments in
 * creation order, hence the index on (trace_id, created_timestamp).
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("assessments")
    .addColumn("assessment_id", "text", (c) => c.primaryKey())
    .addColumn("trace_id", "text", (c) => c.notNull().references("trace_info.request_id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("assessment_type", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("created_timestamp", "bigint", (c) => c.notNull())
    .addColumn("last_updated_timestamp", "bigint", (c) => c.notNull())
    .addColumn("source_type", "text", (c) => c.notNull())
    .addColumn("source_id", "text")
    .addColumn("span_id", "text")
    .addColumn("rationale", "text")
    .addColumn("overrides", "text")
    .addColumn("valid", "integer", (c) => c.notNull())
    .addColumn("assessment_metadata", "text")
    .execute();
  await db.schema
    .createIndex("assessments_trace_created")
    .on("assessments")
    .columns(["trace_id", "created_timestamp", "assessment_id"])
    .execute();
}
