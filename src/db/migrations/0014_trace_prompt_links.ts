/**
 * Links from a trace to the prompt versions it used (mlflow's `entity_associations` rows of source type
 * `trace` and destination type `prompt_version`, destination id `name/version`). Name and version are kept
 * apart so the `prompt = "name/version"` filter can look a link up by key, and the version as the decimal
 * text mlflow writes, since the filter compares text (`p/05` finds nothing). Unlike mlflow's table, a link
 * goes with its trace: a trace id reused after deletion must not inherit the old trace's prompts.
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("trace_prompt_links")
    .addColumn("request_id", "text", (c) =>
      c.notNull().references("trace_info.request_id").onDelete("cascade"),
    )
    .addColumn("prompt_name", "text", (c) => c.notNull())
    .addColumn("prompt_version", "text", (c) => c.notNull())
    .addColumn("created_time", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("trace_prompt_links_pk", ["request_id", "prompt_name", "prompt_version"])
    .execute();
  // The filter asks which traces used a version; the primary key serves the other direction.
  await db.schema
    .createIndex("trace_prompt_links_prompt")
    .on("trace_prompt_links")
    .columns(["prompt_name", "prompt_version"])
    .execute();
}
