/**
 * `add <source> -o <dest>`: dvc's transfer of data from anywhere on this machine into the workspace
 * (dvc/repo/add.py `_add_transfer`, `Stage.transfer`). The source is hashed where it lies and copied into the
 * cache, never moved or changed; then `dest` is checked out from the cache as any tracked out would be, and
 * `dest.dvc` and its `.gitignore` line are written. The destination is resolved as dvc's `resolve_output`
 * does: an existing directory receives the source under its own name; anything already at the destination
 * is refused unless `force`. With `toRemote` (dvc's `--to-remote`) the objects go from the source straight to
 * the remote, verified on the way: nothing enters the cache or the workspace, only `dest.dvc` is written.
 */
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { FlowOpsError, invalidParameter, notFound } from "../errors.js";
import { hashInfoOf, updatedOut, type AddResult } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { DVC_FILE_SUFFIX, isSameOrInside, loadTrackedOuts, writeDvcFile } from "./dvcFile.js";
import { ensureGitignored } from "./gitignoreEntries.js";
import { HashPool } from "./hashPool.js";
import { isDirOid, type Oid } from "./hashInfo.js";
import { hashPath, type HashedPath } from "./hashTree.js";
import { md5File } from "./md5File.js";
import { openDataRemote } from "./dataRemote.js";
import { pushObjects, type ObjectOwner, type TransferCache } from "./transferObjects.js";
import { materializeOut } from "./materialize.js";

export interface AddFromSourceOptions {
  /** Relative paths are relative to this; the process's cwd by default. */
  cwd?: string;
  /** Replace what is at the destination (dvc's `-f/--force`). */
  force?: boolean;
  /** Upload straight to this remote (`--to-remote`, `-r`), with `jobs` uploads at once (`--remote-jobs`). */
  toRemote?: { remote?: string; jobs?: number };
  onProgress?: (bytes: number, files: number) => void;
}

/** dvc's `resolve_output`: where `source` lands for `-o out` (out omitted: the cwd, under its own name). */
export function resolveOutput(source: string, out: string | undefined, cwd: string, force: boolean): string {
  const name = basename(resolve(cwd, source));
  const outAbs = out === undefined ? undefined : resolve(cwd, out);
  const dest =
    outAbs === undefined
      ? resolve(cwd, name)
      : statSync(outAbs, { throwIfNoEntry: false })?.isDirectory() === true
        ? join(outAbs, name)
        : outAbs;
  if (existsSync(dest) && !force) {
    const kind = statSync(dest).isDirectory() ? "directory" : "file";
    const shown = relative(cwd, dest).split(sep).join("/");
    throw new FlowOpsError(
      "RESOURCE_ALREADY_EXISTS",
      `The ${kind} '${shown}' already exists locally. \nTo override it, re-run with '--force'.`,
    );
  }
  return dest;
}

