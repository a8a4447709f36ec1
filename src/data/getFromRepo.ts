/**
 * `get <url> <path>`: dvc's `get`, a copy of a file or directory of another repository (DVC output or plain
 * file) into the current directory, tracked by nothing. The repository is a local directory, opened in place
 * as dvc opens one (repoView.ts says what it shows, at a revision or in its workspace). Output files come
 * from its workspace or Git tree, else from its cache (verified), else from its default remote (or `remote`)
 * through a temporary cache, so the source repository is never written to except its hash state. Everything
 * lands in a temporary sibling first and is renamed into place whole: a failed get leaves nothing behind,
 * where dvc leaves the files it had copied.
 */
import { chmod, copyFile, lstat, mkdir, mkdtemp, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, normalize, resolve, sep } from "node:path";
import { childProcess } from "../childProcess.js";
import { FlowOpsError } from "../errors.js";
import { DVC_DIR, openDataRepo, type DataRepo } from "./dataRepo.js";
import { openDataRemote, type DataRemote } from "./dataRemote.js";
import { loadDvcIgnore } from "./dvcIgnore.js";
import type { DirEntry, Oid } from "./hashInfo.js";
import { ObjectCache } from "./objectCache.js";
import { readRepoView, repoOuts, type ViewFile } from "./repoView.js";
import { fetchObjects, forEachLimited, type ObjectOwner } from "./transferObjects.js";

export interface GetOptions {
  /** Where to put it (an existing directory: under the path's name); the path's name in `cwd` by default. */
  out?: string;
  /** A Git revision of the source; its workspace when undefined (a Git-only repository: HEAD). */
  rev?: string;
  force?: boolean;
  jobs?: number;
  /** The remote of the source repository to download missing objects from (its default otherwise). */
  remote?: string;
  /** Called with the number of files written so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface GetResult {
  /** Absolute path written. */
  out: string;
  files: number;
  /** Objects downloaded from the source's remote. */
  downloaded: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** dvc's `resolve_output`: the path's name, in `out` when that is a directory; refused when it exists. */
async function resolveOutput(
  path: string,
  out: string | undefined,
  cwd: string,
  force: boolean,
): Promise<string> {
  const name = basename(normalize(path));
  let target = out === undefined || out === "" ? name : out;
  if (out !== undefined && out !== "") {
    try {
      if ((await stat(resolve(cwd, out))).isDirectory()) target = join(out, name);
    } catch {
      // Not there yet: it is the name to write.
    }
  }
  const abs = resolve(cwd, target);
  if ((await exists(abs)) && !force) {
    const kind = (await stat(abs).catch(() => undefined))?.isDirectory() === true ? "directory" : "file";
    throw new FlowOpsError(
      "RESOURCE_ALREADY_EXISTS",
      `The ${kind} '${target}' already exists locally. \nTo override it, re-run with '--force'.`,
    );
  }
  // dvc's `is_valid_filename`: a `.dvc` file or a dvc.yaml would be taken for one of the workspace's.
  if (target.endsWith(".dvc") || basename(target) === "dvc.yaml") {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      "the given path is a DVC file, you must specify a data file or a directory",
    );
  }
  return abs;
}

async function gitRevisionExists(root: string, rev: string): Promise<boolean> {
  try {
    await gitBytes(root, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

function gitBytes(root: string, args: string[]): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    childProcess().execFile(
      "git",
      args,
      { cwd: root, encoding: "buffer", maxBuffer: 1 << 30 },
      (error, stdout) => (error === null ? resolvePromise(stdout) : reject(error)),
    );
  });
}

/** The source's objects: its cache first, then its remote through a temporary cache. */
class ObjectSupply {
  private remote: DataRemote | undefined;
  private readonly fetched: ObjectCache;
  downloaded = 0;

  constructor(
    private readonly repo: DataRepo | undefined,
    scratch: string,
    private readonly options: GetOptions,
  ) {
    this.fetched = new ObjectCache(join(scratch, "cache"));
  }

