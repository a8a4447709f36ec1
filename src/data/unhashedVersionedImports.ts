/**
 * Versioned imports that record no hash yet (`import-url --version-aware --no-download`): their dep records the
 * version of every object, so dvc's fetch and pull read them from the source at those versions, although the
 * out names no object and the `.dvc` file is left as it is. usedObjects.ts skips outs without a hash; this
 * module recognises these in parsed `.dvc` files (dvcFileTargets.ts reads each file once for both), and says
 * which targets they answer so that the rest go on to the usual selection. It reads only.
 */
import { posix, resolve } from "node:path";
import type { DvcFileDoc, DvcOut } from "./dvcFile.js";
import { relPosix } from "./repoPosixPath.js";
import { isVersionedImport } from "./versionedS3Source.js";

/** One such out: where it is declared and the dep whose recorded versions make its data. */
export interface UnhashedVersionedImport {
  /** The `.dvc` file, POSIX from the root. */
  dvcFile: string;
  /** The out, POSIX from the root. */
  outPath: string;
  dep: DvcOut;
}

/** The unhashed versioned import a parsed `.dvc` file declares (`dvcFile` POSIX from the root), if any. */
export function unhashedVersionedImportIn(
  doc: DvcFileDoc,
  dvcFile: string,
): UnhashedVersionedImport | undefined {
  const out = doc.outs[0];
  if (!isVersionedImport(doc) || out === undefined || out.md5 !== undefined || out.cache === false) {
    return undefined;
  }
  const base = posix.join(posix.dirname(dvcFile), doc.wdir ?? ".");
  return { dvcFile, outPath: posix.join(base, out.path), dep: doc.deps?.[0] as DvcOut };
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
