/**
 * MLflow 3 issues (mlflow's `issues` table): quality problems found in an experiment's traces, each with a
 * server-made `iss-<hex>` id. `root_causes` and `categories` are JSON arrays as text, null when empty, as
 * mlflow writes them. An issue goes with its experiment; its source run may be deleted, which clears the
 * link (mlflow's ON DELETE SET NULL). Traces point at an issue through `issue` assessments named by its id,
 * so no column here links to them. Indexes are mlflow's.
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("issues")
    .addColumn("issue_id", "text", (c) => c.primaryKey())
    .addColumn("experiment_id", "integer", (c) =>
      c.notNull().references("experiments.experiment_id").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("severity", "text")
    .addColumn("root_causes", "text")
    .addColumn("source_run_id", "text", (c) => c.references("runs.run_uuid").onDelete("set null"))
    .addColumn("categories", "text")
    .addColumn("created_timestamp", "bigint", (c) => c.notNull())
    .addColumn("last_updated_timestamp", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .execute();
  for (const column of ["experiment_id", "source_run_id", "status", "created_by"]) {
    await db.schema.createIndex(`index_issues_${column}`).on("issues").column(column).execute();
  }
  // `include_trace_count` counts the traces whose `issue` assessments name each issue.
  await db.schema
    .createIndex("assessments_issue_name")
    .on("assessments")
    .columns(["name", "assessment_type"])
    .execute();
}
