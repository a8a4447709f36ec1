/**
 * `data cache migrate --dvc-files`: dvc's `commit_2_to_3` (dvc/repo/commit.py). Every `.dvc` file and dvc.lock
 * entry that still records DVC 2 hashes (an out or in-repo dep with `md5:` and no `hash: md5`) is committed
 * again from the workspace with md5, so it gets `hash: md5`, DVC 3 hashes and, for directories, a new `.dir`
 * manifest in the cache. A path missing from the workspace takes its DVC 3 hash from the migrated cache
 * (cacheMigrateRecord.ts). It must not read or write the DVC 2 cache layout (that is cacheMigrate.ts).
 */
import { join, relative, resolve, sep } from "node:path";
import type { DataRepo } from "./dataRepo.js";
import { translateLegacyOid, type MigratedNames } from "./cacheMigrateRecord.js";
import {
  dvcFileWdir,
  loadTrackedOuts,
  readDvcFile,
  writeDvcFile,
  type DvcOut,
  type TrackedOut,
} from "./dvcFile.js";
import { pathExists } from "./fileStat.js";
import { ensureGitignored } from "./gitignoreEntries.js";
import { migrateLockEntryAllowingMissing, stagePathsExist } from "./cacheMigrateLock.js";
import { saveTrackedOuts } from "./saveTrackedOuts.js";
import { LOCK_FILE, readStageLocks, stageLockDir, type LockEntry } from "../pipelines/dvcLock.js";
import type { Stage } from "../pipelines/dvcYaml.js";
import { readPipelinesIfAny } from "../pipelines/pipelineFiles.js";
import { recordStage } from "../pipelines/stageRecord.js";

/** What records DVC 2 hashes, as dvc lists it: `data.dvc`, or `dvc.yaml (dvc.lock)` once per pipeline file. */
export interface LegacyDvcFiles {
  trackedFiles: Map<string, TrackedOut[]>;
  /** Each stage with its dvc.lock entry as read. */
  stages: { stage: Stage; entry: LockEntry }[];
  /** Display names relative to the repo root, sorted as dvc prints them. */
  names: string[];
}

export interface DvcFilesMigration {
  /** Display names of the files rewritten, `.dvc` files then lock files, relative to the repo root. */
  updated: string[];
  /** Lock files rewritten, relative to the repo root. */
  lockFiles: string[];
  /** Records left in the DVC 2 format: the path is missing and the cache cannot tell its DVC 3 hash. */
  leftLegacy: LeftLegacy[];
}

export interface LeftLegacy {
  /** The `.dvc` file or dvc.lock, relative to the repo root. */
  file: string;
  /** The out or dep as that file writes it. */
  path: string;
}

function isLegacy(record: { md5?: string | undefined; hash?: string | undefined }): boolean {
  return record.md5 !== undefined && record.hash === undefined;
}

/** The `.dvc` files and pipeline stages whose records dvc's `commit_2_to_3` would rewrite. */
export async function findLegacyDvcFiles(repo: DataRepo): Promise<LegacyDvcFiles> {
  const trackedFiles = new Map<string, TrackedOut[]>();
  for (const tracked of await loadTrackedOuts(repo)) {
    if (!isLegacy(tracked.out)) continue;
    trackedFiles.set(tracked.dvcFile, [...(trackedFiles.get(tracked.dvcFile) ?? []), tracked]);
  }
  const pipeline = await readPipelinesIfAny(repo);
  const all = pipeline?.stages ?? [];
  const locks = await readStageLocks(all);
  const stages: LegacyDvcFiles["stages"] = [];
  for (const stage of all) {
    const entry = locks.get(stage.name);
    if (entry !== undefined && [...entry.outs, ...entry.deps].some(isLegacy)) stages.push({ stage, entry });
  }
  const rel = (abs: string): string => relative(repo.root, abs).split(sep).join("/");
  const names = new Set<string>([...trackedFiles.keys()].map(rel));
  for (const { stage } of stages) {
    const pipelineFile = rel(stage.pipelineFile);
    const dir = pipelineFile.includes("/") ? pipelineFile.slice(0, pipelineFile.lastIndexOf("/") + 1) : "";
    names.add(`${pipelineFile} (${dir}${LOCK_FILE})`);
  }
  return { trackedFiles, stages, names: [...names].sort() };
}

/** Rewrites what `legacy` found; answers the files written, for dvc's messages and the `git add` hint. */
export async function migrateDvcFiles(
  repo: DataRepo,
  legacy: LegacyDvcFiles,
  names: MigratedNames,
): Promise<DvcFilesMigration> {
  const updated: string[] = [];
  const lockFiles = new Set<string>();
  const rel = (abs: string): string => relative(repo.root, abs).split(sep).join("/");
  const leftLegacy: LeftLegacy[] = [];
  for (const [dvcFile, outs] of legacy.trackedFiles) {
    const present: TrackedOut[] = [];
    const missing: TrackedOut[] = [];
    for (const tracked of outs) ((await pathExists(tracked.abs)) ? present : missing).push(tracked);
    const first = outs[0]!;
    let doc = first.doc;
    let wrote = false;
    if (missing.length > 0) {
      const next: DvcOut[] = [...doc.outs];
      for (const tracked of missing) {
        const md5 = await translateLegacyOid(repo, names, tracked.out.md5 ?? "");
        if (md5 === undefined) leftLegacy.push({ file: rel(dvcFile), path: tracked.out.path });
        else next[tracked.index] = { ...tracked.out, md5, hash: "md5" };
      }
      if (next.some((out, index) => out !== doc.outs[index])) {
        await writeDvcFile(dvcFile, { ...doc, outs: next });
        doc = await readDvcFile(dvcFile, repo.root);
        wrote = true;
      }
    }
    if (present.length > 0) {
      // Against the file as it is now, which the step above may have rewritten.
      const wdir = dvcFileWdir(dvcFile, doc);
      const outsNow = present.map((tracked) => {
        const out = doc.outs[tracked.index]!;
        return { dvcFile, doc, out, index: tracked.index, abs: resolve(wdir, out.path) };
      });
      await saveTrackedOuts(repo, outsNow);
      wrote = true;
    }
    if (wrote) updated.push(rel(dvcFile));
  }
  const order = { planIndex: new Map<string, number>(), addedToLock: new Set<string>() };
  for (const { stage, entry } of legacy.stages) {
    if (!(await stagePathsExist(repo, stage))) {
      const { dir, left } = await migrateLockEntryAllowingMissing(repo, stage, entry, names);
      lockFiles.add(rel(join(dir, LOCK_FILE)));
      leftLegacy.push(...left.map((path) => ({ file: rel(join(dir, LOCK_FILE)), path })));
      continue;
    }
    const recorded = await recordStage(repo, stage, true, order);
    for (const path of recorded.gitignored) await ensureGitignored(repo, path);
    lockFiles.add(rel(recorded.lockChanged ?? join(stageLockDir(stage), LOCK_FILE)));
  }
  repo.state.flush();
  return { updated, lockFiles: [...lockFiles], leftLegacy };
}
