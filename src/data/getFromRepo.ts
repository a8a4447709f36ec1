/**
 * `get <url> <path>`: dvc's `get`, a copy of a file or directory of another repository (DVC output or plain
 * file) into the current directory, tracked by nothing. A local directory is opened in place, as dvc opens one
 * (repoView.ts says what it shows, at a revision or in its workspace); any other URL is cloned with Git into
 * a temporary directory and read at the revision (its default branch without one), as dvc's external repo.
 * Output files come from the workspace or Git tree, else from the cache (verified), else from the default
 * remote (or `remote`) through a temporary cache, so the source repository is never written to except its
 * hash state and a corrupt cache object, which is deleted as dvc deletes one. Everything
 * lands in a temporary sibling first and is renamed into place whole: a failed get leaves nothing behind,
 * where dvc leaves the files it had copied.
 */
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { FlowOpsError } from "../errors.js";
import { resolveOutput } from "./addFromSource.js";
import type { DataRepo } from "./dataRepo.js";
import { loadDvcIgnore } from "./dvcIgnore.js";
import type { Oid } from "./hashInfo.js";
import { readRepoView, repoOuts, type ViewFile } from "./repoView.js";
import type { ObjectCache } from "./objectCache.js";
import { givenSourceConfig, type ConfigTree } from "./sourceConfig.js";
import { ObjectSupply } from "./sourceObjects.js";
import { gitBytes, openSourceAt, repoPath } from "./sourceRepo.js";
import { forEachLimited, type ObjectOwner } from "./transferObjects.js";

export interface GetOptions {
  /** Where to put it (an existing directory: under the path's name); the path's name in `cwd` by default. */
  out?: string;
  /** A Git revision of the source; its workspace when undefined (a Git-only repository: HEAD). */
  rev?: string;
  force?: boolean;
  jobs?: number;
  /** The remote of the source repository to download missing objects from (its default otherwise). */
  remote?: string;
  /** dvc's `--config`: a config file (or an import's recorded dict) merged over the source's (sourceConfig.ts). */
  config?: string | ConfigTree;
  /** dvc's `--remote-config`: options merged into that remote. */
  remoteConfig?: Record<string, string>;
  /** `import`: the importing repository's cache, whose objects need no download (see ObjectSupply). */
  localCache?: ObjectCache;
  /** Called with the number of files written so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface GetResult {
  /** Absolute path written. */
  out: string;
  files: number;
  /** Objects downloaded from the source's remote. */
  downloaded: number;
  /** The commit read (what `rev` resolved to); undefined for a local repository's workspace. */
  commit?: string;
}

/** dvc's `resolve_output`, then its refusal of a destination named like a `.dvc` file or dvc.yaml. */
function resolveGetOutput(path: string, out: string | undefined, cwd: string, force: boolean): string {
  const abs = resolveOutput(path, out, cwd, force);
  if (abs.endsWith(".dvc") || basename(abs) === "dvc.yaml") {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      "the given path is a DVC file, you must specify a data file or a directory",
    );
  }
  return abs;
}

export async function getFromRepo(
  url: string,
  path: string,
  cwd: string,
  options: GetOptions = {},
): Promise<GetResult> {
  const outAbs = resolveGetOutput(path, options.out, cwd, options.force === true);
  const scratch = await mkdtemp(join(tmpdir(), "flowops-get-"));
  const staging = join(dirname(outAbs), `.${basename(outAbs)}.flowops-get-${process.pid}`);
  let repo: DataRepo | undefined;
  try {
    const source = await openSourceAt(url, options.rev, cwd, scratch, givenSourceConfig(options));
    const { root, rev } = source;
    repo = source.repo;
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
    const commit =
      rev === undefined
        ? undefined
        : (await gitBytes(root, ["rev-parse", `${rev}^{commit}`])).toString("utf8").trim();
    return {
      out: outAbs,
      files: view.files.length,
      downloaded: supply.downloaded,
      ...(commit !== undefined ? { commit } : {}),
    };
  } finally {
    repo?.state.close();
    await rm(staging, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}
