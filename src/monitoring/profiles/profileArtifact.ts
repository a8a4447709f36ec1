/**
 * Where a training profile travels: the run artifact `flowops/profiles/<dataset name>.json`, written by the
 * client side (`flowops data log`, repro, client.monitoring.logTrainingProfile) and read by the server when a
 * model version is created from the run (versionProfileCapture.ts). Both sides name the file with
 * `profileArtifactPath`, so a dataset input's name finds its profile.
 */
import { Readable } from "node:stream";
import type { ArtifactsApi } from "../../client/artifacts.js";
import type { ReferenceProfile } from "../drift/referenceProfile.js";
import { tryProfileTrainingFile, type TrainingProfileOptions } from "./trainingProfile.js";

export const PROFILE_ARTIFACT_DIR = "flowops/profiles";

/**
 * The artifact file name of a dataset's profile. Dataset names are often paths (`data/train.csv`); every run
 * of characters outside `[A-Za-z0-9._-]` becomes `_`, so the name is one file, never a nested or hidden path.
 */
export function profileArtifactName(datasetName: string): string {
  const safe = datasetName.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "_");
  return `${safe === "" ? "_" : safe}.json`;
}

export function profileArtifactPath(datasetName: string): string {
  return `${PROFILE_ARTIFACT_DIR}/${profileArtifactName(datasetName)}`;
}

/** Uploads the profile as the run's artifact for `datasetName`; returns the artifact path. */
export async function uploadTrainingProfile(
  artifacts: Pick<ArtifactsApi, "uploadArtifact">,
  runId: string,
  datasetName: string,
  profile: ReferenceProfile,
): Promise<string> {
  const path = profileArtifactPath(datasetName);
  await artifacts.uploadArtifact({ runId }, Readable.from([Buffer.from(JSON.stringify(profile))]), path);
  return path;
}

export type DatasetProfileOutcome =
  { readonly uploaded: string; readonly rows: number } | { readonly skipped: string };

/**
 * Profiles a logged dataset's file and uploads it, when the file is a table FlowOps reads. Never throws: a
 * dataset that cannot be profiled or uploaded is reported as skipped, since logging the dataset itself is
 * what the caller asked for and it already succeeded.
 */
export async function logDatasetProfile(
  artifacts: Pick<ArtifactsApi, "uploadArtifact">,
  runId: string,
  dataset: { name: string; file: string },
  options: TrainingProfileOptions = {},
): Promise<DatasetProfileOutcome> {
  try {
    const attempt = await tryProfileTrainingFile(dataset.file, options);
    if ("skipped" in attempt) return attempt;
    const uploaded = await uploadTrainingProfile(artifacts, runId, dataset.name, attempt.profile);
    return { uploaded, rows: attempt.profile.rows };
  } catch (error) {
    return { skipped: `the profile of ${dataset.file} was not stored: ${(error as Error).message}` };
  }
}

/** logDatasetProfile for each dataset, one after another (each reads a whole file). */
export async function logDatasetProfiles(
  artifacts: Pick<ArtifactsApi, "uploadArtifact">,
  runId: string,
  datasets: readonly { name: string; file: string }[],
): Promise<DatasetProfileOutcome[]> {
  const outcomes: DatasetProfileOutcome[] = [];
  for (const dataset of datasets) outcomes.push(await logDatasetProfile(artifacts, runId, dataset));
  return outcomes;
}
