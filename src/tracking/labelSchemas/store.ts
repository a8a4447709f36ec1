/**
 * Label schemas with the semantics of mlflow's SqlAlchemyStore: a name is unique within its experiment,
 * `type` never changes, and every experiment has a protected default question ("Feedback", free text) that
 * its first listing seeds and that can be neither edited nor deleted. Reads and writes by id do not look at
 * the experiment; those by experiment want it to exist and be active.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { LabelSchemaDatabase, LabelSchemaTable } from "../../db/schema.js";
import { alreadyExists, invalidParameter, notFound } from "../../errors.js";
import { requireActiveExperimentId } from "../experimentReader.js";
import { isUniqueViolation } from "../uniqueViolation.js";
import {
  DEFAULT_LABEL_SCHEMA_INSTRUCTION,
  DEFAULT_LABEL_SCHEMA_NAME,
  type LabelSchema,
  type LabelSchemaInput,
  type LabelSchemaType,
} from "./entities.js";
import { offsetFromPageToken, pageOf } from "../search/mlflowPageToken.js";
import { fromStoredInput, toStoredInput } from "./storedInput.js";
import { validateForCreate, validateForUpdate, type LabelSchemaChanges } from "./validation.js";

/** mlflow's prefix for schema ids, before a hex UUID. */
const SCHEMA_ID_PREFIX = "ls-";

export interface NewLabelSchema {
  name: string;
  type: LabelSchemaType;
  input: LabelSchemaInput;
  instruction: string | undefined;
  enableComment: boolean;
}

export interface LabelSchemaPage {
  schemas: LabelSchema[];
  /** Undefined on the last page. */
  nextPageToken: string | undefined;
}

const newSchemaId = (): string => `${SCHEMA_ID_PREFIX}${randomUUID().replaceAll("-", "")}`;

const nameTaken = (name: string, experimentId: string | number) =>
  alreadyExists(`Label schema with name '${name}' already exists for experiment '${experimentId}'.`);

const idNotFound = (schemaId: string) => notFound(`Label schema with id '${schemaId}' not found.`);

function toLabelSchema(row: LabelSchemaTable): LabelSchema {
  return {
    schemaId: row.schema_id,
    experimentId: String(row.experiment_id),
    name: row.name,
    type: row.type === "expectation" ? "EXPECTATION" : "FEEDBACK",
    instruction: row.instruction ?? undefined,
    enableComment: Number(row.enable_comment) === 1,
    input: fromStoredInput(row),
    createdBy: row.created_by ?? undefined,
    createdAt: Number(row.created_time),
    lastUpdatedAt: Number(row.last_update_time),
    isDefault: Number(row.is_default) === 1,
  };
}

export class LabelSchemaStore {
  private readonly db: Kysely<LabelSchemaDatabase>;

  constructor(
    meta: MetadataDb,
    private readonly now: () => number = Date.now,
  ) {
    this.db = meta.db.withTables<{ label_schemas: LabelSchemaTable }>();
  }

  async create(experimentId: string, schema: NewLabelSchema): Promise<LabelSchema> {
    validateForCreate(schema);
    const experiment = await requireActiveExperimentId(this.db, experimentId);
    const existing = await this.db
      .selectFrom("label_schemas")
      .select("schema_id")
      .where("experiment_id", "=", experiment)
      .where("name", "=", schema.name)
      .executeTakeFirst();
    if (existing !== undefined) throw nameTaken(schema.name, experimentId);
    const now = this.now();
    const row: LabelSchemaTable = {
      schema_id: newSchemaId(),
      experiment_id: experiment,
      name: schema.name,
      type: schema.type.toLowerCase(),
      instruction: schema.instruction ?? null,
      enable_comment: schema.enableComment ? 1 : 0,
      ...toStoredInput(schema.input),
      created_by: null,
      created_time: now,
      last_update_time: now,
      is_default: 0,
    };
    try {
      await this.db.insertInto("label_schemas").values(row).execute();
    } catch (error) {
      // Another request created the name between the check and the insert.
      if (isUniqueViolation(error)) throw nameTaken(schema.name, experimentId);
      throw error;
    }
    return toLabelSchema(row);
  }

  async get(schemaId: string): Promise<LabelSchema> {
    const row = await this.db
      .selectFrom("label_schemas")
      .selectAll()
      .where("schema_id", "=", schemaId)
      .executeTakeFirst();
    if (row === undefined) throw idNotFound(schemaId);
    return toLabelSchema(row);
  }

