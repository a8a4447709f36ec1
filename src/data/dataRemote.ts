/**
 * A DVC remote from `.dvc/config`, opened as an ArtifactStore so transfers are written once above the
 * store seam. Resolution follows DVC: the default remote is `core.remote`; a relative local url is relative to
 * the `.dvc` directory (where the config file lives); `remote://other/sub` is a path inside another remote;
 * S3 remotes take `endpointurl`, `region` and credentials from their config section. It must not read or
 * write objects itself: transferObjects does.
 */
import { s3RemoteSettings } from "./s3RemoteOptions.js";
import { availableParallelism } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { resolveArtifactStore, uriScheme } from "../artifacts/resolveStore.js";
import type { ArtifactStore } from "../artifacts/store.js";
import { FlowOpsError, invalidParameter } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { configuredRemoteName } from "./dvcConfig.js";
import { markDvcError } from "./dvcErrorKind.js";

export interface DataRemote {
  name: string;
  /** The resolved location: an absolute local path or `s3://bucket/prefix`. */
  url: string;
  store: ArtifactStore;
  /** How many objects move at once: the remote's `jobs`, else DVC's default of 4 x cores. */
  jobs: number;
}

export interface OpenRemoteOptions {
  /** The environment S3 credentials fall back to; the process environment by default. */
  env?: NodeJS.ProcessEnv;
}

/** What a remote needs from the repo: where the config file is and what it says. */
export type RemoteRepo = Pick<DataRepo, "dvcDir" | "config">;

/** DVC's transfer default (`jobs = 4 x cpu_count`, dvc-objects `fs/base.py`). */
export function defaultTransferJobs(): number {
  return 4 * availableParallelism();
}

/**
 * The remote for an out without its own `remote:`: the one named, else `core.remote`; undefined when neither
 * is set. Callers decide what that means: dvc's fetch leaves such outs to the local cache, push fails.
 */
export function selectedRemoteName(repo: RemoteRepo, name?: string): string | undefined {
  const selected = name ?? repo.config.core.remote;
  return selected === undefined || selected === "" ? undefined : selected;
}

/** Opens remote `name`, or the default remote (`core.remote`) when no name is given. */
export function openDataRemote(repo: RemoteRepo, name?: string, options: OpenRemoteOptions = {}): DataRemote {
  const remoteName = selectedRemoteName(repo, name);
  if (remoteName === undefined) {
    // dvc's NoRemoteError, worded by whether some remote is configured already.
    const hint =
      Object.keys(repo.config.remotes).length > 0
        ? "Set a default remote with\n    flowops data remote default <remote name>\nor use -r <remote name>."
        : "Create a default remote with\n    flowops data remote add -d <remote name> <remote url>";
    throw markDvcError(
      new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `config file error: no remote specified in ${join(repo.dvcDir, "..")}. ${hint}`,
      ),
      "config",
    );
  }
  const section = remoteSection(repo, remoteName);
  const url = resolveRemoteUrl(repo, remoteName, new Set());
  const s3 = uriScheme(url) === "s3";
  const store = resolveArtifactStore(
    url,
    s3
      ? {
          env: s3Environment(section, options.env ?? process.env),
          settings: s3RemoteSettings(remoteName, section, repo.dvcDir),
        }
      : {},
  );
  return { name: remoteName, url, store, jobs: remoteJobs(repo, remoteName, section) };
}

/**
 * `remote://name/sub` as dvc reads an import source given so: the location it names (an absolute local path
 * or a URL) and the remote's config section, whose filesystem options (endpointurl, credentials...) apply.
 */
export function resolveRemotePath(
  repo: RemoteRepo,
  url: string,
): { name: string; location: string; section: Record<string, string> } {
  const match = /^remote:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (match?.[1] === undefined) throw invalidParameter(`'${url}': not a remote://name/path URL`);
  const name = match[1];
  const base = resolveRemoteUrl(repo, name, new Set());
  const sub = match[2] ?? "";
  const location =
    sub === ""
      ? base
      : uriScheme(base) === undefined
        ? join(base, sub)
        : `${base.replace(/\/+$/, "")}/${sub}`;
  return { name, location, section: remoteSection(repo, name) };
}

