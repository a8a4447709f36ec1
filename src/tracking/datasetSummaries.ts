/**
 * The dataset summaries MLflow's UI lists beside an experiment's runs (`SearchDatasets`, served under
 * /ajax-api only): each (experiment, dataset name, digest, context) a run of the experiments consumed, the
 * context being the input's `mlflow.data.context` tag. As MLflow's SQL store: only datasets some input links,
 * deleted experiments included, at most 1,000 rows.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { invalidParameter } from "../errors.js";
import { DATASET_CONTEXT_TAG } from "./search/searchRuns.js";
import { parseExperimentId } from "./experimentStore.js";

export interface DatasetSummary {
  experiment_id: string;
  name: string;
  digest: string;
  /** Absent when the input has no context tag, or an empty one (MLflow's proto leaves it unset). */
  context?: string;
}

const MAX_EXPERIMENT_IDS_PER_REQUEST = 20;
const MAX_DATASET_SUMMARIES_RESULTS = 1000;

export async function searchDatasetSummaries(
  db: Kysely<Database>,
  experimentIds: readonly string[],
): Promise<DatasetSummary[]> {
  if (experimentIds.length === 0) {
    throw invalidParameter("SearchDatasets request must specify at least one experiment_id.");
  }
  if (experimentIds.length > MAX_EXPERIMENT_IDS_PER_REQUEST) {
    throw invalidParameter(
      `SearchDatasets request cannot specify more than ${MAX_EXPERIMENT_IDS_PER_REQUEST} experiment_ids. ` +
        `Received ${experimentIds.length} experiment_ids.`,
    );
  }
  // An id past the stored integer range names no experiment: it is valid, it just matches nothing.
  const ids = experimentIds.map(parseExperimentId).filter((id): id is number => id !== undefined);
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("datasets")
    .innerJoin("inputs", "inputs.source_id", "datasets.dataset_uuid")
    .leftJoin("input_tags", (join) =>
      join
        .onRef("input_tags.input_uuid", "=", "inputs.input_uuid")
        .on("input_tags.key", "=", DATASET_CONTEXT_TAG),
    )
    .select(["datasets.experiment_id", "datasets.name", "datasets.digest", "input_tags.value as context"])
    .distinct()
    .where("datasets.experiment_id", "in", ids)
    // MLflow leaves the order to the database; a fixed one keeps pages of the UI stable here.
    .orderBy("datasets.experiment_id")
    .orderBy("datasets.name")
    .orderBy("datasets.digest")
    .orderBy("context")
    .limit(MAX_DATASET_SUMMARIES_RESULTS)
    .execute();
  // SQLite sorts a null context first and PostgreSQL last, and their text collations differ: one order in
  // code keeps both backends' answers alike.
  const ordered = rows.sort(
    (a, b) =>
      Number(a.experiment_id) - Number(b.experiment_id) ||
      byCodeUnit(a.name, b.name) ||
      byCodeUnit(a.digest, b.digest) ||
      Number(b.context === null) - Number(a.context === null) ||
      byCodeUnit(a.context ?? "", b.context ?? ""),
  );
  return ordered.map((row) => ({
    experiment_id: String(row.experiment_id),
    name: row.name,
    digest: row.digest,
    ...(row.context ? { context: row.context } : {}),
  }));
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
