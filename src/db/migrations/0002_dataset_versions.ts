/**
 * Dataset versions: one row per (name, md5) of a DVC-tracked file or directory, recorded by
 * `flowops data log`. Runs are linked through MLflow's own `datasets`/`inputs` rows (digest = md5), so the
 * official client sees the dataset on the run; this table adds what MLflow does not keep (path, size,
 * file count, remote, git commit, who recorded it).
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("dataset_versions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("md5", "text", (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("nfiles", "bigint")
    .addColumn("remote", "text")
    .addColumn("git_commit", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    // Recording the same content under the same name again returns the first row.
    .addUniqueConstraint("dataset_versions_identity", ["name", "md5"])
    .execute();
  await db.schema
    .createIndex("dataset_versions_name_created")
    .on("dataset_versions")
    .columns(["name", "created_at"])
    .execute();
}
