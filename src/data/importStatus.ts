/**
 * The stage half of `dvc status` for a `.dvc` file with deps (an import): its source, unless the file is
 * frozen (dvc's `_status_deps`), and its stage md5 (`_status_stage`, "changed checksum"). Only local sources
 * are hashed; a URL dep is not checked, as we cannot read it. An import from another repository (`dvc
 * import`) is asked for a newer commit at its revision, frozen or not unless `checkUpdates` is off, as dvc's
 * status does ("update available").
 */
import { existsSync } from "node:fs";
import type { DataRepo } from "./dataRepo.js";
import type { DepStatus } from "./dataStatus.js";
import { dvcFileWdir, type DvcFileDoc, type DvcOut } from "./dvcFile.js";
import { hashSource, importSourcePath, isUrlPath, shownPath } from "./importSource.js";
import { hasStageMd5, singleStageMd5 } from "./stageMd5.js";

export async function importStatus(
  repo: DataRepo,
  dvcFile: string,
  doc: DvcFileDoc,
  cwd: string,
  checkUpdates = true,
): Promise<{ changedDeps?: Record<string, DepStatus>; changedChecksum: boolean }> {
  const changedChecksum = hasStageMd5(doc.raw) && doc.md5 !== singleStageMd5(doc.raw);
  const repoDep = doc.deps?.length === 1 ? (doc.deps[0] as DvcOut) : undefined;
  if (repoDep?.repo !== undefined) {
    if (doc.raw.frozen === true && !checkUpdates) return { changedChecksum };
    const { repoUpdateAvailable } = await import("./updateRepoImport.js");
    const update = await repoUpdateAvailable(repoDep, cwd);
    return {
      ...(update !== undefined ? { changedDeps: { [update]: "update available" } } : {}),
      changedChecksum,
    };
  }
  if (doc.raw.frozen === true || doc.deps === undefined) return { changedChecksum };
  const wdir = dvcFileWdir(dvcFile, doc);
  const changedDeps: Record<string, DepStatus> = {};
  for (const item of doc.deps) {
    const dep = item as DvcOut;
    // A source in another repository (`dvc import`) or behind a URL is not read here.
    if (
      typeof dep !== "object" ||
      dep === null ||
      typeof dep.path !== "string" ||
      dep.repo !== undefined ||
      isUrlPath(dep.path)
    )
      continue;
    const abs = importSourcePath(dep.path, wdir);
    const shown = shownPath(dep.path, abs, repo.root, cwd);
    if (!existsSync(abs)) changedDeps[shown] = "deleted";
    else if (dep.md5 === undefined) changedDeps[shown] = "new";
    else if ((await hashSource(repo, abs)).md5 !== dep.md5) changedDeps[shown] = "modified";
  }
  return { ...(Object.keys(changedDeps).length > 0 ? { changedDeps } : {}), changedChecksum };
}
