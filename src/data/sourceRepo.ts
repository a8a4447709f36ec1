/**
 * The repository that `get` reads, opened as dvc's `Repo.open` opens one: a local DVC repository in place,
 * anything else (a Git-only directory, a Git URL) through a clone. Shared by `data get` and its `--show-url`.
 */
import { lstat, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, normalize, resolve, sep } from "node:path";
import { childProcess } from "../childProcess.js";
import { FlowOpsError } from "../errors.js";
import { DVC_DIR, openDataRepo, type DataRepo } from "./dataRepo.js";
import { applySourceConfig, type SourceConfig } from "./sourceConfig.js";

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export async function gitRevisionExists(root: string, rev: string): Promise<boolean> {
  try {
    await gitBytes(root, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

export function gitBytes(root: string, args: string[]): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    childProcess().execFile(
      "git",
      args,
      { cwd: root, encoding: "buffer", maxBuffer: 1 << 30 },
      (error, stdout) => (error === null ? resolvePromise(stdout) : reject(error)),
    );
  });
}

export interface Source {
  root: string;
  /** Undefined for a Git-only repository. */
  repo: DataRepo | undefined;
  /** The revision to read; undefined for a local repository's workspace. */
  rev: string | undefined;
}

/** A source repository opened with the settings given for it (sourceConfig.ts); closed again if they fail. */
async function openWithConfig(
  root: string,
  config: SourceConfig | undefined,
  cwd: string,
  local: boolean,
): Promise<DataRepo> {
  const repo = await openDataRepo(root);
  if (config === undefined) return repo;
  try {
    repo.config = await applySourceConfig(repo.config, config, cwd, local ? repo.cacheDir : undefined);
  } catch (error) {
    repo.state.close();
    throw error;
  }
  return repo;
}

const cloneErrors = new WeakSet<object>();

/**
 * The cause dvc prints after a failed clone, where it can be known without dulwich: a local path (or
 * `file://` URL) that does not exist is dulwich's NotGitRepository, named as given. Network failures are
 * urllib3's or asyncssh's own words, which git's do not match: those keep the bare CloneError line.
 */
async function cloneFailureCause(url: string, cwd: string): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("file://")) return "";
  if (/^[^/]+@[^/]+:/.test(url)) return "";
  const path = url.startsWith("file://") ? url.slice("file://".length) : url;
  if (await exists(resolve(cwd, path))) return "";
  return `: No git repository was found at ${path}`;
}

/** A source that could not be cloned: dvc's `get` and `import` name only the path for it, not the URL. */
export function isCloneError(error: unknown): boolean {
  return typeof error === "object" && error !== null && cloneErrors.has(error);
}

/**
 * Opens `url` as dvc's `Repo.open` does: a local DVC repository in place; anything else (a Git-only
 * directory, a Git URL) through a clone in `scratch`, checked out at `rev` so its `.dvc/config` is that
 * revision's. `config` is applied over the repository's own (dvc's `--config`, `--remote`, `--remote-config`).
 */
export async function openSource(
  url: string,
  rev: string | undefined,
  cwd: string,
  scratch: string,
  config?: SourceConfig,
): Promise<Source> {
  const local = resolve(cwd, url);
  if (
    (await stat(local).catch(() => undefined))?.isDirectory() === true &&
    (await exists(join(local, DVC_DIR)))
  ) {
    return { root: local, repo: await openWithConfig(local, config, cwd, true), rev };
  }
  const root = join(scratch, "clone");
  try {
    await gitBytes(scratch, ["clone", "--quiet", "--", url, root]);
  } catch (error) {
    // dvc's CloneError, which scmrepo raises as an SCMError; dvc's log line adds the cause after a colon.
    const failed = new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `SCM error: Failed to clone repo '${url}' to '${root}'${await cloneFailureCause(url, cwd)}`,
      {
        cause: error,
      },
    );
    cloneErrors.add(failed);
    throw failed;
  }
  if (rev !== undefined) {
    if (!(await gitRevisionExists(root, rev))) {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown Git revision '${rev}'`);
    }
    await gitBytes(root, ["checkout", "--quiet", "--detach", rev]);
  }
  const repo = (await exists(join(root, DVC_DIR)))
    ? await openWithConfig(root, config, cwd, false)
    : undefined;
  return { root, repo, rev: "HEAD" };
}

/** The path inside the repository, POSIX and relative to its root ("." for the root). */
export function repoPath(path: string): string {
  const normal = normalize(path).split(sep).join("/").replace(/\/+$/, "");
  if (normal === "" || normal === ".") return ".";
  if (normal.startsWith("../") || normal === ".." || normal.startsWith("/")) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `'${path}' is outside the repository`);
  }
  return normal;
}

/** The commit `rev` names in the repository at `url` now. */
export async function sourceCommit(url: string, rev: string, cwd: string): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), "flowops-update-"));
  try {
    const source = await openSource(url, rev, cwd, scratch);
    source.repo?.state.close();
    const at = source.rev ?? rev;
    if (!(await gitRevisionExists(source.root, at))) {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown Git revision '${rev}'`);
    }
    return (await gitBytes(source.root, ["rev-parse", `${at}^{commit}`])).toString("utf8").trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `openSource`, with an unknown revision refused in dvc's words. */
export async function openSourceAt(
  url: string,
  rev: string | undefined,
  cwd: string,
  scratch: string,
  config?: SourceConfig,
): Promise<Source> {
  const source = await openSource(url, rev, cwd, scratch, config);
  if (source.rev !== undefined && !(await gitRevisionExists(source.root, source.rev))) {
    source.repo?.state.close();
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown Git revision '${source.rev}'`);
  }
  return source;
}
