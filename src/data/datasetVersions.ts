/**
 * Dataset versions in the metadata database: what `flowops data log` records about a DVC-tracked file or
 * directory, and the lineage from a registered model version back to the data its run consumed.
 *
 * A version is identified by (name, md5); recording it again returns the first row, so the CLI can retry.
 * The link to a run is MLflow's own dataset input (digest = md5, source_type "dvc"), written through
 * tracking/runInputs, so the official mlflow client shows the dataset on the run; no second link table
 * exists to drift from it. This module must not touch the workspace or the object cache.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { DatasetVersionTable, Database } from "../db/schema.js";
import { invalidParameter, notFound } from "../errors.js";
import { noModelVersion } from "../registry/modelVersionStore.js";
import { parseModelVersion, validateModelName } from "../registry/validation.js";
import { MAX_DATASET_DIGEST_SIZE, MAX_DATASET_NAME_SIZE } from "../tracking/entityValidation.js";
import { logInputs } from "../tracking/runInputs.js";

/** The MLflow dataset `source_type` of a dataset version linked to a run. */
export const DVC_SOURCE_TYPE = "dvc";
/** MLflow's input tag naming what the run used the dataset for (training, evaluation, ...). */
export const DATASET_CONTEXT_TAG = "mlflow.data.context";

export interface DatasetVersion {
  id: string;
  name: string;
  /** Path of the file or directory relative to the repository root, POSIX separators. */
  path: string;
  /** DVC's md5; directories end in `.dir`. */
  md5: string;
  size: number;
  nfiles?: number;
  remote?: string;
  git_commit?: string;
  created_by?: string;
  /** Epoch milliseconds. */
  created_at: number;
}

export interface RecordDatasetVersionInput {
  name: string;
  path: string;
  md5: string;
  size: number;
  nfiles?: number | undefined;
  remote?: string | undefined;
  git_commit?: string | undefined;
  created_by?: string | undefined;
}

export interface LineageRun {
  run_id: string;
  run_name: string;
  experiment_id: string;
  status: string;
  user_id: string;
  start_time: number;
  end_time?: number;
}

export interface ModelVersionLineage {
  model_version: {
    name: string;
    version: string;
    source: string;
    current_stage: string;
    status: string;
    creation_timestamp: number;
    run_id?: string;
  };
  /** Absent when the model version names no run, or the run no longer exists. */
  run?: LineageRun;
  datasets: DatasetVersion[];
}

const MD5 = /^[0-9a-f]{32}(\.dir)?$/;

export async function recordDatasetVersion(
  db: Kysely<Database>,
  input: RecordDatasetVersionInput,
  now: number,
): Promise<{ datasetVersion: DatasetVersion; created: boolean }> {
  validateVersionInput(input);
  const inserted = await db
    .insertInto("dataset_versions")
    .values({
      id: randomUUID().replace(/-/g, ""),
      name: input.name,
      path: input.path,
      md5: input.md5,
      size: input.size,
      nfiles: input.nfiles ?? null,
      remote: input.remote ?? null,
      git_commit: input.git_commit ?? null,
      created_by: input.created_by ?? null,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(["name", "md5"]).doNothing())
    .executeTakeFirst();
  const row = await db
    .selectFrom("dataset_versions")
    .selectAll()
    .where("name", "=", input.name)
    .where("md5", "=", input.md5)
    .executeTakeFirstOrThrow();
  return {
    datasetVersion: toDatasetVersion(row),
    created: Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0,
  };
}

/** Newest first; all names unless `name` is given. */
export async function listDatasetVersions(
  db: Kysely<Database>,
  options: { name?: string | undefined; maxResults?: number | undefined } = {},
): Promise<DatasetVersion[]> {
  const limit = options.maxResults ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw invalidParameter(`max_results must be an integer between 1 and 10000, got ${limit}.`);
  }
  let query = db.selectFrom("dataset_versions").selectAll();
  if (options.name !== undefined) query = query.where("name", "=", options.name);
  const rows = await query.orderBy("created_at", "desc").orderBy("id").limit(limit).execute();
  return rows.map(toDatasetVersion);
}

