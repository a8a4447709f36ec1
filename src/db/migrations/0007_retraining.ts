/**
 * The retraining loop's record: one row per retraining, from its trigger (drift, labels, schedule, manual)
 * through the pipeline run, the model version it registered and the deployment revision it started, so
 * each step links to the next. The id is an auto-increment so readers can list newest first.
 */
import type { ColumnDefinitionBuilder, Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const autoIncrementId = dialect === "sqlite" ? "integer" : "serial";
  const autoIncrementKey = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    dialect === "sqlite" ? c.primaryKey().autoIncrement() : c.primaryKey();

  await db.schema
    .createTable("retraining_runs")
    .addColumn("id", autoIncrementId, autoIncrementKey)
    .addColumn("endpoint", "text", (c) => c.notNull())
    .addColumn("trigger_kind", "text", (c) => c.notNull())
    // JSON: what fired the trigger (windows in drift, labels counted, the schedule) and the label count then.
    .addColumn("trigger_details", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("pipeline_run_id", "text")
    .addColumn("model_name", "text")
    .addColumn("model_version", "text")
    .addColumn("deployment_revision", "integer")
    .addColumn("message", "text")
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("finished_at", "bigint")
    .execute();
  await db.schema
    .createIndex("retraining_runs_endpoint_id")
    .on("retraining_runs")
    .columns(["endpoint", "id"])
    .execute();
}
