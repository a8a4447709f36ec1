/**
 * The used objects of targets that are all `.dvc` files, read from those files alone: dvc loads a target
 * that names its stage file directly (`_collect_specific_target`), so a damaged dvc.yaml, dvc.lock or other
 * `.dvc` file elsewhere in the repo does not stop `push`, `fetch` or `pull` of it. Any other target (an out
 * path, a stage name) still needs every pipeline file to be resolved, as in dvc. It reads only.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { hashedTargets } from "./declaredTargets.js";
import { isInsideRepository, readDvcFile, type DvcFileDoc } from "./dvcFile.js";
import type { Oid } from "./hashInfo.js";
import {
  dvcFileOuts,
  expandOuts,
  selectOuts,
  trackedOuts,
  type TrackedOut,
  type UsedObject,
  type UsedRepo,
} from "./usedObjects.js";
import { relPosix } from "./repoPosixPath.js";
import {
  splitTargets,
  unhashedVersionedImportIn,
  type UnhashedVersionedImport,
} from "./unhashedVersionedImports.js";

/**
 * The absolute paths of the targets when each is an existing `.dvc` file inside the repo (relative to the
 * cwd, as targets are); undefined when there are none or any target is something else.
 */
export function dvcFileTargets(root: string, targets: readonly string[] | undefined): string[] | undefined {
  if (targets === undefined || targets.length === 0) return undefined;
  const files: string[] = [];
  for (const target of targets) {
    const abs = resolve(target);
    if (!target.endsWith(".dvc") || !isInsideRepository(abs, root) || !isRegularFile(abs)) return undefined;
    files.push(abs);
  }
  return files;
}

/**
 * The cached outs of the given `.dvc` files (absolute paths), in the order given; `eachDvcFile` sees each
 * parsed file, as trackedOuts's does.
 */
export async function dvcFileTargetOuts(
  root: string,
  files: readonly string[],
  eachDvcFile?: (doc: DvcFileDoc, relFile: string) => void,
): Promise<TrackedOut[]> {
  const outs: TrackedOut[] = [];
  for (const file of new Set(files)) {
    const doc = await readDvcFile(file, root);
    const relFile = relPosix(root, file);
    eachDvcFile?.(doc, relFile);
    outs.push(...dvcFileOuts(doc, relFile));
  }
  return outs;
}

/** The workspace's part of a transfer: the used objects, and the versioned imports that record no hash yet. */
export interface WorkspaceUsed {
  used: Map<Oid, UsedObject>;
  unhashedImports: UnhashedVersionedImport[];
}

/**
 * usedObjects for the targets, reading only the named `.dvc` files when every target is one; otherwise (or
 * without targets) the whole workspace. Targets that name an unhashed versioned import are answered by it.
 * Each `.dvc` file is read once, for its outs and its unhashed import alike: a push over thousands of them
 * spends its time there.
 */
export async function workspaceUsed(
  repo: UsedRepo,
  targets: readonly string[] | undefined,
  keep?: (out: TrackedOut) => boolean,
): Promise<WorkspaceUsed> {
  const unhashed: UnhashedVersionedImport[] = [];
  const noteUnhashed = (doc: DvcFileDoc, relFile: string): void => {
    const found = unhashedVersionedImportIn(doc, relFile);
    if (found !== undefined) unhashed.push(found);
  };
  const files = dvcFileTargets(repo.root, targets);
  const outs =
    files === undefined
      ? await trackedOuts(repo, noteUnhashed)
      : await dvcFileTargetOuts(repo.root, files, noteUnhashed);
  const expand = (selected: TrackedOut[]): Promise<Map<Oid, UsedObject>> =>
    expandOuts(repo, keep === undefined ? selected : selected.filter(keep));
  if (targets === undefined || targets.length === 0)
    return { used: await expand(outs), unhashedImports: unhashed };
  const { selected, rest } = splitTargets(repo.root, unhashed, targets);
  // A stage not run yet, or outs with `cache: false`, is dvc's valid target that uses no objects.
  const hashed = files === undefined ? await hashedTargets(repo, outs, rest, process.cwd()) : rest;
  if (hashed.length === 0) return { used: new Map(), unhashedImports: selected };
  return { used: await expand(selectOuts(repo, outs, hashed)), unhashedImports: selected };
}

function isRegularFile(abs: string): boolean {
  try {
    return statSync(abs).isFile();
  } catch {
    return false;
  }
}
