/**
 * MLflow 3 evaluation datasets (mlflow's `evaluation_datasets`, `evaluation_dataset_tags`,
 * `evaluation_dataset_records` and the dataset rows of `entity_associations`). Records are unique per
 * (dataset, input hash), which is what lets concurrent merges of the same inputs update one record instead
 * of inserting two. Experiment links hold ids as text with no foreign key: mlflow accepts any id at
 * creation time and keeps the link when the experiment goes.
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("evaluation_datasets")
    .addColumn("dataset_id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("schema", "text")
    .addColumn("profile", "text")
    .addColumn("digest", "text")
    .addColumn("created_time", "bigint", (c) => c.notNull())
    .addColumn("last_update_time", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("last_updated_by", "text")
    .execute();
  await db.schema
    .createTable("evaluation_dataset_tags")
    .addColumn("dataset_id", "text", (c) =>
      c.notNull().references("evaluation_datasets.dataset_id").onDelete("cascade"),
    )
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text")
    .addPrimaryKeyConstraint("evaluation_dataset_tags_pk", ["dataset_id", "key"])
    .execute();
  await db.schema
    .createTable("evaluation_dataset_records")
    .addColumn("dataset_record_id", "text", (c) => c.primaryKey())
    .addColumn("dataset_id", "text", (c) =>
      c.notNull().references("evaluation_datasets.dataset_id").onDelete("cascade"),
    )
    .addColumn("inputs", "text", (c) => c.notNull())
    .addColumn("outputs", "text")
    .addColumn("expectations", "text")
    .addColumn("tags", "text")
    .addColumn("source", "text")
    .addColumn("source_id", "text")
    .addColumn("source_type", "text")
    .addColumn("created_time", "bigint", (c) => c.notNull())
    .addColumn("last_update_time", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("last_updated_by", "text")
    .addColumn("input_hash", "text", (c) => c.notNull())
    .addUniqueConstraint("evaluation_dataset_records_inputs", ["dataset_id", "input_hash"])
    .execute();
  await db.schema
    .createTable("evaluation_dataset_experiments")
    .addColumn("dataset_id", "text", (c) =>
      c.notNull().references("evaluation_datasets.dataset_id").onDelete("cascade"),
    )
    .addColumn("experiment_id", "text", (c) => c.notNull())
    .addColumn("created_time", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("evaluation_dataset_experiments_pk", ["dataset_id", "experiment_id"])
    .execute();
  await db.schema
    .createIndex("evaluation_dataset_experiments_experiment")
    .on("evaluation_dataset_experiments")
    .column("experiment_id")
    .execute();
}
