/**
 * What a run consumed and produced: dataset inputs (datasets are shared per experiment by name and digest,
 * and linked to runs with tags), 3.x model inputs, and 3.x model outputs. Re-logging the same link is a
 * no-op, as in MLflow, so the client may retry freely.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import type { DatasetInput, ModelInput, ModelOutput } from "./entities.js";
import { validateDataset, validateInputTag } from "./entityValidation.js";
import { int64Parameter } from "./exactInt64.js";
import { inChunks } from "./inChunks.js";
import { requireActiveRun } from "./runStore.js";

/** A dataset input as requested; optional fields may arrive explicitly undefined. */
export interface DatasetInputRequest {
  tags: DatasetInput["tags"];
  dataset: {
    name: string;
    digest: string;
    source_type: string;
    source: string;
    schema?: string | undefined;
    profile?: string | undefined;
  };
}

export interface LogInputsInput {
  datasets?: readonly DatasetInputRequest[] | undefined;
  models?: readonly ModelInput[] | undefined;
}

export async function logInputs(db: Kysely<Database>, runId: string, input: LogInputsInput): Promise<void> {
  const datasets = input.datasets ?? [];
  const models = input.models ?? [];
  for (const d of datasets) {
    validateDataset(d.dataset);
    d.tags.forEach(validateInputTag);
  }
  await db.transaction().execute(async (tx) => {
    const run = await requireActiveRun(tx, runId);
    for (const datasetInput of datasets) {
      const datasetId = await findOrCreateDataset(tx, Number(run.experiment_id), datasetInput.dataset);
      await linkInput(tx, "DATASET", datasetId, runId, datasetInput.tags);
    }
    for (const model of models) await linkInput(tx, "MODEL", model.model_id, runId, []);
  });
}

export async function logOutputs(
  db: Kysely<Database>,
  runId: string,
  models: readonly ModelOutput[],
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await requireActiveRun(tx, runId);
    const unique = new Map(models.map((m) => [m.model_id, m.step]));
    for (const chunk of inChunks([...unique])) {
      await tx
        .insertInto("run_outputs")
        .values(chunk.map(([model_id, step]) => ({ run_uuid: runId, model_id, step: int64Parameter(step) })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  });
}

async function findOrCreateDataset(
  db: Kysely<Database>,
  experimentId: number,
  dataset: DatasetInputRequest["dataset"],
): Promise<string> {
  await db
    .insertInto("datasets")
    .values({
      dataset_uuid: randomUUID().replace(/-/g, ""),
      experiment_id: experimentId,
      name: dataset.name,
      digest: dataset.digest,
      dataset_source_type: dataset.source_type,
      dataset_source: dataset.source,
      dataset_schema: dataset.schema ?? null,
      dataset_profile: dataset.profile ?? null,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const row = await db
    .selectFrom("datasets")
    .select("dataset_uuid")
    .where("experiment_id", "=", experimentId)
    .where("name", "=", dataset.name)
    .where("digest", "=", dataset.digest)
    .executeTakeFirstOrThrow();
  return row.dataset_uuid;
}

/** Links a source to the run; tags are written only with a new link, as MLflow skips existing inputs. */
async function linkInput(
  db: Kysely<Database>,
  sourceType: "DATASET" | "MODEL",
  sourceId: string,
  runId: string,
  tags: DatasetInput["tags"],
): Promise<void> {
  const inputId = randomUUID().replace(/-/g, "");
  const inserted = await db
    .insertInto("inputs")
    .values({
      input_uuid: inputId,
      source_type: sourceType,
      source_id: sourceId,
      destination_type: "RUN",
      destination_id: runId,
      step: null,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  const unique = new Map(tags.map((t) => [t.key, t.value]));
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0 || unique.size === 0) return;
  await db
    .insertInto("input_tags")
    .values([...unique].map(([key, value]) => ({ input_uuid: inputId, key, value })))
    .execute();
}
