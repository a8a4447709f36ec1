/**
 * `flowops data log <path> --run <id>`: records the current version of a DVC-tracked file or directory on
 * the tracking server (md5 as DVC computes it, size, file count, default remote, git commit, user) and
 * logs it as an MLflow dataset input of the run, so the run shows exactly which data it was trained on.
 * Hashing goes through the repository's hash state, so an unchanged dataset is not re-read. A table file
 * (csv, tsv, jsonl, parquet) also gets its reference profile uploaded as the run artifact
 * `flowops/profiles/<name>.json`, which becomes the drift reference of model versions registered from the run.
 */
import { childProcess } from "../childProcess.js";
import { userInfo } from "node:os";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { Command } from "commander";
import type { FlowOpsClient } from "../client/index.js";
import { withDataRepo, type DataRepo } from "../data/dataRepo.js";
import type { DatasetVersion, RecordDatasetVersionInput } from "../data/datasetVersions.js";
import { hashPath } from "../data/hashTree.js";
import { invalidParameter } from "../errors.js";
import type { DatasetProfileOutcome } from "../monitoring/profiles/profileArtifact.js";
import { printJson } from "./output.js";
import { createProgress } from "./progressBar.js";
import { withTrackingOptions, type TrackingOptions } from "./trackingOptions.js";

export interface DataLogOptions extends TrackingOptions {
  run: string;
  name?: string;
  context?: string;
  /** False with `--no-profile`. */
  profile?: boolean;
  verbose?: boolean;
}

/** What touches the world besides the repository: git and the user's identity. */
export interface DatasetFactsEnvironment {
  gitHead(root: string): Promise<string | undefined>;
  user(): string | undefined;
}

export const defaultFactsEnvironment: DatasetFactsEnvironment = {
  gitHead: readGitHead,
  user: () => currentUser(process.env),
};

/**
 * Hashes `target` (relative to `cwd`) and gathers what a dataset version records. The name defaults to
 * the path relative to the repository root.
 */
export async function describeDatasetVersion(
  repo: DataRepo,
  target: string,
  options: { cwd: string; name?: string | undefined; onProgress?: (bytes: number, files: number) => void },
  environment: DatasetFactsEnvironment = defaultFactsEnvironment,
): Promise<RecordDatasetVersionInput> {
  const absPath = resolve(options.cwd, target);
  const relPath = relative(repo.root, absPath);
  if (relPath === "" || relPath.startsWith("..") || isAbsolute(relPath)) {
    throw invalidParameter(`${absPath} is not inside the DVC repository at ${repo.root}.`);
  }
  const path = relPath.split(sep).join("/");
  const hashed = await hashPath(absPath, {
    root: repo.root,
    state: repo.state,
    ignore: repo.ignore,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  repo.state.flush();
  const remote = repo.config.core.remote;
  const gitCommit = repo.scm ? await environment.gitHead(repo.root) : undefined;
  const user = environment.user();
  return {
    name: options.name ?? path,
    path,
    md5: hashed.md5,
    size: hashed.size,
    ...(hashed.kind === "dir" ? { nfiles: hashed.nfiles ?? hashed.entries.length } : {}),
    ...(remote === undefined || remote === "" ? {} : { remote }),
    ...(gitCommit === undefined ? {} : { git_commit: gitCommit }),
    ...(user === undefined ? {} : { created_by: user }),
  };
}

/** Records the version (or finds the one already recorded) and links it to the run. */
export async function logDatasetVersion(
  client: FlowOpsClient,
  facts: RecordDatasetVersionInput,
  runId: string,
  options: { context?: string | undefined } = {},
): Promise<{ datasetVersion: DatasetVersion; created: boolean }> {
  const recorded = await client.datasets.recordVersion(facts);
  await client.datasets.linkToRun(
    recorded.datasetVersion.id,
    runId,
    options.context === undefined ? {} : { context: options.context },
  );
  return recorded;
}

export function dataLogCommand(): Command {
  return withTrackingOptions(new Command("log"))
    .description(
      "Record the current version of a DVC-tracked file or directory and log it as a dataset input of a run.",
    )
    .argument("<path>", "file or directory inside the DVC repository")
    .requiredOption("--run <id>", "run that used this data")
    .option("--name <name>", "dataset name (default: the path relative to the repository root)")
    .option("--context <context>", "what the run used it for, e.g. training or evaluation")
    .option("--no-profile", "do not upload the table's reference profile (flowops/profiles/<name>.json)")
    .option("--verbose", "say when no profile was uploaded, and why")
    .action(async (target: string, opts: DataLogOptions) => {
      const cwd = process.cwd();
      const progress = createProgress("Hashing", undefined, { enabled: opts.json !== true, unit: "bytes" });
      const facts = await withDataRepo(cwd, (repo) =>
        describeDatasetVersion(repo, target, {
          cwd,
          name: opts.name,
          onProgress: (bytes) => progress.advance(bytes),
        }),
      ).finally(() => progress.done());
      // Loaded here: the data commands share a chunk, and only this one talks to the server.
      const { clientFor } = await import("./trackingClient.js");
      const client = clientFor(opts);
      const { datasetVersion, created } = await logDatasetVersion(client, facts, opts.run, {
        context: opts.context,
      });
      const profile: DatasetProfileOutcome | undefined =
        opts.profile === false
          ? undefined
          : await (
              await import("../monitoring/profiles/profileArtifact.js")
            ).logDatasetProfile(client.artifacts, opts.run, {
              name: datasetVersion.name,
              file: resolve(cwd, target),
            });
      if (profile !== undefined && "skipped" in profile && opts.verbose === true) {
        process.stderr.write(`No profile uploaded: ${profile.skipped}\n`);
      }
      const uploaded = profile !== undefined && "uploaded" in profile ? profile.uploaded : undefined;
      if (opts.json) {
        return printJson({
          dataset_version: datasetVersion,
          created,
          run_id: opts.run,
          ...(uploaded === undefined ? {} : { profile_artifact: uploaded }),
        });
      }
      const files = datasetVersion.nfiles === undefined ? "" : `, ${datasetVersion.nfiles} files`;
      process.stdout.write(
        `${created ? "Recorded" : "Found"} ${datasetVersion.name} ${datasetVersion.md5} ` +
          `(${datasetVersion.size} bytes${files}) as version ${datasetVersion.id}; linked to run ${opts.run}\n`,
      );
      if (uploaded !== undefined) process.stdout.write(`Uploaded its profile as ${uploaded}\n`);
    });
}

/** `git rev-parse HEAD` in the repository; undefined outside git or before the first commit. */
export function readGitHead(root: string): Promise<string | undefined> {
  return new Promise((resolveHead) => {
    childProcess().execFile(
      "git",
      ["rev-parse", "--verify", "-q", "HEAD"],
      { cwd: root },
      (error, stdout) => {
        const head = stdout.trim();
        resolveHead(error === null && /^[0-9a-f]{40,64}$/.test(head) ? head : undefined);
      },
    );
  });
}

/** The user as MLflow's client finds it: $USER, then $LOGNAME, then the account name. */
export function currentUser(env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env.USER ?? env.LOGNAME;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
