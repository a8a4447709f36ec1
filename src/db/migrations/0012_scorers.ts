/**
 * MLflow 3 scorer registry (mlflow's `scorers`, `scorer_versions` and `online_scoring_configs` tables): a
 * scorer is a name within an experiment with a stable `scorer_id`; each registration adds a version that
 * holds the client's serialized scorer as opaque text. The unique (experiment_id, scorer_name) lets two
 * first registrations of one name race safely; the (scorer_id, scorer_version) key does the same for
 * version numbers. Versions and online configs go with their scorer.
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("scorers")
    .addColumn("scorer_id", "text", (c) => c.primaryKey())
    .addColumn("experiment_id", "integer", (c) =>
      c.notNull().references("experiments.experiment_id").onDelete("cascade"),
    )
    .addColumn("scorer_name", "text", (c) => c.notNull())
    .addUniqueConstraint("scorers_experiment_name", ["experiment_id", "scorer_name"])
    .execute();
  await db.schema
    .createTable("scorer_versions")
    .addColumn("scorer_id", "text", (c) => c.notNull().references("scorers.scorer_id").onDelete("cascade"))
    .addColumn("scorer_version", "integer", (c) => c.notNull())
    .addColumn("serialized_scorer", "text", (c) => c.notNull())
    .addColumn("creation_time", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("scorer_versions_pk", ["scorer_id", "scorer_version"])
    .execute();
  await db.schema
    .createTable("online_scoring_configs")
    .addColumn("online_scoring_config_id", "text", (c) => c.primaryKey())
    .addColumn("scorer_id", "text", (c) => c.notNull().references("scorers.scorer_id").onDelete("cascade"))
    .addColumn("sample_rate", "double precision", (c) => c.notNull())
    .addColumn("experiment_id", "integer", (c) => c.notNull())
    .addColumn("filter_string", "text")
    .execute();
  await db.schema
    .createIndex("online_scoring_configs_scorer")
    .on("online_scoring_configs")
    .column("scorer_id")
    .execute();
}