  async getByName(experimentId: string, name: string): Promise<LabelSchema> {
    const experiment = await requireActiveExperimentId(this.db, experimentId);
    const row = await this.db
      .selectFrom("label_schemas")
      .selectAll()
      .where("experiment_id", "=", experiment)
      .where("name", "=", name)
      .executeTakeFirst();
    if (row === undefined) {
      throw notFound(`Label schema with name '${name}' not found for experiment '${experimentId}'.`);
    }
    return toLabelSchema(row);
  }

  /** Newest first (ties by id); seeds the experiment's default question first, as every listing does in mlflow. */
  async list(
    experimentId: string,
    maxResults: number,
    pageToken: string | undefined,
  ): Promise<LabelSchemaPage> {
    const offset = offsetFromPageToken(pageToken);
    const experiment = await requireActiveExperimentId(this.db, experimentId);
    await this.ensureDefaultQuestion(experiment);
    const rows = await this.db
      .selectFrom("label_schemas")
      .selectAll()
      .where("experiment_id", "=", experiment)
      .orderBy("created_time", "desc")
      .orderBy("schema_id", "asc")
      .limit(maxResults + 1)
      .offset(offset)
      .execute();
    const { page, nextPageToken } = pageOf(rows, offset, maxResults);
    return { schemas: page.map(toLabelSchema), nextPageToken };
  }

  /** Changes the fields given; `last_updated_at` moves even when none are. */
  async update(schemaId: string, changes: LabelSchemaChanges): Promise<LabelSchema> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("label_schemas")
        .selectAll()
        .where("schema_id", "=", schemaId)
        .executeTakeFirst();
      if (row === undefined) throw idNotFound(schemaId);
      validateForUpdate(toLabelSchema(row), changes);
      const updated: LabelSchemaTable = { ...row, last_update_time: this.now() };
      if (changes.name !== undefined && changes.name !== row.name) {
        const collision = await trx
          .selectFrom("label_schemas")
          .select("schema_id")
          .where("experiment_id", "=", row.experiment_id)
          .where("name", "=", changes.name)
          .where("schema_id", "!=", schemaId)
          .executeTakeFirst();
        if (collision !== undefined) throw nameTaken(changes.name, row.experiment_id);
        updated.name = changes.name;
      }
      if (changes.instruction !== undefined) updated.instruction = changes.instruction;
      if (changes.enableComment !== undefined) updated.enable_comment = changes.enableComment ? 1 : 0;
      if (changes.input !== undefined) Object.assign(updated, toStoredInput(changes.input));
      try {
        await trx
          .updateTable("label_schemas")
          .set({
            name: updated.name,
            instruction: updated.instruction,
            enable_comment: updated.enable_comment,
            input_type: updated.input_type,
            input_config: updated.input_config,
            last_update_time: updated.last_update_time,
          })
          .where("schema_id", "=", schemaId)
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(updated.name, row.experiment_id);
        throw error;
      }
      return toLabelSchema(updated);
    });
  }

  /** Nothing to do for an id that names no schema; the default question is refused. */
  async delete(schemaId: string): Promise<void> {
    const row = await this.db
      .selectFrom("label_schemas")
      .select("is_default")
      .where("schema_id", "=", schemaId)
      .executeTakeFirst();
    if (row === undefined) return;
    if (Number(row.is_default) === 1) {
      throw invalidParameter("The experiment's default question cannot be deleted.");
    }
    await this.db.deleteFrom("label_schemas").where("schema_id", "=", schemaId).execute();
  }

  /** At most one default per experiment: concurrent first listings both insert, and the loser's is dropped. */
  private async ensureDefaultQuestion(experiment: number): Promise<void> {
    const existing = await this.db
      .selectFrom("label_schemas")
      .select("schema_id")
      .where("experiment_id", "=", experiment)
      .where("is_default", "=", 1)
      .executeTakeFirst();
    if (existing !== undefined) return;
    const now = this.now();
    await this.db
      .insertInto("label_schemas")
      .values({
        schema_id: newSchemaId(),
        experiment_id: experiment,
        name: DEFAULT_LABEL_SCHEMA_NAME,
        type: "feedback",
        instruction: DEFAULT_LABEL_SCHEMA_INSTRUCTION,
        enable_comment: 0,
        ...toStoredInput({ kind: "text", maxLength: undefined }),
        created_by: null,
        created_time: now,
        last_update_time: now,
        is_default: 1,
      })
      .onConflict((oc) => oc.columns(["experiment_id", "name"]).doNothing())
      .execute();
  }
}
