/**
 * Versioned imports that record no hash yet (`import-url --version-aware --no-download`): their dep records the
 * version of every object, so dvc's fetch and pull read them from the source at those versions, although the
 * out names no object and the `.dvc` file is left as it is. usedObjects.ts skips outs without a hash; this
 * module finds these, and says which targets they answer so that the rest go on to the usual selection. It
 * reads only.
 */
import { resolve } from "node:path";
import type { DataRepo } from "./dataRepo.js";
import { findDvcFiles, readDvcFile, type DvcOut } from "./dvcFile.js";
import { relPosix } from "./usedObjects.js";
import { isVersionedImport } from "./versionedS3Source.js";

/** One such out: where it is declared and the dep whose recorded versions make its data. */
export interface UnhashedVersionedImport {
  /** The `.dvc` file, POSIX from the root. */
  dvcFile: string;
  /** The out, POSIX from the root. */
  outPath: string;
  dep: DvcOut;
}

export type UnhashedImportsRepo = Pick<DataRepo, "root" | "ignore">;

/** The unhashed versioned import declared in one `.dvc` file (absolute path), if it is one. */
export async function unhashedVersionedImportOf(
  root: string,
  file: string,
): Promise<UnhashedVersionedImport | undefined> {
  const doc = await readDvcFile(file, root);
  const out = doc.outs[0];
  if (!isVersionedImport(doc) || out === undefined || out.md5 !== undefined || out.cache === false) {
    return undefined;
  }
  const dvcFile = relPosix(root, file);
  const base = relPosix(root, resolve(root, dvcFile, "..", doc.wdir ?? "."));
  return {
    dvcFile,
    outPath: base === "" ? out.path : `${base}/${out.path}`,
    dep: doc.deps?.[0] as DvcOut,
  };
}

/** Every unhashed versioned import in the workspace. */
export async function allUnhashedVersionedImports(
  repo: UnhashedImportsRepo,
): Promise<UnhashedVersionedImport[]> {
  const found: UnhashedVersionedImport[] = [];
  for (const file of await findDvcFiles(repo)) {
    const unhashed = await unhashedVersionedImportOf(repo.root, file);
    if (unhashed !== undefined) found.push(unhashed);
  }
  return found;
}

/**
 * The imports that `targets` (relative to the cwd) name by their `.dvc` file or out path, and the targets
 * left for the usual selection.
 */
export function splitTargets(
  root: string,
  imports: readonly UnhashedVersionedImport[],
  targets: readonly string[],
): { selected: UnhashedVersionedImport[]; rest: string[] } {
  const selected = new Set<UnhashedVersionedImport>();
  const rest: string[] = [];
  for (const target of targets) {
    const rel = relPosix(root, resolve(target));
    const named = imports.filter((found) => found.dvcFile === rel || found.outPath === rel);
    if (named.length === 0) rest.push(target);
    for (const found of named) selected.add(found);
  }
  return { selected: [...selected], rest };
}
