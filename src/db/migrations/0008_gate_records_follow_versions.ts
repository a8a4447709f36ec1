/**
 * Drops quality-gate records left behind by registry changes made before records followed their model
 * version: records of a version since deleted (with the version or its whole model), and records older
 * than the live version of the same name and number (the model was deleted and re-created, or another
 * model was renamed onto the name). Left in place, such a record let a new version inherit an old pass.
 * Records of a renamed model cannot be told apart from strays, so they go too: the version is gated again.
 * From now on the registry stores move and delete records with their version.
 */
import { sql, type Kysely } from "kysely";
import type { SqlDialectName } from "../dialect.js";

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await sql`
    delete from gate_records
    where not exists (
      select 1 from model_versions mv
      where mv.name = gate_records.model_name
        and mv.version = gate_records.version
        and mv.deleted = 0
        and mv.creation_time <= gate_records.created_at
    )
  `.execute(db);
}