/** The errors that are dvc's RemoteNotFoundError, so a command can tell them apart without their wording. */
const remoteNotFoundErrors = new WeakSet<object>();

/**
 * Whether `error`, or an error it was raised from (its `cause`), is dvc's RemoteNotFoundError: a remote
 * named, or set as `core.remote`, that no config level defines.
 */
export function isRemoteNotFound(error: unknown): boolean {
  for (let current = error; typeof current === "object" && current !== null;) {
    if (remoteNotFoundErrors.has(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function remoteSection(repo: RemoteRepo, name: string): Record<string, string> {
  const configured = configuredRemoteName(repo.config, name);
  const section = configured === undefined ? undefined : repo.config.remotes[configured];
  if (section === undefined) {
    // dvc's `get_fs_config` words it without the full stop its `dvc remote` commands end the message with.
    const error = new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      `config file error: remote '${name}' doesn't exist`,
    );
    remoteNotFoundErrors.add(error);
    throw markDvcError(error, "config");
  }
  return section;
}

/**
 * The remote's url made usable: config paths are relative to the directory of the config file (`.dvc/`),
 * as DVC's `RelPath` config values are; `remote://base/sub` joins onto remote `base`.
 */
function resolveRemoteUrl(repo: RemoteRepo, name: string, seen: Set<string>): string {
  if (seen.has(name)) {
    throw invalidParameter(`config file error: remote '${name}' refers to itself through remote:// urls.`);
  }
  seen.add(name);
  const raw = remoteSection(repo, name).url;
  if (raw === undefined || raw === "") {
    throw invalidParameter(
      `config file error: remote '${name}' has no url in ${join(repo.dvcDir, "config")}.`,
    );
  }
  const scheme = uriScheme(raw);
  if (scheme === "remote") {
    const match = /^remote:\/\/([^/]+)\/?(.*)$/.exec(raw);
    if (match?.[1] === undefined)
      throw invalidParameter(`config file error: invalid url '${raw}' of remote '${name}'.`);
    const base = resolveRemoteUrl(repo, match[1], seen);
    const sub = match[2] ?? "";
    if (sub === "") return base;
    return uriScheme(base) === undefined ? join(base, sub) : `${base.replace(/\/+$/, "")}/${sub}`;
  }
  if (scheme !== undefined) return raw;
  return isAbsolute(raw) ? raw : resolve(repo.dvcDir, raw);
}

function remoteJobs(repo: RemoteRepo, name: string, section: Record<string, string>): number {
  const raw = section.jobs;
  if (raw === undefined) return defaultTransferJobs();
  const jobs = Number(raw);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw invalidParameter(
      `${join(repo.dvcDir, "config")}: remote "${name}" jobs must be a positive integer, got '${raw}'.`,
    );
  }
  return jobs;
}

/**
 * S3 settings of a DVC remote as the environment the S3 store reads. MLflow's MLFLOW_S3_ENDPOINT_URL and
 * MLFLOW_S3_EXPECTED_BUCKET_OWNER are dropped because DVC (boto3) never reads them: a tracking server's artifact
 * endpoint must not redirect data pushes, nor its bucket owner refuse them for a remote in another account. Config values win over the environment, as DVC's remote config does over boto3's.
 */
export function s3Environment(section: Record<string, string>, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  delete env.MLFLOW_S3_ENDPOINT_URL;
  delete env.MLFLOW_S3_EXPECTED_BUCKET_OWNER;
  if (section.endpointurl !== undefined) env.MLFLOW_S3_ENDPOINT_URL = section.endpointurl;
  if (section.region !== undefined) env.AWS_REGION = section.region;
  if (section.access_key_id !== undefined && section.secret_access_key !== undefined) {
    env.AWS_ACCESS_KEY_ID = section.access_key_id;
    env.AWS_SECRET_ACCESS_KEY = section.secret_access_key;
    if (section.session_token !== undefined) env.AWS_SESSION_TOKEN = section.session_token;
    else delete env.AWS_SESSION_TOKEN;
  }
  return env;
}
