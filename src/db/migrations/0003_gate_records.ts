/**
 * Quality-gate records: one row per evaluation of a gate policy for a model version, written by the server
 * only. The promotion guard reads the newest row of a version (highest id), so the id is an
 * auto-increment that orders records even when two land in the same millisecond.
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("gate_records")
    .addColumn("id", dialect === "sqlite" ? "integer" : "serial", (c) =>
      dialect === "sqlite" ? c.primaryKey().autoIncrement() : c.primaryKey(),
    )
    .addColumn("model_name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("policy_name", "text", (c) => c.notNull())
    // sha256 of the policy text, so a record names exactly which rules it passed.
    .addColumn("policy_digest", "text", (c) => c.notNull())
    .addColumn("passed", "integer", (c) => c.notNull())
    .addColumn("report_json", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("gate_records_model_version")
    .on("gate_records")
    .columns(["model_name", "version", "id"])
    .execute();
}
