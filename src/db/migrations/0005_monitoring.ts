/**
 * Drift-monitoring tables: the reference profile stored with each model version (the ReferenceProfile as
 * JSON), and one row per closed monitoring window with its drift report. Report ids are auto-increments so
 * readers can page with `after id` even when two windows close in the same millisecond.
 */
import type { ColumnDefinitionBuilder, Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const autoIncrementId = dialect === "sqlite" ? "integer" : "serial";
  const autoIncrementKey = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    dialect === "sqlite" ? c.primaryKey().autoIncrement() : c.primaryKey();

  await db.schema
    .createTable("model_profiles")
    .addColumn("model_name", "text", (c) => c.notNull())
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("profile_json", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("model_profiles_pk", ["model_name", "version"])
    .execute();

  await db.schema
    .createTable("drift_reports")
    .addColumn("id", autoIncrementId, autoIncrementKey)
    .addColumn("endpoint", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("window_start", "bigint", (c) => c.notNull())
    .addColumn("window_end", "bigint", (c) => c.notNull())
    .addColumn("rows", "integer", (c) => c.notNull())
    .addColumn("share", "real", (c) => c.notNull())
    .addColumn("dataset_drift", "integer", (c) => c.notNull())
    .addColumn("report_json", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("drift_reports_endpoint_id")
    .on("drift_reports")
    .columns(["endpoint", "id"])
    .execute();
}
