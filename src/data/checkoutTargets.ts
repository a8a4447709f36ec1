/**
 * `checkout`: make the workspace match the `.dvc` files from the cache, as `dvc checkout` does. Deleted or
 * modified outs are restored; an out whose object is missing or corrupt is reported by path and the other
 * outs still get restored. Without `force`, workspace content that would be lost (a modified file or an extra
 * file in a tracked directory whose content is not in the cache) stops the whole checkout before anything is
 * touched, listing every such file, as DVC refuses to remove unsaved files. It never prints.
 */
import { lstat, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { loadTrackedOuts, selectTrackedOuts, type TrackedOut } from "./dvcFile.js";
import { isDirOid, type DirEntry } from "./hashInfo.js";
import { HashPool } from "./hashPool.js";
import { hashPath, type HashedPath } from "./hashTree.js";
import { linkFromCache } from "./linkTypes.js";
import { materializeOut } from "./materialize.js";

export interface CheckoutFailure {
  /** The out's path relative to the cwd (directories end with `/`). */
  path: string;
  reason: string;
}

export interface CheckoutSummary {
  /** Outs (relative to the cwd, directories ending with `/`) that did not exist and were created. */
  added: string[];
  /** Outs that existed and were changed. */
  modified: string[];
  /** Files removed from the workspace (extra files in tracked directories). */
  deleted: string[];
  failed: CheckoutFailure[];
}

export interface CheckoutOptions {
  /** Overwrite or remove workspace content that is not in the cache. */
  force?: boolean;
  /** Recreate links/copies from the cache even where the content already matches. */
  relink?: boolean;
  cwd?: string;
  onProgress?: (bytes: number, files: number) => void;
}

function displayPath(cwd: string, tracked: TrackedOut): string {
  const rel = relative(cwd, tracked.abs).split(sep).join("/");
  return tracked.out.md5 !== undefined && isDirOid(tracked.out.md5) ? `${rel}/` : rel;
}

async function kindOf(abs: string): Promise<"file" | "dir" | "missing"> {
  try {
    return (await lstat(abs)).isDirectory() ? "dir" : "file";
  } catch {
    return "missing";
  }
}

/** Workspace files whose content would be lost by checking out `expected` over `current`. */
async function unsavedFiles(
  repo: DataRepo,
  abs: string,
  current: HashedPath,
  expected: { md5: string; entries?: DirEntry[] },
): Promise<string[]> {
  if (current.md5 === expected.md5) return [];
  if (current.kind === "file") return (await repo.cache.has(current.md5)) ? [] : [abs];
  const wanted = new Map((expected.entries ?? []).map((e) => [e.relpath, e.md5]));
  const lost: string[] = [];
  for (const entry of current.entries) {
    if (wanted.get(entry.relpath) === entry.md5) continue;
    if (!(await repo.cache.has(entry.md5))) lost.push(join(abs, ...entry.relpath.split("/")));
  }
  return lost;
}

interface Planned {
  tracked: TrackedOut;
  display: string;
  before: "file" | "dir" | "missing";
  current?: HashedPath;
  entries?: DirEntry[];
}

export async function checkoutTargets(
  repo: DataRepo,
  targets?: string[],
  options: CheckoutOptions = {},
): Promise<CheckoutSummary> {
  const cwd = options.cwd ?? process.cwd();
  const selected = selectTrackedOuts(await loadTrackedOuts(repo), targets ?? [], cwd);
  const summary: CheckoutSummary = { added: [], modified: [], deleted: [], failed: [] };
  const pool = HashPool.shared();
  const planned: Planned[] = [];
  const unsaved: string[] = [];
  for (const tracked of selected) {
    const md5 = tracked.out.md5;
    if (tracked.out.cache === false) continue;
    const display = displayPath(cwd, tracked);
    if (md5 === undefined) {
      summary.failed.push({ path: display, reason: `no hash recorded in ${tracked.dvcFile}` });
      continue;
    }
    const plan: Planned = { tracked, display, before: await kindOf(tracked.abs) };
    try {
      if (isDirOid(md5)) plan.entries = await repo.cache.readDirManifest(md5);
    } catch (error) {
      summary.failed.push({ path: display, reason: toFlowOpsError(error).message });
      continue;
    }
    if (plan.before !== "missing") {
      plan.current = await hashPath(tracked.abs, {
        root: repo.root,
        state: repo.state,
        ignore: repo.ignore,
        pool,
      });
      if (options.force !== true) {
        unsaved.push(
          ...(await unsavedFiles(repo, tracked.abs, plan.current, {
            md5,
            ...(plan.entries ? { entries: plan.entries } : {}),
          })),
        );
      }
    }
    planned.push(plan);
  }
  if (unsaved.length > 0) {
    throw new FlowOpsError(
      "ABORTED",
      `Can't remove the following unsaved files without confirmation. Use \`--force\` to force.\n${unsaved.join("\n")}`,
    );
  }
  for (const plan of planned) {
    try {
      await checkoutOne(repo, plan, options, summary);
    } catch (error) {
      const failure = toFlowOpsError(error);
      if (failure.code !== "DATA_LOSS" && failure.code !== "RESOURCE_DOES_NOT_EXIST") throw failure;
      summary.failed.push({ path: plan.display, reason: failure.message });
    }
  }
  repo.state.flush();
  return summary;
}

async function checkoutOne(
  repo: DataRepo,
  plan: Planned,
  options: CheckoutOptions,
  summary: CheckoutSummary,
): Promise<void> {
  const { tracked, current } = plan;
  const md5 = tracked.out.md5 as string;
  const upToDate = current !== undefined && current.md5 === md5;
  if (upToDate && options.relink !== true) return;
  const wantDir = isDirOid(md5);
  // A file where a directory belongs (or the reverse) is replaced whole; unsaved content was checked above.
  if (plan.before !== "missing" && (plan.before === "dir") !== wantDir) {
    await rm(tracked.abs, { recursive: true, force: true });
  }
  const result = await materializeOut(
    repo.cache,
    { md5, ...(tracked.out.isexec === true ? { isexec: true } : {}) },
    tracked.abs,
    {
      linkTypes: repo.linkTypes,
      state: repo.state,
      ignore: repo.ignore,
      root: repo.root,
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    },
  );
  if (options.relink === true) await relink(repo, tracked, md5, plan.entries);
  const cwd = options.cwd ?? process.cwd();
  summary.deleted.push(...result.deleted.map((p) => relative(cwd, p).split(sep).join("/")));
  const changed =
    result.added.length + result.modified.length + result.deleted.length > 0 || options.relink === true;
  if (!changed) return;
  if (plan.before === "missing") summary.added.push(plan.display);
  else summary.modified.push(plan.display);
}

/** `--relink`: every file of the out is linked again from the cache with the configured link type. */
async function relink(
  repo: DataRepo,
  tracked: TrackedOut,
  md5: string,
  entries: DirEntry[] | undefined,
): Promise<void> {
  const files =
    entries === undefined
      ? [{ abs: tracked.abs, md5 }]
      : entries.map((e) => ({ abs: join(tracked.abs, ...e.relpath.split("/")), md5: e.md5 }));
  for (const file of files) {
    await linkFromCache(await repo.cache.verifiedPath(file.md5), file.abs, repo.linkTypes);
  }
}
