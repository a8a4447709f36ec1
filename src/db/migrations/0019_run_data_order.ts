/**
 * The order of a run's params, tags and latest metrics. MLflow's SQL store reads them through unordered
 * relationships, so on SQLite they come back in row order: first logged first, an overwritten tag or a
 * newer metric step keeping its place (UPDATE in place), a deleted and re-set tag moving to the end.
 * `seq` records that order explicitly so PostgreSQL gives it too, and so writes may still go in key order.
 *
 * Rows from before this migration keep their SQLite row order; on PostgreSQL they have none to keep, so
 * they read back in key order, as they did.
 */
import { sql, type Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  for (const table of ["params", "tags", "latest_metrics"]) {
    await db.schema
      .alterTable(table)
      .addColumn("seq", "bigint", (c) => c.notNull().defaultTo(0))
      .execute();
    if (dialect === "sqlite") await sql`update ${sql.table(table)} set seq = rowid`.execute(db);
  }
}
