/**
 * MLflow 3 review queues (mlflow's `review_queues` and its three child tables): experiment-scoped worklists
 * of traces for human reviewers. Names are unique per experiment case-insensitively through `name_key`, the
 * lower-cased name, as in mlflow. Users, items and attached label schemas go with their queue, and a queue
 * with its experiment.
 *
 * mlflow gives `review_queue_items.item_id` no foreign key and deletes a trace's items itself when the trace
 * is deleted; here the foreign key into `trace_info` does that, so every way a trace is deleted drops its
 * items. `review_queue_label_schemas.schema_id` stays a soft reference, as in mlflow: deleting a label schema
 * leaves its id in the queues that name it.
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("review_queues")
    .addColumn("queue_id", "text", (c) => c.primaryKey())
    .addColumn("experiment_id", "integer", (c) =>
      c.notNull().references("experiments.experiment_id").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_key", "text", (c) => c.notNull())
    .addColumn("queue_type", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("creation_time_ms", "bigint", (c) => c.notNull())
    .addColumn("last_update_time_ms", "bigint", (c) => c.notNull())
    .addUniqueConstraint("uq_review_queues_experiment_name_key", ["experiment_id", "name_key"])
    .execute();
  await db.schema
    .createIndex("index_review_queues_experiment_id")
    .on("review_queues")
    .column("experiment_id")
    .execute();

  await db.schema
    .createTable("review_queue_users")
    .addColumn("queue_id", "text", (c) =>
      c.notNull().references("review_queues.queue_id").onDelete("cascade"),
    )
    .addColumn("user_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("review_queue_users_pk", ["queue_id", "user_id"])
    .execute();
  await db.schema
    .createIndex("index_review_queue_users_user_id")
    .on("review_queue_users")
    .column("user_id")
    .execute();

  await db.schema
    .createTable("review_queue_items")
    .addColumn("queue_id", "text", (c) =>
      c.notNull().references("review_queues.queue_id").onDelete("cascade"),
    )
    .addColumn("item_type", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull().references("trace_info.request_id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("completed_by", "text")
    .addColumn("completed_time_ms", "bigint")
    .addColumn("creation_time_ms", "bigint", (c) => c.notNull())
    .addColumn("last_update_time_ms", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("review_queue_items_pk", ["queue_id", "item_id"])
    .execute();
  await db.schema
    .createIndex("index_review_queue_items_queue_id_status")
    .on("review_queue_items")
    .columns(["queue_id", "status"])
    .execute();
  await db.schema
    .createIndex("index_review_queue_items_item_id")
    .on("review_queue_items")
    .column("item_id")
    .execute();

  await db.schema
    .createTable("review_queue_label_schemas")
    .addColumn("queue_id", "text", (c) =>
      c.notNull().references("review_queues.queue_id").onDelete("cascade"),
    )
    .addColumn("schema_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("review_queue_label_schemas_pk", ["queue_id", "schema_id"])
    .execute();
}