  /** The path of a verified copy of each object, fetching the missing ones; an error names what failed. */
  async paths(owners: ReadonlyMap<Oid, ObjectOwner>): Promise<Map<Oid, string>> {
    const found = new Map<Oid, string>();
    const missing = new Map<Oid, ObjectOwner>();
    await forEachLimited([...owners.keys()], this.options.jobs ?? 8, async (oid) => {
      if (this.repo !== undefined && (await this.repo.cache.verify(oid))) {
        found.set(oid, (await this.repo.cache.locate(oid))!);
      } else missing.set(oid, owners.get(oid)!);
    });
    if (missing.size === 0) return found;
    const remote = this.openRemote(missing);
    const result = await fetchObjects({ cache: this.fetched }, remote, missing, {
      ...(this.options.jobs !== undefined ? { jobs: this.options.jobs } : {}),
    });
    this.downloaded += result.transferred;
    if (result.failed.length > 0) {
      const failure = result.failed[0]!;
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `'${failure.path}' (${failure.oid}) is in neither the repository's cache nor its remote: ${failure.reason}`,
      );
    }
    for (const oid of missing.keys()) found.set(oid, this.fetched.objectPath(oid));
    return found;
  }

  async manifest(oid: Oid, outPath: string): Promise<DirEntry[] | undefined> {
    let path;
    try {
      path = (await this.paths(new Map([[oid, { path: outPath, dvcFile: outPath }]]))).get(oid)!;
    } catch {
      return undefined;
    }
    return path.startsWith(this.fetched.cacheDir)
      ? this.fetched.readDirManifest(oid)
      : this.repo!.cache.readDirManifest(oid);
  }

  private openRemote(missing: ReadonlyMap<Oid, ObjectOwner>): DataRemote {
    if (this.repo === undefined)
      throw new FlowOpsError("INTERNAL_ERROR", "a Git-only repository has no outs");
    try {
      this.remote ??= openDataRemote(this.repo, this.options.remote);
    } catch (error) {
      const [oid, owner] = [...missing][0]!;
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `'${owner.path}' (${oid}) is not in the repository's cache, and ` +
          `${error instanceof FlowOpsError ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return this.remote;
  }
}

/** Opens `url` as dvc's `Repo.open` does for a local path: a DVC repository, else a Git-only one. */
async function openSource(url: string, cwd: string): Promise<{ root: string; repo: DataRepo | undefined }> {
  const root = resolve(cwd, url);
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `'${url}' is not a local directory: only repositories on this machine can be read for now`,
    );
  }
  if (await exists(join(root, DVC_DIR))) return { root, repo: await openDataRepo(root) };
  if (await exists(join(root, ".git"))) return { root, repo: undefined };
  throw new FlowOpsError("INVALID_PARAMETER_VALUE", `'${url}' is neither a DVC nor a Git repository`);
}

/** The path inside the repository, POSIX and relative to its root ("." for the root). */
function repoPath(path: string): string {
  const normal = normalize(path).split(sep).join("/").replace(/\/+$/, "");
  if (normal === "" || normal === ".") return ".";
  if (normal.startsWith("../") || normal === ".." || normal.startsWith("/")) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `'${path}' is outside the repository`);
  }
  return normal;
}

export async function getFromRepo(
  url: string,
  path: string,
  cwd: string,
  options: GetOptions = {},
): Promise<GetResult> {
  const outAbs = await resolveOutput(path, options.out, cwd, options.force === true);
  const { root, repo } = await openSource(url, cwd);
  const rev = options.rev ?? (repo === undefined ? "HEAD" : undefined);
  if (rev !== undefined && !(await gitRevisionExists(root, rev))) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `unknown Git revision '${rev}'`);
  }
  const scratch = await mkdtemp(join(tmpdir(), "flowops-get-"));
  const staging = join(dirname(outAbs), `.${basename(outAbs)}.flowops-get-${process.pid}`);
  try {
    const supply = new ObjectSupply(repo, scratch, options);
    const viewed = repo ?? { root, ignore: await loadDvcIgnore(root) };
    const outs = repo === undefined ? [] : await repoOuts(repo, rev);
    const inRepo = repoPath(path);
    const view = await readRepoView(viewed, inRepo, rev, outs, (oid, out) => supply.manifest(oid, out));
    if (view === undefined) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `The path '${path}' does not exist in the target repository '${url}' neither as a DVC output nor as a ` +
          "Git-tracked file.",
      );
    }
    const owners = new Map<Oid, ObjectOwner>();
    for (const file of view.files) {
      if (file.source.kind === "object")
        owners.set(file.source.oid, { path: file.path, dvcFile: file.source.out });
    }
    const objects = await supply.paths(owners);
    const destination = (file: ViewFile): string =>
      view.isFile ? staging : join(staging, inRepo === "." ? file.path : file.path.slice(inRepo.length + 1));
    await rm(staging, { recursive: true, force: true });
    if (!view.isFile) {
      await mkdir(staging, { recursive: true });
      for (const dir of view.dirs) {
        if (dir !== inRepo)
          await mkdir(join(staging, inRepo === "." ? dir : dir.slice(inRepo.length + 1)), {
            recursive: true,
          });
      }
    }
    let done = 0;
    await forEachLimited(view.files, options.jobs ?? 8, async (file) => {
      const to = destination(file);
      await mkdir(dirname(to), { recursive: true });
      const source = file.source;
      if (source.kind === "workspace") await copyFile(source.abs, to);
      else if (source.kind === "git") {
        await writeFile(to, await gitBytes(root, ["cat-file", "blob", `${source.rev}:${source.path}`]));
      } else await copyFile(objects.get(source.oid)!, to);
      // dvc writes a plain file's content, not its mode; an out's recorded isexec it keeps.
      await chmod(to, file.isexec && source.kind === "object" ? 0o755 : 0o644);
      options.onProgress?.(++done, view.files.length);
    });
    if (options.force === true) await rm(outAbs, { recursive: true, force: true });
    await mkdir(dirname(outAbs), { recursive: true });
    await rename(staging, outAbs);
    return { out: outAbs, files: view.files.length, downloaded: supply.downloaded };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
    repo?.state.close();
  }
}
