/**
 * Stores a new model version's reference profile when its run carries one: the run's artifact
 * `flowops/profiles/<dataset>.json` (profileArtifact.ts) of the dataset input logged with context `training`,
 * or, when no input is marked as training, the run's only profile. Called after the version row is written;
 * it never throws, because a version must not fail to exist for want of a profile: a missing, oversized or
 * invalid profile is skipped with a debug log. It only reads a small JSON artifact (no data, no computation),
 * so the cost for a run without profiles is one directory listing.
 */
import type { Readable } from "node:stream";
import type { MetadataDb } from "../../db/connect.js";
import {
  createArtifactLocator,
  type ArtifactLocationConfig,
  type ArtifactLocator,
} from "../../artifacts/location.js";
import { artifactBasename, type ArtifactStore } from "../../artifacts/store.js";
import { DATASET_CONTEXT_TAG } from "../../data/datasetVersions.js";
import { FlowOpsError } from "../../errors.js";
import { referenceProfileSchema } from "../online/profileSchema.js";
import { ProfileStore, type StoredProfile } from "../online/profileStore.js";
import { PROFILE_ARTIFACT_DIR, profileArtifactName } from "./profileArtifact.js";

/** Larger files are not profiles FlowOps wrote (10,000 samples x a few hundred columns stays far below). */
export const MAX_PROFILE_ARTIFACT_BYTES = 64 * 1024 * 1024;
export const TRAINING_CONTEXT = "training";

export interface VersionProfileCaptureLog {
  debug(message: string): void;
}

export interface CapturedVersion {
  name: string;
  version: string;
  run_id?: string | undefined;
}

export class VersionProfileCapture {
  private readonly locator: ArtifactLocator;
  private readonly profiles: ProfileStore;

  constructor(
    private readonly deps: {
      meta: MetadataDb;
      config: ArtifactLocationConfig;
      now: () => number;
      log: VersionProfileCaptureLog;
      locator?: ArtifactLocator;
    },
  ) {
    this.locator = deps.locator ?? createArtifactLocator(deps.config);
    this.profiles = new ProfileStore(deps.meta, deps.now);
  }

  /** The stored profile, or undefined when the run has none (or it could not be used; see the debug log). */
  async capture(version: CapturedVersion): Promise<StoredProfile | undefined> {
    const label = `model '${version.name}' version ${version.version}`;
    try {
      const runId = version.run_id;
      if (runId === undefined || runId === "") return undefined;
      const run = await this.deps.meta.db
        .selectFrom("runs")
        .select("artifact_uri")
        .where("run_uuid", "=", runId)
        .executeTakeFirst();
      if (run === undefined) return undefined;
      const store = this.locator.open(run.artifact_uri);
      const path = await this.choose(store, runId);
      if (path === undefined) return undefined;
      const parsed = referenceProfileSchema.safeParse(await readJson(store, path));
      if (!parsed.success) {
        this.deps.log.debug(
          `${label}: run ${runId}'s ${path} is not a reference profile: ${parsed.error.message}`,
        );
        return undefined;
      }
      return await this.profiles.put(version.name, version.version, parsed.data);
    } catch (error) {
      this.deps.log.debug(`${label}: its run's training profile was not stored: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** The profile artifact to use: the training input's, else the only one. */
  private async choose(store: ArtifactStore, runId: string): Promise<string | undefined> {
    const files = (await store.list(PROFILE_ARTIFACT_DIR)).filter(
      (entry) => !entry.is_dir && entry.path.endsWith(".json"),
    );
    if (files.length === 0) return undefined;
    const training = await this.trainingDatasetNames(runId);
    if (training.length > 0) {
      const wanted = new Set(training.map(profileArtifactName));
      const match = files.find((entry) => wanted.has(artifactBasename(entry.path)));
      if (match === undefined) {
        this.deps.log.debug(`run ${runId} has no profile of its training input (${training.join(", ")})`);
      }
      return checkedSize(match, this.deps.log);
    }
    if (files.length > 1) {
      this.deps.log.debug(
        `run ${runId} has ${files.length} profiles and no dataset input with context '${TRAINING_CONTEXT}'; ` +
          `log the training data with --context ${TRAINING_CONTEXT} to pick one`,
      );
      return undefined;
    }
    return checkedSize(files[0], this.deps.log);
  }

  private async trainingDatasetNames(runId: string): Promise<string[]> {
    const rows = await this.deps.meta.db
      .selectFrom("inputs as i")
      .innerJoin("input_tags as t", "t.input_uuid", "i.input_uuid")
      .innerJoin("datasets as d", "d.dataset_uuid", "i.source_id")
      .select("d.name")
      .where("i.destination_id", "=", runId)
      .where("i.destination_type", "=", "RUN")
      .where("i.source_type", "=", "DATASET")
      .where("t.key", "=", DATASET_CONTEXT_TAG)
      .where("t.value", "=", TRAINING_CONTEXT)
      .execute();
    return rows.map((row) => row.name);
  }
}

function checkedSize(
  entry: { path: string; file_size?: number } | undefined,
  log: VersionProfileCaptureLog,
): string | undefined {
  if (entry === undefined) return undefined;
  if ((entry.file_size ?? 0) > MAX_PROFILE_ARTIFACT_BYTES) {
    log.debug(
      `${entry.path} has ${entry.file_size} bytes, over ${MAX_PROFILE_ARTIFACT_BYTES}: not a profile`,
    );
    return undefined;
  }
  return entry.path;
}

async function readJson(store: ArtifactStore, path: string): Promise<unknown> {
  const stream: Readable = await store.read(path);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > MAX_PROFILE_ARTIFACT_BYTES) {
      stream.destroy();
      throw new FlowOpsError("INVALID_STATE", `${path} is over ${MAX_PROFILE_ARTIFACT_BYTES} bytes`);
    }
    chunks.push(buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}
