/**
 * Registry webhooks (mlflow 3's webhooks API): a row per webhook, soft-deleted as mlflow does, and a row
 * per subscribed event. Deliveries look webhooks up by event on every registry write, hence the index on
 * (entity, action); lists page newest first, hence the one on creation time.
 */
import type { Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable("webhooks")
    .addColumn("webhook_id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("secret", "text")
    .addColumn("creation_timestamp", "bigint", (c) => c.notNull())
    .addColumn("last_updated_timestamp", "bigint", (c) => c.notNull())
    .addColumn("deleted_timestamp", "bigint")
    .execute();
  await db.schema
    .createIndex("webhooks_creation_timestamp")
    .on("webhooks")
    .columns(["creation_timestamp", "webhook_id"])
    .execute();
  await db.schema
    .createTable("webhook_events")
    .addColumn("webhook_id", "text", (c) => c.notNull().references("webhooks.webhook_id").onDelete("cascade"))
    .addColumn("entity", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("webhook_events_pk", ["webhook_id", "entity", "action"])
    .execute();
  await db.schema
    .createIndex("webhook_events_entity_action")
    .on("webhook_events")
    .columns(["entity", "action", "webhook_id"])
    .execute();
}
