/**
 * MLflow 3 label schemas (mlflow's `label_schemas` table): experiment-scoped questions that drive the review
 * UI's widgets. The unique (experiment_id, name) lets two creations of one name, or two first listings seeding
 * the default question, race safely. `input_config` is the input variant's fields as JSON text, tagged by
 * `input_type`, as mlflow stores them; `enable_comment` and `is_default` are 0/1 as every FlowOps boolean.
 * Schemas go with their experiment.
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("label_schemas")
    .addColumn("schema_id", "text", (c) => c.primaryKey())
    .addColumn("experiment_id", "integer", (c) =>
      c.notNull().references("experiments.experiment_id").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("instruction", "text")
    .addColumn("enable_comment", "integer", (c) => c.notNull())
    .addColumn("input_type", "text", (c) => c.notNull())
    .addColumn("input_config", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_time", "bigint", (c) => c.notNull())
    .addColumn("last_update_time", "bigint", (c) => c.notNull())
    .addColumn("is_default", "integer", (c) => c.notNull())
    .addUniqueConstraint("label_schemas_experiment_name", ["experiment_id", "name"])
    .execute();
  await db.schema
    .createIndex("label_schemas_experiment")
    .on("label_schemas")
    .column("experiment_id")
    .execute();
}
