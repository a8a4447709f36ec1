/**
 * A dvc.lock entry with DVC 2 records whose stage cannot be recorded whole because a dep or out is missing
 * from the workspace: dvc's `stage.save(allow_missing=True)` then `commit(allow_missing=True)`. What exists is
 * hashed with md5 (and committed, for cached outs); what is missing takes its DVC 3 hash from the migrated
 * cache (cacheMigrateRecord.ts), or stays as it was when the cache cannot tell it. A stage whose paths all exist is recordStage's job (pipelines/stageRecord.ts).
 */
import { join } from "node:path";
import { commitToCache } from "./addTargets.js";
import { translateLegacyOid, type MigratedNames } from "./cacheMigrateRecord.js";
import type { DataRepo } from "./dataRepo.js";
import { stageLockDir, updateLock, type LockEntry, type LockFile } from "../pipelines/dvcLock.js";
import type { Stage } from "../pipelines/dvcYaml.js";
import { hashIfExists, lockFileOf, stageOuts } from "../pipelines/stageStatus.js";

/** Whether every dep and out of `stage` exists in the workspace. */
export async function stagePathsExist(repo: DataRepo, stage: Stage): Promise<boolean> {
  const { existsSync } = await import("node:fs");
  const paths = [...stage.deps, ...stageOuts(stage).map((out) => out.path)];
  return paths.every((path) => existsSync(join(stage.wdir, path)));
}

/** Rewrites `stage`'s entry (`entry` as read) with md5 records; answers the dvc.lock's directory. */
export async function migrateLockEntryAllowingMissing(
  repo: DataRepo,
  stage: Stage,
  entry: LockEntry,
  names: MigratedNames,
): Promise<{ dir: string; left: string[] }> {
  const left: string[] = [];
  const cachedOuts = new Set(
    stageOuts(stage)
      .filter((out) => out.cache)
      .map((out) => out.path),
  );
  const migrate = async (record: LockFile, isOut: boolean): Promise<LockFile> => {
    const abs = join(stage.wdir, record.path);
    const hashed = await hashIfExists(repo, abs);
    if (hashed === undefined) {
      if (record.hash !== undefined || record.md5 === undefined) return record;
      const md5 = await translateLegacyOid(repo, names, record.md5);
      if (md5 !== undefined) return { ...record, md5, hash: "md5" };
      left.push(record.path);
      return record;
    }
    if (isOut && cachedOuts.has(record.path)) await commitToCache(repo, abs, hashed);
    const extra = record.extra !== undefined ? { extra: record.extra } : {};
    return { ...lockFileOf(record.path, hashed), ...extra };
  };
  // One at a time: the hash state is not written concurrently.
  const deps: LockFile[] = [];
  for (const dep of entry.deps) deps.push(await migrate(dep, false));
  const outs: LockFile[] = [];
  for (const out of entry.outs) outs.push(await migrate(out, true));
  const next: LockEntry = { ...entry, deps, outs };
  const dir = stageLockDir(stage);
  await updateLock(dir, (lock) => {
    lock.stages.set(stage.lockName, next);
  });
  return { dir, left };
}
