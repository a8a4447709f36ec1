/**
 * The outs that `dvc.lock` files record, read as dvc's index reads them: each lock beside its dvc.yaml,
 * outs declared `cache: false` left out, metrics and plots marked.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseLock } from "../pipelines/dvcLock.js";
import { parsePipeline, PIPELINE_FILE, type Stage, type StageOut } from "../pipelines/dvcYaml.js";
import {
  fileIsGitIgnored,
  gitAwareWalk,
  gitIgnoreOf,
  lockBesideIsGitIgnored,
} from "../pipelines/gitIgnoredPipelineFiles.js";
import { walkWorkspaceFiles, type WalkedRepo } from "./dvcFile.js";
import { dvcFileSyntaxError } from "./dvcFileErrors.js";
import { isOid, type Oid } from "./hashInfo.js";
import { relPosix } from "./repoPosixPath.js";
import type { TrackedOut } from "./usedObjects.js";
import { readUtf8File } from "./utf8Text.js";
import { readYamlFile } from "./yamlFile.js";

/**
 * The cached outs of every `dvc.lock` in the workspace (each beside its `dvc.yaml`), found by DVC's walk,
 * which does not enter the outs it finds nor what Git ignores. Stages of a lock below the root are named
 * `sub/dvc.yaml:train`. As dvc's index, it refuses the first dvc.yaml met whose dvc.lock Git ignores or that
 * does not load: checkout, push, pull, fetch and gc all start here.
 */
export async function lockOuts(repo: WalkedRepo): Promise<TrackedOut[]> {
  const byLock = new Map<string, TrackedOut[]>();
  const git = gitIgnoreOf(repo);
  await walkWorkspaceFiles(
    gitAwareWalk(repo, git),
    (name) => name === LOCK_FILE_NAME || name === PIPELINE_FILE,
    async (lockPath) => {
      if (basename(lockPath) === PIPELINE_FILE) {
        const ignoredLock = lockBesideIsGitIgnored(git, lockPath);
        if (ignoredLock !== undefined) throw fileIsGitIgnored(ignoredLock);
        // dvc's index loads every dvc.yaml, so one that does not load stops checkout, push and gc even when
        // it has no lock yet (a lock's own dvc.yaml is read with it, in outsOfLock).
        if (!existsSync(join(dirname(lockPath), LOCK_FILE_NAME))) {
          await readStagesAgainstRoot(dirname(lockPath), repo.root);
        }
        return [];
      }
      const outs = await outsOfLock(repo.root, lockPath);
      byLock.set(lockPath, outs);
      return outs.map((out) => join(repo.root, ...out.path.split("/")));
    },
  );
  return [...byLock.keys()].sort().flatMap((lockPath) => byLock.get(lockPath) ?? []);
}

const LOCK_FILE_NAME = "dvc.lock";

/** The stages of `<dir>/dvc.yaml`, their outs resolved against the repository root it belongs to. */
async function readStagesAgainstRoot(dir: string, root: string): Promise<Stage[]> {
  const file = join(dir, PIPELINE_FILE);
  return (await parsePipeline(dir, file, await readUtf8File(file), root)).stages;
}

async function outsOfLock(root: string, lockPath: string): Promise<TrackedOut[]> {
  const dir = dirname(lockPath);
  const relDir = relPosix(root, dir);
  // Read against the repository root: a stage below it may write a cached out beside its folder (`../x`).
  const stages = existsSync(join(dir, "dvc.yaml")) ? await readStagesAgainstRoot(dir, root) : [];
  const byName = new Map(stages.map((stage) => [stage.lockName, stage]));
  const outs: TrackedOut[] = [];
  const lock = await readYamlFile(lockPath).catch((error: unknown) => {
    throw dvcFileSyntaxError(error);
  });
  // dvc validates the whole lock before any command uses it; lockEntries alone skips what it cannot read,
  // which made `data checkout` restore nothing, silently, from a damaged lock.
  parseLock(lockPath, lock.text ?? "");
  for (const entry of lockEntries(lock.value)) {
    const stage = byName.get(entry.stage);
    const wdir = stage?.wdir ?? dir;
    // dvc fills a declared out's hash from the lock (`fill_from_lock`): an entry no dvc.yaml stage declares
    // (the lock of a deleted dvc.yaml, a removed stage or out) tracks nothing.
    const declared = stage === undefined ? undefined : declaredOut(stage, wdir, resolve(wdir, entry.path));
    if (declared === undefined || declared.cache === false) continue;
    outs.push({
      dvcFile: relDir === "" ? LOCK_FILE_NAME : `${relDir}/${LOCK_FILE_NAME}`,
      stage: relDir === "" ? entry.stage : `${relDir}/dvc.yaml:${entry.stage}`,
      path: relPosix(root, resolve(wdir, entry.path)),
      md5: entry.md5,
      ...(entry.isexec ? { isexec: true } : {}),
      ...(declared.remote !== undefined ? { remote: declared.remote } : {}),
      ...(declared.push === false ? { push: false } : {}),
      ...(entry.legacy ? { legacy: true } : {}),
      ...(entry.size !== undefined ? { size: entry.size } : {}),
      ...(stage !== undefined && declaredIn(stage.metrics, wdir, entry.path)
        ? { kind: "metrics" as const }
        : {}),
      ...(stage !== undefined && declaredIn(stage.plots, wdir, entry.path) ? { kind: "plots" as const } : {}),
    });
  }
  return outs;
}

function declaredIn(outs: readonly StageOut[], wdir: string, path: string): boolean {
  return outs.some((out) => resolve(wdir, out.path) === resolve(wdir, path));
}

function declaredOut(stage: Stage, wdir: string, absPath: string): StageOut | undefined {
  return [...stage.outs, ...stage.metrics, ...stage.plots].find((out) => resolve(wdir, out.path) === absPath);
}

/** `stages.<name>.outs[].{path, md5}` of a parsed dvc.lock; anything else is not ours to judge. */
interface LockOutEntry {
  stage: string;
  path: string;
  md5: Oid;
  legacy: boolean;
  isexec: boolean;
  size?: number;
}

export function lockEntries(value: unknown): LockOutEntry[] {
  const stages = (value as { stages?: unknown } | undefined)?.stages;
  if (typeof stages !== "object" || stages === null) return [];
  const entries: LockOutEntry[] = [];
  for (const [stage, body] of Object.entries(stages)) {
    const outs = (body as { outs?: unknown } | null)?.outs;
    if (!Array.isArray(outs)) continue;
    for (const out of outs as {
      path?: unknown;
      md5?: unknown;
      hash?: unknown;
      isexec?: unknown;
      size?: unknown;
    }[]) {
      if (typeof out?.path === "string" && typeof out.md5 === "string" && isOid(out.md5)) {
        const legacy = out.hash === undefined;
        entries.push({
          stage,
          path: out.path,
          md5: out.md5,
          legacy,
          isexec: out.isexec === true,
          ...(typeof out.size === "number" ? { size: out.size } : {}),
        });
      }
    }
  }
  return entries;
}
