/**
 * An import's `.dvc` file (dvc's `import-url` stage): one dep, the source, and one out, the copy in the
 * workspace, both hashed, plus the stage md5 and `frozen: true`. Shared by `import-url`, which writes one,
 * and `update`, which brings one up to date. Only local sources are read: a path, absolute or relative to the
 * `.dvc` file's directory, as dvc records it.
 */
import { basename, relative, sep } from "node:path";
import { refuseGitIgnoredDvcFile } from "../pipelines/gitIgnoredPipelineFiles.js";
import { readPipelinesIfAny } from "../pipelines/pipelineFiles.js";
import { hashInfoOf, updatedOut } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { loadTrackedOuts, orderedOut, type DvcOut } from "./dvcFile.js";
import type { HashedPath } from "./hashTree.js";
import { checkNoOverlap, declaredOuts } from "./outputOverlap.js";
import { transferSource } from "./sourceTransfer.js";

/** What `import-url` and `update` do with the data: dvc's default, `--no-download`, or `--to-remote`. */
export type ImportMode =
  { kind: "download" } | { kind: "no-download" } | { kind: "to-remote"; remote?: string; jobs?: number };

/** A dep or out entry in dvc's key order: the hashes first (when known), then `hash: md5` and the path. */
export function hashedEntry(
  previous: DvcOut | undefined,
  path: string,
  hashed: HashedPath | undefined,
): DvcOut {
  if (hashed !== undefined) return orderedOut(updatedOut(previous, path, hashInfoOf(hashed))) as DvcOut;
  const cleared: DvcOut = { ...previous, path, hash: "md5" };
  delete cleared.md5;
  delete cleared.size;
  delete cleared.nfiles;
  delete cleared.isexec;
  return orderedOut(cleared) as DvcOut;
}

/**
 * Brings the hashed source where `mode` says: into the cache and the workspace at `dest`, nowhere
 * (`no-download`), or to a remote. Answers the out's new entry: hashed, or without hashes for `no-download`.
 */
export async function fetchImportSource(
  repo: DataRepo,
  source: { abs: string; hashed: HashedPath },
  dest: string,
  previousOut: DvcOut | undefined,
  outPath: string,
  mode: ImportMode,
): Promise<DvcOut> {
  if (mode.kind === "no-download") return hashedEntry(previousOut, outPath, undefined);
  const { kind: _kind, ...toRemote } = mode;
  await transferSource(repo, source, dest, mode.kind === "to-remote" ? toRemote : undefined);
  return hashedEntry(previousOut, outPath, source.hashed);
}

/**
 * dvc's checks of an import's `.dvc` file and out before anything is read, in its order: a `.dvc` file Git
 * would not see (refused before the graph is looked at), then an out that overlaps another output.
 */
export async function checkImportTarget(
  repo: DataRepo,
  dest: string,
  dvcFile: string,
  cwd: string,
): Promise<void> {
  const shown = (path: string): string => relative(cwd, path).split(sep).join("/");
  refuseGitIgnoredDvcFile(repo, dvcFile, shown(dvcFile));
  const tracked = (await loadTrackedOuts(repo)).filter((t) => t.dvcFile !== dvcFile);
  const pipeline = await readPipelinesIfAny(repo);
  checkNoOverlap(declaredOuts(tracked, pipeline?.stages ?? [], cwd), {
    abs: dest,
    path: basename(dest),
    owner: shown(dvcFile),
  });
}