export async function getDatasetVersion(db: Kysely<Database>, id: string): Promise<DatasetVersion> {
  const row = await db.selectFrom("dataset_versions").selectAll().where("id", "=", id).executeTakeFirst();
  if (row === undefined) throw notFound(`Dataset version '${id}' does not exist.`);
  return toDatasetVersion(row);
}

/** Runs that logged this dataset version as an input, in run start order. */
export async function runsOfDatasetVersion(db: Kysely<Database>, id: string): Promise<string[]> {
  const version = await getDatasetVersion(db, id);
  const rows = await db
    .selectFrom("datasets as d")
    .innerJoin("inputs as i", (j) =>
      j
        .onRef("i.source_id", "=", "d.dataset_uuid")
        .on("i.source_type", "=", "DATASET")
        .on("i.destination_type", "=", "RUN"),
    )
    .innerJoin("runs as r", "r.run_uuid", "i.destination_id")
    .select("r.run_uuid")
    .distinct()
    .where("d.name", "=", version.name)
    .where("d.digest", "=", version.md5)
    .orderBy("r.run_uuid")
    .execute();
  return rows.map((r) => r.run_uuid);
}

/** The MLflow dataset `source` of a version: where DVC can fetch exactly these bytes from. */
export function dvcDatasetSource(version: DatasetVersion): string {
  return JSON.stringify({
    path: version.path,
    md5: version.md5,
    ...(version.remote === undefined ? {} : { remote: version.remote }),
    ...(version.git_commit === undefined ? {} : { git_commit: version.git_commit }),
  });
}

/**
 * Logs the version as an MLflow dataset input of the run (a no-op when already linked, as MLflow's
 * log-inputs is); the run must exist and be active.
 */
export async function linkDatasetVersionToRun(
  db: Kysely<Database>,
  id: string,
  runId: string,
  options: { context?: string | undefined } = {},
): Promise<DatasetVersion> {
  const version = await getDatasetVersion(db, id);
  await logInputs(db, runId, {
    datasets: [
      {
        tags: options.context === undefined ? [] : [{ key: DATASET_CONTEXT_TAG, value: options.context }],
        dataset: {
          name: version.name,
          digest: version.md5,
          source_type: DVC_SOURCE_TYPE,
          source: dvcDatasetSource(version),
        },
      },
    ],
  });
  return version;
}

/**
 * Model version -> its run -> the run's dataset inputs -> the dataset versions with the same name and
 * digest, in one query. Dataset inputs that no recorded version matches are left out.
 */
