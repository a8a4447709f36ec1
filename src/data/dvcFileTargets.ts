/**
 * The used objects of targets that are all `.dvc` files, read from those files alone: dvc loads a target
 * that names its stage file directly (`_collect_specific_target`), so a damaged dvc.yaml, dvc.lock or other
 * `.dvc` file elsewhere in the repo does not stop `push`, `fetch` or `pull` of it. Any other target (an out
 * path, a stage name) still needs every pipeline file to be resolved, as in dvc. It reads only.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { isInsideRepository, readDvcFile } from "./dvcFile.js";
import type { Oid } from "./hashInfo.js";
import {
  dvcFileOuts,
  expandOuts,
  relPosix,
  selectOuts,
  usedObjects,
  type TrackedOut,
  type UsedObject,
  type UsedRepo,
} from "./usedObjects.js";
import {
  allUnhashedVersionedImports,
  splitTargets,
  unhashedVersionedImportOf,
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

/** The cached outs of the given `.dvc` files (absolute paths), in the order given. */
export async function dvcFileTargetOuts(root: string, files: readonly string[]): Promise<TrackedOut[]> {
  const outs: TrackedOut[] = [];
  for (const file of new Set(files))
    outs.push(...dvcFileOuts(await readDvcFile(file, root), relPosix(root, file)));
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
 */
export async function workspaceUsed(
  repo: UsedRepo,
  targets: readonly string[] | undefined,
  keep?: (out: TrackedOut) => boolean,
): Promise<WorkspaceUsed> {
  const files = dvcFileTargets(repo.root, targets);
  if (files === undefined || targets === undefined) {
    const all = await allUnhashedVersionedImports(repo);
    if (targets === undefined || targets.length === 0) {
      return { used: await usedObjects(repo, targets, keep), unhashedImports: all };
    }
    const { selected, rest } = splitTargets(repo.root, all, targets);
    const used = rest.length === 0 ? new Map<Oid, UsedObject>() : await usedObjects(repo, rest, keep);
    return { used, unhashedImports: selected };
  }
  const found: UnhashedVersionedImport[] = [];
  for (const file of files) {
    const unhashed = await unhashedVersionedImportOf(repo.root, file);
    if (unhashed !== undefined) found.push(unhashed);
  }
  const { selected, rest } = splitTargets(repo.root, found, targets);
  if (rest.length === 0) return { used: new Map(), unhashedImports: selected };
  const outs = selectOuts(repo, await dvcFileTargetOuts(repo.root, files), rest);
  return {
    used: await expandOuts(repo, keep === undefined ? outs : outs.filter(keep)),
    unhashedImports: selected,
  };
}

function isRegularFile(abs: string): boolean {
  try {
    return statSync(abs).isFile();
  } catch {
    return false;
  }
}
