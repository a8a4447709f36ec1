/**
 * The scorer registry with the semantics of mlflow's SqlAlchemyStore: versions count from 1 per
 * (experiment, name), the latest of each name is what a listing shows, and a scorer keeps its id until
 * all its versions are deleted together. Deleting single versions can leave a scorer with none; like
 * mlflow, the next registration then restarts at max + 1 of what is left. Serialized scorers are stored
 * as sent and never run here.
 */
import { randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type {
  Database,
  OnlineScoringConfigTable,
  ScorerDatabase,
  ScorerTable,
  ScorerVersionTable,
} from "../../db/schema.js";
import { FlowOpsError, invalidParameter, notFound } from "../../errors.js";
import { getExperiment, parseExperimentId } from "../experimentStore.js";
import { inChunks } from "../inChunks.js";
import { isUniqueViolation } from "../uniqueViolation.js";
import type { ScorerVersion } from "./entities.js";
import {
  validateScorerModel,
  validateSerializedScorer,
  type SerializedScorerPolicy,
} from "./serializedScorer.js";

const REGISTER_ATTEMPTS = 3;

/** The tables this store reads and writes (migration 0012) beside the rest. */
export function withScorers(meta: MetadataDb): Kysely<ScorerDatabase> {
  return meta.db.withTables<{
    scorers: ScorerTable;
    scorer_versions: ScorerVersionTable;
    online_scoring_configs: OnlineScoringConfigTable;
  }>();
}

export function scorerNotFound(name: string, experimentId: string, version?: number): FlowOpsError {
  return notFound(
    version === undefined
      ? `Scorer with name '${name}' not found for experiment ${experimentId}.`
      : `Scorer with name '${name}' and version ${version} not found for experiment ${experimentId}.`,
  );
}

/** The experiment's numeric id, refusing a missing or deleted one as mlflow's `_check_experiment_is_active`. */
/** The scorer's id, in the caller's transaction; mlflow's not-found error when the experiment has no such name. */
export async function existingScorer(
  db: Kysely<ScorerDatabase>,
  experiment: number,
  experimentId: string,
  name: string,
): Promise<{ scorer_id: string }> {
  const scorer = await db
    .selectFrom("scorers")
    .select("scorer_id")
    .where("experiment_id", "=", experiment)
    .where("scorer_name", "=", name)
    .executeTakeFirst();
  if (scorer === undefined) throw scorerNotFound(name, experimentId);
  return scorer;
}

export async function activeExperimentId(db: Kysely<Database>, experimentId: string): Promise<number> {
  const experiment = await getExperiment(db, experimentId);
  if (experiment.lifecycle_stage !== "active") {
    throw invalidParameter(
      `The experiment ${experiment.experiment_id} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
    );
  }
  return Number(experiment.experiment_id);
}

type VersionRow = {
  experiment_id: number | string;
  scorer_name: string;
  scorer_id: string;
  scorer_version: number | string;
  serialized_scorer: string;
  creation_time: number | string | bigint;
};

function toScorerVersion(row: VersionRow): ScorerVersion {
  return {
    experimentId: String(row.experiment_id),
    scorerId: row.scorer_id,
    name: row.scorer_name,
    version: Number(row.scorer_version),
    serializedScorer: row.serialized_scorer,
    creationTime: Number(row.creation_time),
  };
}

/** mlflow sorts listings in Python, by experiment and then by name in code-point order, on every engine. */
function byExperimentAndName(a: ScorerVersion, b: ScorerVersion): number {
  const byExperiment = Number(a.experimentId) - Number(b.experimentId);
  if (byExperiment !== 0) return byExperiment;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export class ScorerStore {
  private readonly db: Kysely<ScorerDatabase>;

  constructor(
    private readonly meta: MetadataDb,
    private readonly now: () => number = Date.now,
    private readonly policy: SerializedScorerPolicy = { allowCustomScorers: false },
  ) {
    this.db = withScorers(meta);
  }

  /** Adds a version, creating the scorer on its first registration. */
  async register(experimentId: string, name: string, serializedScorer: string): Promise<ScorerVersion> {
    const data = validateSerializedScorer(serializedScorer, this.policy);
    if (name.trim() === "") {
      throw invalidParameter("Scorer name cannot be empty or contain only whitespace.");
    }
    const experiment = await activeExperimentId(this.meta.db, experimentId);
    validateScorerModel(data);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (trx) => {
          await trx
            .insertInto("scorers")
            .values({ scorer_id: randomUUID(), experiment_id: experiment, scorer_name: name })
            .onConflict((oc) => oc.columns(["experiment_id", "scorer_name"]).doNothing())
            .execute();
          // Touching the row takes its lock on PostgreSQL, so concurrent registrations of one name queue
          // here and each reads the maximum version the previous one committed.
          await trx
            .updateTable("scorers")
            .set({ scorer_name: name })
            .where("experiment_id", "=", experiment)
            .where("scorer_name", "=", name)
            .execute();
          const { scorer_id: scorerId } = await trx
            .selectFrom("scorers")
            .select("scorer_id")
            .where("experiment_id", "=", experiment)
            .where("scorer_name", "=", name)
            .executeTakeFirstOrThrow();
          const { max } = await trx
            .selectFrom("scorer_versions")
            .select((eb) => eb.fn.max("scorer_version").as("max"))
            .where("scorer_id", "=", scorerId)
            .executeTakeFirstOrThrow();
          const version = (max === null ? 0 : Number(max)) + 1;
          const creationTime = this.now();
          await trx
            .insertInto("scorer_versions")
            .values({
              scorer_id: scorerId,
              scorer_version: version,
              serialized_scorer: serializedScorer,
              creation_time: creationTime,
            })
            .execute();
          return {
            experimentId: String(experiment),
            scorerId,
            name,
            version,
            serializedScorer,
            creationTime,
          };
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (attempt >= REGISTER_ATTEMPTS) {
          throw new FlowOpsError(
            "INTERNAL_ERROR",
            `Scorer registration error (name=${name}). Giving up after ${REGISTER_ATTEMPTS} attempts.`,
            { cause: error },
          );
        }
      }
    }
  }

  /** The latest version of each of the experiment's scorers. */
  async list(experimentId: string): Promise<ScorerVersion[]> {
    const experiment = await activeExperimentId(this.meta.db, experimentId);
    return this.latestVersions([experiment]);
  }

  /**
   * The latest versions across experiments: the named ones (ids that are not integers are refused; missing
   * or deleted experiments are skipped), or every active experiment when `experimentIds` is undefined.
   */
  async listAcross(experimentIds: readonly string[] | undefined): Promise<ScorerVersion[]> {
    let ids: number[];
    if (experimentIds === undefined) {
      const rows = await this.db
        .selectFrom("experiments")
        .select("experiment_id")
        .where("lifecycle_stage", "=", "active")
        .execute();
      ids = rows.map((r) => Number(r.experiment_id));
    } else {
      const parsed = [...new Set(experimentIds)].map(parseExperimentId);
      ids = parsed.filter((id): id is number => id !== undefined);
    }
    const active: number[] = [];
    for (const chunk of inChunks(ids)) {
      if (chunk.length === 0) continue;
      const rows = await this.db
        .selectFrom("experiments")
        .select("experiment_id")
        .where("experiment_id", "in", chunk)
        .where("lifecycle_stage", "=", "active")
        .execute();
      active.push(...rows.map((r) => Number(r.experiment_id)));
    }
    return this.latestVersions(active);
  }

  async versions(experimentId: string, name: string): Promise<ScorerVersion[]> {
    const experiment = await activeExperimentId(this.meta.db, experimentId);
    const rows = await this.versionRows(experiment, name).orderBy("v.scorer_version", "asc").execute();
    if (rows.length === 0) throw scorerNotFound(name, experimentId);
    return rows.map(toScorerVersion);
  }

  /** One version, or the latest when `version` is undefined. */
  async get(experimentId: string, name: string, version?: number): Promise<ScorerVersion> {
    const experiment = await activeExperimentId(this.meta.db, experimentId);
    let query = this.versionRows(experiment, name);
    query =
      version === undefined
        ? query.orderBy("v.scorer_version", "desc").limit(1)
        : query.where("v.scorer_version", "=", version);
    const row = await query.executeTakeFirst();
    if (row === undefined) throw scorerNotFound(name, experimentId, version);
    return toScorerVersion(row);
  }

  /** Deletes one version, or the scorer with all its versions and online configs when `version` is undefined. */
  async delete(experimentId: string, name: string, version?: number): Promise<void> {
    const experiment = await activeExperimentId(this.meta.db, experimentId);
    await this.db.transaction().execute(async (trx) => {
      const scorer = await existingScorer(trx, experiment, experimentId, name);
      let versions = trx.deleteFrom("scorer_versions").where("scorer_id", "=", scorer.scorer_id);
      if (version !== undefined) versions = versions.where("scorer_version", "=", version);
      const deleted = await versions.executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw scorerNotFound(name, experimentId, version);
      if (version !== undefined) return;
      await trx.deleteFrom("online_scoring_configs").where("scorer_id", "=", scorer.scorer_id).execute();
      await trx.deleteFrom("scorers").where("scorer_id", "=", scorer.scorer_id).execute();
    });
  }

  /** Every version joined to its scorer, with the columns a ScorerVersion is built from. */
  private joinedVersions() {
    return this.db
      .selectFrom("scorers as s")
      .innerJoin("scorer_versions as v", "v.scorer_id", "s.scorer_id")
      .select([
        "s.experiment_id",
        "s.scorer_name",
        "s.scorer_id",
        "v.scorer_version",
        "v.serialized_scorer",
        "v.creation_time",
      ]);
  }

  private versionRows(experiment: number, name: string) {
    return this.joinedVersions().where("s.experiment_id", "=", experiment).where("s.scorer_name", "=", name);
  }

  private async latestVersions(experimentIds: readonly number[]): Promise<ScorerVersion[]> {
    const found: ScorerVersion[] = [];
    for (const chunk of inChunks(experimentIds)) {
      if (chunk.length === 0) continue;
      const rows = await this.joinedVersions()
        .where("s.experiment_id", "in", chunk)
        .where(
          "v.scorer_version",
          "=",
          sql<number>`(select max(l.scorer_version) from scorer_versions l where l.scorer_id = s.scorer_id)`,
        )
        .execute();
      found.push(...rows.map(toScorerVersion));
    }
    return found.sort(byExperimentAndName);
  }
}