export async function lineageOfModelVersion(
  db: Kysely<Database>,
  name: string,
  version: string | number,
): Promise<ModelVersionLineage> {
  validateModelName(name);
  const number = parseModelVersion(version);
  const rows = await db
    .selectFrom("model_versions as mv")
    .leftJoin("runs as r", "r.run_uuid", "mv.run_id")
    .leftJoin("inputs as i", (j) =>
      j
        .onRef("i.destination_id", "=", "mv.run_id")
        .on("i.destination_type", "=", "RUN")
        .on("i.source_type", "=", "DATASET"),
    )
    .leftJoin("datasets as d", "d.dataset_uuid", "i.source_id")
    .leftJoin("dataset_versions as dv", (j) =>
      j.onRef("dv.name", "=", "d.name").onRef("dv.md5", "=", "d.digest"),
    )
    .select([
      "mv.name as mv_name",
      "mv.version as mv_version",
      "mv.source as mv_source",
      "mv.current_stage as mv_stage",
      "mv.status as mv_status",
      "mv.creation_time as mv_created",
      "mv.run_id as mv_run_id",
      "r.run_uuid as run_id",
      "r.name as run_name",
      "r.experiment_id as run_experiment_id",
      "r.status as run_status",
      "r.user_id as run_user_id",
      "r.start_time as run_start_time",
      "r.end_time as run_end_time",
      "dv.id",
      "dv.name",
      "dv.path",
      "dv.md5",
      "dv.size",
      "dv.nfiles",
      "dv.remote",
      "dv.git_commit",
      "dv.created_by",
      "dv.created_at",
    ])
    .where("mv.name", "=", name)
    .where("mv.version", "=", number)
    .where("mv.deleted", "=", 0)
    .orderBy("dv.name")
    .orderBy("dv.created_at")
    .execute();
  const first = rows[0];
  if (first === undefined) throw noModelVersion(name, version);

  const datasets = new Map<string, DatasetVersion>();
  for (const row of rows) {
    if (row.id === null || datasets.has(row.id)) continue;
    datasets.set(
      row.id,
      toDatasetVersion({
        id: row.id,
        name: row.name as string,
        path: row.path as string,
        md5: row.md5 as string,
        size: row.size as number,
        nfiles: row.nfiles,
        remote: row.remote,
        git_commit: row.git_commit,
        created_by: row.created_by,
        created_at: row.created_at as number,
      }),
    );
  }
  return {
    model_version: {
      name: first.mv_name,
      version: String(first.mv_version),
      source: first.mv_source,
      current_stage: first.mv_stage,
      status: first.mv_status,
      creation_timestamp: Number(first.mv_created),
      ...(first.mv_run_id === null ? {} : { run_id: first.mv_run_id }),
    },
    ...(first.run_id === null
      ? {}
      : {
          run: {
            run_id: first.run_id,
            run_name: first.run_name ?? "",
            experiment_id: String(first.run_experiment_id),
            status: first.run_status ?? "",
            user_id: first.run_user_id ?? "",
            start_time: Number(first.run_start_time),
            ...(first.run_end_time === null ? {} : { end_time: Number(first.run_end_time) }),
          },
        }),
    datasets: [...datasets.values()],
  };
}

function validateVersionInput(input: RecordDatasetVersionInput): void {
  if (input.name === "" || input.name.length > MAX_DATASET_NAME_SIZE) {
    throw invalidParameter(
      `Dataset name must be 1 to ${MAX_DATASET_NAME_SIZE} characters, got '${input.name}'.`,
    );
  }
  if (input.path === "") throw invalidParameter("Dataset path must not be empty.");
  // Kept within MLflow's digest limit so the same md5 can become the run input's digest.
  if (!MD5.test(input.md5) || input.md5.length > MAX_DATASET_DIGEST_SIZE) {
    throw invalidParameter(
      `Dataset md5 must be 32 hex digits, optionally followed by '.dir'; got '${input.md5}'.`,
    );
  }
  if (!Number.isSafeInteger(input.size) || input.size < 0) {
    throw invalidParameter(`Dataset size must be a non-negative integer, got ${input.size}.`);
  }
  if (input.nfiles !== undefined && (!Number.isSafeInteger(input.nfiles) || input.nfiles < 0)) {
    throw invalidParameter(`Dataset nfiles must be a non-negative integer, got ${input.nfiles}.`);
  }
  if (input.nfiles !== undefined && !input.md5.endsWith(".dir")) {
    throw invalidParameter(`Dataset nfiles is only meaningful for a directory (md5 ending in '.dir').`);
  }
}

function toDatasetVersion(row: Selectable<DatasetVersionTable>): DatasetVersion {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    md5: row.md5,
    size: Number(row.size),
    ...(row.nfiles === null ? {} : { nfiles: Number(row.nfiles) }),
    ...(row.remote === null ? {} : { remote: row.remote }),
    ...(row.git_commit === null ? {} : { git_commit: row.git_commit }),
    ...(row.created_by === null ? {} : { created_by: row.created_by }),
    created_at: Number(row.created_at),
  };
}
