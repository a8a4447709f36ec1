/**
 * Safe-delivery tables: one row per deployment (its spec, templates and rollout state as JSON), the
 * deployment's event log, its analysis runs (so a restart continues them), and prediction feedback.
 * Event and feedback ids are auto-increments so readers can page with `after id` even when two rows land in
 * the same millisecond.
 */
import type { ColumnDefinitionBuilder, Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const autoIncrementId = dialect === "sqlite" ? "integer" : "serial";
  const autoIncrementKey = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    dialect === "sqlite" ? c.primaryKey().autoIncrement() : c.primaryKey();

  await db.schema
    .createTable("deployments")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("spec_yaml", "text", (c) => c.notNull())
    // [{name, yaml}]: the AnalysisTemplates the deployment was created with, as their authors wrote them.
    .addColumn("templates_json", "text", (c) => c.notNull())
    .addColumn("state_json", "text", (c) => c.notNull())
    .addColumn("webhooks_json", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("deployment_events")
    .addColumn("id", autoIncrementId, autoIncrementKey)
    .addColumn("deployment", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("details", "text", (c) => c.notNull())
    .addColumn("values_json", "text")
    .execute();
  await db.schema
    .createIndex("deployment_events_deployment_id")
    .on("deployment_events")
    .columns(["deployment", "id"])
    .execute();

  await db.schema
    .createTable("analysis_runs")
    // `<endpoint>/<runId>`: run ids are only unique within one deployment.
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("deployment", "text", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("phase", "text", (c) => c.notNull())
    .addColumn("state_json", "text", (c) => c.notNull())
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("finished_at", "bigint")
    .execute();
  await db.schema
    .createIndex("analysis_runs_deployment_phase")
    .on("analysis_runs")
    .columns(["deployment", "phase"])
    .execute();

  await db.schema
    .createTable("feedback")
    .addColumn("id", autoIncrementId, autoIncrementKey)
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("endpoint", "text")
    .addColumn("model", "text")
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("prediction", "text")
    .addColumn("correct", "integer")
    .addColumn("at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("feedback_endpoint_id").on("feedback").columns(["endpoint", "id"]).execute();
}
