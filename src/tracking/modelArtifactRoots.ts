/**
 * Where the UI's model file downloads read from: a registered model version's download URI and a logged
 * model's artifact location, as MLflow's `get_model_version_artifact_handler` and
 * `get_logged_model_artifact_handler` find them. Opening the URI is left to the artifact locator.
 */
import type { Kysely } from "kysely";
import type { MetadataDb } from "../db/connect.js";
import type { Database } from "../db/schema.js";
import { invalidParameter } from "../errors.js";
import { assertSafeRelativePath } from "../artifacts/pathSafety.js";
import { getModelVersionDownloadUri } from "../registry/modelVersionStore.js";
import { LoggedModelStore } from "./loggedModels/store.js";
import { getRun } from "./runStore.js";

const RUNS_URI = /^runs:\/([^/]+)(?:\/(.*))?$/;

/**
 * The version's storage location, else its source. A `runs:/<run>/<path>` source is resolved to that path
 * under the run's artifact root, as MLflow's RunsArtifactRepository does; MLflow's server only manages that
 * when its own tracking URI is an HTTP one (a SQL-backed `mlflow server` answers 500), so here it always does.
 */
export async function modelVersionArtifactRoot(
  db: Kysely<Database>,
  name: string | undefined,
  version: string | undefined,
): Promise<string> {
  if (name === undefined || name === "") {
    throw invalidParameter("Missing value for required parameter 'name'.");
  }
  // An absent version is refused as an empty one: "Missing value for required parameter 'version'."
  const uri = await getModelVersionDownloadUri(db, name, version ?? "");
  const runs = RUNS_URI.exec(uri);
  if (runs === null) return uri;
  const [, runId, subPath = ""] = runs;
  const run = await getRun(db, runId as string);
  const path = assertSafeRelativePath(subPath, "source");
  const root = run.info.artifact_uri;
  if (path === "") return root;
  return `${root.endsWith("/") ? root : `${root}/`}${path}`;
}

/** An active logged model's artifact location; an unknown or deleted id is RESOURCE_DOES_NOT_EXIST. */
export async function loggedModelArtifactRoot(meta: MetadataDb, modelId: string): Promise<string> {
  const model = await new LoggedModelStore(meta).get(modelId);
  return model.info.artifact_uri;
}
