/**
 * A DVC repository as FlowOps opens it: the root holding `.dvc/`, its merged config, the object cache, the
 * hash state and the .dvcignore rules, opened once per command and closed with `closeDataRepo` (which
 * flushes the state). `initDataRepo` writes exactly what `dvc init` (3.67.1) writes, so either tool can
 * work in a repo the other created. It must not hash, link or transfer anything itself.
 */
import type { PathSummary } from "./hashTree.js";
import { access, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { FlowOpsError, invalidParameter } from "../errors.js";
import { readDvcConfig, type DvcConfig } from "./dvcConfig.js";
import { loadDvcIgnore, type DvcIgnore } from "./dvcIgnore.js";
import { HashState } from "./hashState.js";
import { parseLinkTypes, type LinkType } from "./linkTypes.js";
import { ObjectCache } from "./objectCache.js";
import { stageInGit } from "./gitTracked.js";
import { mountPointOf } from "./mountPoint.js";

export interface DataRepo {
  /** The directory holding `.dvc/` (absolute). */
  root: string;
  dvcDir: string;
  /** `.dvc/tmp`: the hash state and other throwaway files. */
  tmpDir: string;
  /** The cache root (`.dvc/cache` unless `cache.dir` says otherwise); objects live under `files/md5/`. */
  cacheDir: string;
  config: DvcConfig;
  cache: ObjectCache;
  state: HashState;
  ignore: DvcIgnore;
  linkTypes: LinkType[];
  /** Whether the repo is inside Git (and not `core.no_scm`): `.gitignore` entries are written only then. */
  scm: boolean;
  /**
   * While set, the hash summaries of workspace paths taken in this command, reused when the same path is
   * asked again. A repro sets it while nothing has written the workspace, so a `.dvc` file's data and the
   * stage that reads it cost one walk, and drops it before a stage changes anything.
   */
  workspaceSummaries?: Map<string, PathSummary> | undefined;
}

export const DVC_DIR = ".dvc";

/** `dvc init` writes these bytes (dvc 3.67.1). */
export const DVC_GITIGNORE = "/config.local\n/tmp\n/cache\n";
export const DVCIGNORE_TEMPLATE =
  "# Add patterns of files dvc should ignore, which could improve\n" +
  "# the performance. Learn more at\n" +
  "# https://dvc.org/doc/user-guide/dvcignore\n";
export const NO_SCM_CONFIG = "[core]\n    no_scm = True\n";

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest directory at or above `cwd` that holds `.dvc/`. */
export async function findDataRepoRoot(cwd: string): Promise<string | undefined> {
  let dir = resolve(cwd);
  for (;;) {
    if (await isDirectory(join(dir, DVC_DIR))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function insideGit(dir: string): Promise<boolean> {
  let current = resolve(dir);
  for (;;) {
    if (await exists(join(current, ".git"))) return true;
    const parent = dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

/** dvc's `repo.scm` is Git: the repo is inside a Git work tree and `core.no_scm` is not set at any level. */
export async function usesGit(root: string, config?: DvcConfig): Promise<boolean> {
  const read = config ?? (await readDvcConfig(join(root, DVC_DIR)));
  return !truthy(read.core.no_scm) && (await insideGit(root));
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ["true", "1", "yes", "on"].includes(value.toLowerCase());
}

const notRepository = new WeakSet<object>();

/**
 * dvc's NotDvcRepoError: no `.dvc` directory here or above (dvc exits 253 for it, whatever the command), in
 * dvc's words, which name the mount point where dvc's search stopped.
 */
export function notADvcRepository(
  cwd: string,
  message = `you are not inside of a DVC repository (checked up to mount point '${mountPointOf(resolve(cwd))}')`,
): FlowOpsError {
  const error = new FlowOpsError("RESOURCE_DOES_NOT_EXIST", message);
  notRepository.add(error);
  return error;
}

export function isNotADvcRepository(error: unknown): boolean {
  return typeof error === "object" && error !== null && notRepository.has(error);
}

export async function openDataRepo(cwd: string): Promise<DataRepo> {
  const root = await findDataRepoRoot(cwd);
  if (root === undefined) {
    throw notADvcRepository(cwd);
  }
  const dvcDir = join(root, DVC_DIR);
  const tmpDir = join(dvcDir, "tmp");
  const config = await readDvcConfig(dvcDir);
  const configuredCache = config.cache.dir;
  // DVC resolves a relative cache.dir against the directory of the config file that set it (.dvc/).
  const cacheDir =
    configuredCache === undefined || configuredCache === ""
      ? join(dvcDir, "cache")
      : isAbsolute(configuredCache)
        ? configuredCache
        : resolve(dvcDir, configuredCache);
  const ignore = await loadDvcIgnore(root);
  const linkTypes = parseLinkTypes(config.cache.type);
  const scm = await usesGit(root, config);
  const state = HashState.open(tmpDir);
  const cache = new ObjectCache(cacheDir, { state });
  return { root, dvcDir, tmpDir, cacheDir, config, cache, state, ignore, linkTypes, scm };
}

/**
 * `dvc init [--no-scm] [-f]`: Git repos get an empty config and `.dvc/.gitignore`; `--no-scm` repos get
 * `core.no_scm`. Like DVC, a directory that is not a Git root needs `noScm` (or `subdir`, inside a parent Git
 * repository), and an existing `.dvc/` needs
 * `force` (which recreates it: cache and config included). An existing `.dvcignore` is kept. In Git, the
 * three files are staged, as dvc stages them.
 */
export async function initDataRepo(
  dir: string,
  options: { noScm?: boolean; force?: boolean; subdir?: boolean } = {},
): Promise<DataRepo> {
  const root = resolve(dir);
  const dvcDir = join(root, DVC_DIR);
  const noScm = options.noScm === true;
  if (noScm && options.subdir === true) {
    throw invalidParameter("Cannot initialize repo with `--no-scm` and `--subdir`");
  }
  // --subdir: a project in a monorepo; the Git repository may be any parent, as dvc's search_parent_directories.
  const tracked = options.subdir === true ? await insideGit(root) : await exists(join(root, ".git"));
  if (!noScm && !tracked) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `failed to initiate DVC - ${root} is not tracked by any supported SCM tool (e.g. Git). ` +
        "Use `--no-scm` if you don't want to use any SCM or `--subdir` if initializing inside a " +
        "subdirectory of a parent SCM repository.",
    );
  }
  if (await exists(dvcDir)) {
    if (options.force !== true) {
      throw new FlowOpsError(
        "RESOURCE_ALREADY_EXISTS",
        "failed to initiate DVC - '.dvc' exists. Use `-f` to force.",
      );
    }
    await rm(dvcDir, { recursive: true, force: true });
  }
  await mkdir(join(dvcDir, "tmp"), { recursive: true });
  await writeFile(join(dvcDir, "config"), noScm ? NO_SCM_CONFIG : "");
  if (!noScm) await writeFile(join(dvcDir, ".gitignore"), DVC_GITIGNORE);
  const dvcignore = join(root, ".dvcignore");
  if (!(await exists(dvcignore))) await writeFile(dvcignore, DVCIGNORE_TEMPLATE);
  if (!noScm) await stageInGit(root, [".dvc/config", ".dvc/.gitignore", ".dvcignore"]);
  return openDataRepo(root);
}

/** Flushes and closes the hash state; the repo must not be used afterwards. */
export function closeDataRepo(repo: DataRepo): void {
  repo.state.flush();
  repo.state.close();
}

/** Opens the repo, runs `work`, and closes it even when `work` throws. */
export async function withDataRepo<T>(cwd: string, work: (repo: DataRepo) => Promise<T>): Promise<T> {
  const repo = await openDataRepo(cwd);
  try {
    return await work(repo);
  } finally {
    closeDataRepo(repo);
  }
}
