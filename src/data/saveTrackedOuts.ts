/**
 * Records the outs of one `.dvc` file as they are in the workspace now, in that same file, and commits them to
 * the cache: dvc's `stage.save()` then `stage.commit()` and `dump()` for a data-source stage, which is what
 * `dvc repro` does to a `.dvc` file whose data changed ("Verifying data sources in stage"). Unlike `add`, the
 * file keeps its name, whatever it is, and every other key of each out. Outs with `cache: false` are
 * recorded but not committed, as dvc's.
 */
import { relative, sep } from "node:path";
import { hasStageMd5, singleStageMd5 } from "./stageMd5.js";
import { FlowOpsError } from "../errors.js";
import { commitToCache, hashInfoOf, updatedOut } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { serializeDvcFile, type TrackedOut } from "./dvcFile.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { pathExists } from "./fileStat.js";
import { ensureGitignored } from "./gitignoreEntries.js";
import { HashPool } from "./hashPool.js";
import { hashPath } from "./hashTree.js";

export interface SaveTrackedOutsOptions {
  /** Record the new hashes but put nothing into the cache (`repro --no-commit`). */
  noCommit?: boolean;
  /** Copy into the cache and leave the workspace files as they are (`commit --no-relink`). */
  noRelink?: boolean;
  /** Paths in errors are relative to this (dvc prints them from the cwd); the repo root by default. */
  cwd?: string;
}

/**
 * `outs` all belong to one `.dvc` file (as `loadTrackedOuts` lists them). Missing workspace data is dvc's
 * MissingDataSource error, raised before anything is hashed or written. Answers whether the file's bytes
 * changed, and the `.gitignore` files that got a line.
 */
export async function saveTrackedOuts(
  repo: DataRepo,
  outs: readonly TrackedOut[],
  options: SaveTrackedOutsOptions = {},
): Promise<{ changed: boolean; gitignores: string[] }> {
  const [first] = outs;
  if (first === undefined) return { changed: false, gitignores: [] };
  const { dvcFile, doc } = first;
  if (outs.some((out) => out.dvcFile !== dvcFile)) {
    throw new FlowOpsError("INTERNAL_ERROR", "saveTrackedOuts: outs of more than one .dvc file");
  }
  const missing: string[] = [];
  for (const out of outs)
    if (!(await pathExists(out.abs))) missing.push(posixRel(options.cwd ?? repo.root, out.abs));
  if (missing.length > 0) throw missingDataSource(missing);
  const next = [...doc.outs];
  const gitignores: string[] = [];
  for (const tracked of outs) {
    const hashed = await hashPath(tracked.abs, {
      root: repo.root,
      state: repo.state,
      ignore: repo.ignore,
      pool: HashPool.shared(),
    });
    const useCache = tracked.out.cache !== false;
    if (useCache && options.noCommit !== true)
      await commitToCache(repo, tracked.abs, hashed, options.noRelink !== true);
    next[tracked.index] = updatedOut(tracked.out, tracked.out.path, hashInfoOf(hashed));
    const gitignore = useCache ? await ensureGitignored(repo, tracked.abs) : undefined;
    if (gitignore !== undefined) gitignores.push(gitignore);
  }
  // An import's stage md5 covers its outs: dvc's `save` recomputes it.
  const raw = hasStageMd5(doc.raw)
    ? { ...doc.raw, md5: singleStageMd5({ ...doc.raw, outs: next }) }
    : doc.raw;
  const text = serializeDvcFile({
    outs: next,
    raw,
    ...(doc.text !== undefined ? { text: doc.text } : {}),
  });
  const changed = text !== (doc.text ?? serializeDvcFile(doc));
  if (changed) await writeFileAtomic(dvcFile, text);
  repo.state.flush();
  return { changed, gitignores };
}

/** dvc's MissingDataSource, word for word. */
export function missingDataSource(paths: readonly string[]): FlowOpsError {
  const source = paths.length > 1 ? "sources" : "source";
  return new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `missing data '${source}': ${paths.join(", ")}`);
}

function posixRel(from: string, to: string): string {
  return relative(from, to).split(sep).join("/");
}
