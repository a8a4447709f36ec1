/**
 * The monitoring event log: SLO alerts firing and resolving, and other monitoring notices, per endpoint (or
 * for the whole server when `endpoint` is null). Ids are auto-increments so readers page with `after id`.
 */
import type { ColumnDefinitionBuilder, Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const autoIncrementId = dialect === "sqlite" ? "integer" : "serial";
  const autoIncrementKey = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    dialect === "sqlite" ? c.primaryKey().autoIncrement() : c.primaryKey();

  await db.schema
    .createTable("monitoring_events")
    .addColumn("id", autoIncrementId, autoIncrementKey)
    .addColumn("endpoint", "text")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("details_json", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("monitoring_events_endpoint_id")
    .on("monitoring_events")
    .columns(["endpoint", "id"])
    .execute();
}
