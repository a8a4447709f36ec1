/**
 * The stage half of `dvc status` for a `.dvc` file with deps (an import): its source, unless the file is
 * frozen (dvc's `_status_deps`), and its stage md5 (`_status_stage`, "changed checksum"). Only local sources
 * are hashed; http(s) and s3 ones, and `remote://` paths into such remotes, are asked for the field dvc
 * compares (urlSource.ts, importLocation.ts); other URL deps (gs://, azure://) are not checked yet. An import
 * from another repository (`dvc
 * import`) is asked for a newer commit at its revision, frozen or not unless `checkUpdates` is off, as dvc's
 * status does ("update available"). An s3 import read version-aware is asked too, frozen or not, as dvc's
 * `is_versioned_import` is (versionedS3Source.ts).
 */
import { existsSync } from "node:fs";
import type { DataRepo } from "./dataRepo.js";
import type { DepStatus } from "./dataStatus.js";
import { dvcFileWdir, type DvcFileDoc, type DvcOut } from "./dvcFile.js";
import { FlowOpsError } from "../errors.js";
import { isRemotePath, locateDep, type ImportLocation } from "./importLocation.js";
import { hashSource, isUrlPath, shownPath } from "./importSource.js";
import { isReadableUrl } from "./urlSource.js";
import { hasStageMd5, singleStageMd5 } from "./stageMd5.js";
import { isVersionedDep, recordedFsConfig, versionedDepStatus } from "./versionedS3Source.js";

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
  if (repoDep !== undefined && isVersionedDep(repoDep)) {
    if (doc.raw.frozen === true && !checkUpdates) return { changedChecksum };
    const state = await versionedStatus(repo, dvcFile, doc, repoDep, cwd);
    return { ...(state !== undefined ? { changedDeps: { [repoDep.path]: state } } : {}), changedChecksum };
  }
  if (doc.raw.frozen === true || doc.deps === undefined) return { changedChecksum };
  const wdir = dvcFileWdir(dvcFile, doc);
  const changedDeps: Record<string, DepStatus> = {};
  for (const item of doc.deps) {
    const dep = item as DvcOut;
    if (typeof dep !== "object" || dep === null || typeof dep.path !== "string" || dep.repo !== undefined)
      continue;
    // A source behind another kind of URL (gs://, azure://...) is not read here.
    if (isUrlPath(dep.path) && !isReadableUrl(dep.path) && !isRemotePath(dep.path)) continue;
    const location = locateDep(repo, dep, wdir, cwd);
    if (location.kind === "unreadable") continue;
    if (location.kind === "url") {
      const state = await urlDepStatus(dep, location);
      if (state !== undefined) changedDeps[dep.path] = state;
      continue;
    }
    const abs = location.abs;
    const shown = shownPath(dep.path, abs, repo.root, cwd);
    // A source that records no md5 differs from any it has: dvc says "modified" (dataStatus.ts, outStatus).
    if (!existsSync(abs)) changedDeps[shown] = "deleted";
    else if (dep.md5 === undefined || (await hashSource(repo, abs)).md5 !== dep.md5)
      changedDeps[shown] = "modified";
  }
  return { ...(Object.keys(changedDeps).length > 0 ? { changedDeps } : {}), changedChecksum };
}

async function versionedStatus(
  repo: DataRepo,
  dvcFile: string,
  doc: DvcFileDoc,
  dep: DvcOut,
  cwd: string,
): Promise<DepStatus | undefined> {
  const location = locateDep(repo, dep, dvcFileWdir(dvcFile, doc), cwd);
  if (location.kind !== "url") return undefined;
  const fsConfig = recordedFsConfig(dep);
  return versionedDepStatus(dep, location.url, {
    ...location.options,
    ...(fsConfig !== undefined ? { recordedFsConfig: fsConfig } : {}),
  });
}

/** A dep behind a URL as dvc's status sees it: gone, or changed when the field dvc compares moved. */
async function urlDepStatus(
  dep: DvcOut,
  location: Extract<ImportLocation, { kind: "url" }>,
): Promise<DepStatus | undefined> {
  const { describeUrlSource, sameSource } = await import("./urlSource.js");
  let source: Awaited<ReturnType<typeof describeUrlSource>>;
  try {
    source = await describeUrlSource(location.url, location.options);
  } catch (error) {
    if (error instanceof FlowOpsError && error.code === "RESOURCE_DOES_NOT_EXIST") return "deleted";
    throw error;
  }
  // With the field unrecorded dvc still compares, and nothing recorded differs from the source's value.
  const recorded = (dep as Record<string, unknown>)[source.identity.field] !== undefined;
  return recorded && sameSource(dep, source) ? undefined : "modified";
}
