/**
 * Initial schema: tracking, registry and MLflow 3 logged models. Column names follow MLflow's SQL store
 * where one exists so that people who know it can read ours.
 */
import { sql, type Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const withoutRowid = (): ReturnType<typeof sql> => (dialect === "sqlite" ? sql`without rowid` : sql``);

  await db.schema
    .createTable("experiments")
    .addColumn("experiment_id", dialect === "sqlite" ? "integer" : "serial", (c) =>
      dialect === "sqlite" ? c.primaryKey().autoIncrement() : c.primaryKey(),
    )
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("artifact_location", "text", (c) => c.notNull())
    .addColumn("lifecycle_stage", "text", (c) => c.notNull())
    .addColumn("creation_time", "bigint", (c) => c.notNull())
    .addColumn("last_update_time", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("experiment_tags")
    .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("experiment_tags_pk", ["experiment_id", "key"])
    .execute();

  await db.schema
    .createTable("runs")
    .addColumn("run_uuid", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("start_time", "bigint", (c) => c.notNull())
    .addColumn("end_time", "bigint")
    .addColumn("lifecycle_stage", "text", (c) => c.notNull())
    .addColumn("artifact_uri", "text", (c) => c.notNull())
    .addColumn("deleted_time", "bigint")
    .execute();
  await db.schema
    .createIndex("runs_experiment_start")
    .on("runs")
    .columns(["experiment_id", "start_time"])
    .execute();

  // Clustered on (run, key, step, timestamp) so a history read is one range scan in step order.
  await db.schema
    .createTable("metrics")
    .addColumn("run_uuid", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("step", "bigint", (c) => c.notNull())
    .addColumn("timestamp", "bigint", (c) => c.notNull())
    .addColumn("value", "double precision", (c) => c.notNull())
    .addColumn("is_nan", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("metrics_pk", ["run_uuid", "key", "step", "timestamp", "value", "is_nan"])
    .modifyEnd(withoutRowid())
    .execute();

  await db.schema
    .createTable("latest_metrics")
    .addColumn("run_uuid", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "double precision", (c) => c.notNull())
    .addColumn("timestamp", "bigint", (c) => c.notNull())
    .addColumn("step", "bigint", (c) => c.notNull())
    .addColumn("is_nan", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("latest_metrics_pk", ["run_uuid", "key"])
    .execute();
  await db.schema
    .createIndex("latest_metrics_key_value")
    .on("latest_metrics")
    .columns(["key", "value"])
    .execute();

  for (const table of ["params", "tags"] as const) {
    await db.schema
      .createTable(table)
      .addColumn("run_uuid", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ["run_uuid", "key"])
      .execute();
  }
  await db.schema.createIndex("params_key_value").on("params").columns(["key", "value"]).execute();
  await db.schema.createIndex("tags_key").on("tags").columns(["key"]).execute();

  await db.schema
    .createTable("datasets")
    .addColumn("dataset_uuid", "text", (c) => c.primaryKey())
    .addColumn("experiment_id", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("digest", "text", (c) => c.notNull())
    .addColumn("dataset_source_type", "text", (c) => c.notNull())
    .addColumn("dataset_source", "text", (c) => c.notNull())
    .addColumn("dataset_schema", "text")
    .addColumn("dataset_profile", "text")
    .addUniqueConstraint("datasets_identity", ["experiment_id", "name", "digest"])
    .execute();

  await db.schema
    .createTable("inputs")
    .addColumn("input_uuid", "text", (c) => c.primaryKey())
    .addColumn("source_type", "text", (c) => c.notNull())
    .addColumn("source_id", "text", (c) => c.notNull())
    .addColumn("destination_type", "text", (c) => c.notNull())
    .addColumn("destination_id", "text", (c) => c.notNull())
    .addColumn("step", "bigint")
    .addUniqueConstraint("inputs_link", ["source_type", "source_id", "destination_type", "destination_id"])
    .execute();
  await db.schema
    .createIndex("inputs_destination")
    .on("inputs")
    .columns(["destination_type", "destination_id"])
    .execute();

  await db.schema
    .createTable("input_tags")
    .addColumn("input_uuid", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("input_tags_pk", ["input_uuid", "key"])
    .execute();

  await db.schema
    .createTable("run_outputs")
    .addColumn("run_uuid", "text", (c) => c.notNull())
    .addColumn("model_id", "text", (c) => c.notNull())
    .addColumn("step", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("run_outputs_pk", ["run_uuid", "model_id"])
    .execute();

  await db.schema
    .createTable("registered_models")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("creation_time", "bigint", (c) => c.notNull())
    .addColumn("last_updated_time", "bigint", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("user_id", "text")
    .execute();

  await db.schema
    .createTable("registered_model_tags")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("registered_model_tags_pk", ["name", "key"])
    .execute();

  await db.schema
    .createTable("registered_model_aliases")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("alias", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("registered_model_aliases_pk", ["name", "alias"])
    .execute();

  await db.schema
    .createTable("model_versions")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("creation_time", "bigint", (c) => c.notNull())
    .addColumn("last_updated_time", "bigint", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("user_id", "text")
    .addColumn("current_stage", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("storage_location", "text")
    .addColumn("run_id", "text")
    .addColumn("run_link", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("status_message", "text")
    .addColumn("model_id", "text")
    .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("model_versions_pk", ["name", "version"])
    .execute();

  await db.schema
    .createTable("model_version_tags")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("model_version_tags_pk", ["name", "version", "key"])
    .execute();

  await db.schema
    .createTable("logged_models")
    .addColumn("model_id", "text", (c) => c.primaryKey())
    .addColumn("experiment_id", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("artifact_location", "text", (c) => c.notNull())
    .addColumn("creation_timestamp_ms", "bigint", (c) => c.notNull())
    .addColumn("last_updated_timestamp_ms", "bigint", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("status_message", "text")
    .addColumn("lifecycle_stage", "text", (c) => c.notNull())
    .addColumn("model_type", "text")
    .addColumn("source_run_id", "text")
    .addColumn("creator_id", "text")
    .execute();
  await db.schema
    .createIndex("logged_models_experiment")
    .on("logged_models")
    .columns(["experiment_id", "creation_timestamp_ms"])
    .execute();

  for (const table of ["logged_model_tags", "logged_model_params"] as const) {
    await db.schema
      .createTable(table)
      .addColumn("model_id", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ["model_id", "key"])
      .execute();
  }

  await db.schema
    .createTable("logged_model_metrics")
    .addColumn("model_id", "text", (c) => c.notNull())
    .addColumn("metric_name", "text", (c) => c.notNull())
    .addColumn("metric_timestamp_ms", "bigint", (c) => c.notNull())
    .addColumn("metric_step", "bigint", (c) => c.notNull())
    .addColumn("metric_value", "double precision", (c) => c.notNull())
    .addColumn("is_nan", "integer", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("dataset_name", "text", (c) => c.notNull())
    .addColumn("dataset_digest", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("logged_model_metrics_pk", [
      "model_id",
      "metric_name",
      "metric_timestamp_ms",
      "metric_step",
      "run_id",
      "dataset_name",
      "dataset_digest",
    ])
    .execute();
}