export async function addFromSource(
  repo: DataRepo,
  source: string,
  out: string | undefined,
  options: AddFromSourceOptions = {},
): Promise<AddResult> {
  const cwd = options.cwd ?? process.cwd();
  const sourceAbs = resolve(cwd, source);
  if (!existsSync(sourceAbs)) throw notFound(`'${source}' does not exist`);
  // dvc checks the destination only when data will land there.
  const dest =
    options.toRemote !== undefined && out === undefined
      ? resolve(cwd, basename(sourceAbs))
      : resolveOutput(source, out, cwd, options.force === true);
  if (!isSameOrInside(dest, repo.root) || dest === repo.root) {
    throw invalidParameter(`'${dest}': the destination must be inside the repository ${repo.root}`);
  }
  if (isSameOrInside(dest, sourceAbs) || isSameOrInside(sourceAbs, dest)) {
    throw invalidParameter(`'${source}' and its destination '${dest}' overlap; add it in place instead`);
  }
  const tracked = await loadTrackedOuts(repo);
  const overlap = tracked.find((t) => isSameOrInside(dest, t.abs) || isSameOrInside(t.abs, dest));
  const dvcFile = `${dest}${DVC_FILE_SUFFIX}`;
  if (overlap !== undefined && overlap.dvcFile !== dvcFile) {
    throw new FlowOpsError(
      "RESOURCE_CONFLICT",
      `Cannot add to '${relative(cwd, dest)}': it overlaps the output '${relative(cwd, overlap.abs)}' of ${relative(cwd, overlap.dvcFile)}`,
    );
  }
  const hashed = await hashPath(sourceAbs, {
    root: repo.root,
    state: repo.state,
    pool: HashPool.shared(),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  });
  // Copied, never moved: the source stays as it is, wherever it lives.
  const files =
    hashed.kind === "file"
      ? [{ abs: sourceAbs, md5: hashed.md5 }]
      : hashed.entries.map((e) => ({ abs: join(sourceAbs, ...e.relpath.split("/")), md5: e.md5 }));
  if (options.toRemote !== undefined) {
    await uploadFromSource(
      repo,
      hashed,
      files,
      relative(repo.root, dest).split(sep).join("/"),
      options.toRemote,
    );
  } else {
    for (const file of files) await repo.cache.addFile(file.abs, file.md5, { move: false });
    if (hashed.kind === "dir") await repo.cache.addBytes(hashed.md5, hashed.manifest);
    await materializeOut(repo.cache, hashed, dest, {
      linkTypes: repo.linkTypes,
      state: repo.state,
      ignore: repo.ignore,
      root: repo.root,
    });
  }
  const hash = hashInfoOf(hashed);
  const existing = tracked.find((t) => t.dvcFile === dvcFile);
  await writeDvcFile(dvcFile, {
    outs: [updatedOut(existing?.out, basename(dest), hash)],
    ...(existing !== undefined ? { raw: existing.doc.raw } : {}),
    ...(existing?.doc.text !== undefined ? { text: existing.doc.text } : {}),
  });
  const gitignore = options.toRemote === undefined ? await ensureGitignored(repo, dest) : undefined;
  repo.state.flush();
  return { path: dest, dvcFile, hash, changed: true, ...(gitignore !== undefined ? { gitignore } : {}) };
}

/**
 * Pushes the source's objects as if they were cached: the transfer reads each file where it lies (and a
 * directory's manifest from a temp file), re-hashing it first, so a file changed since it was hashed is
 * reported, never uploaded under the old hash.
 */
export async function uploadFromSource(
  repo: DataRepo,
  hashed: HashedPath,
  files: readonly { abs: string; md5: Oid }[],
  destRel: string,
  target: { remote?: string; jobs?: number },
): Promise<void> {
  const remote = openDataRemote(repo, target.remote);
  const at = new Map(files.map((file) => [file.md5, file.abs]));
  const scratch = await mkdtemp(join(repo.tmpDir, "to-remote-"));
  try {
    if (hashed.kind === "dir") {
      const manifestPath = join(scratch, "manifest");
      await writeFile(manifestPath, hashed.manifest);
      at.set(hashed.md5, manifestPath);
    }
    const locate = async (oid: Oid): Promise<string | undefined> => at.get(oid);
    const cache: TransferCache = {
      locate,
      has: async (oid) => at.has(oid),
      verify: async (oid) => {
        const path = at.get(oid);
        // A manifest's oid is its md5 with `.dir` after it.
        return path !== undefined && `${(await md5File(path)).md5}${isDirOid(oid) ? ".dir" : ""}` === oid;
      },
      readDirManifest: async () => (hashed.kind === "dir" ? hashed.entries : []),
      openTempFile: () => {
        throw new FlowOpsError("INTERNAL_ERROR", "an upload from the source never downloads");
      },
    };
    const owners = new Map<Oid, ObjectOwner>(
      [...at.keys()].map((oid) => [oid, { path: destRel, dvcFile: `${destRel}${DVC_FILE_SUFFIX}` }]),
    );
    const result = await pushObjects(
      { cache },
      remote,
      owners,
      target.jobs !== undefined ? { jobs: target.jobs } : {},
    );
    if (result.failed.length > 0) {
      const [first] = result.failed;
      throw new FlowOpsError(
        "INTERNAL_ERROR",
        `failed to upload ${result.failed.length} of ${owners.size} objects to remote '${remote.name}'` +
          (first === undefined ? "" : ` (first: ${first.oid}: ${first.reason})`),
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
