/**
 * `checkout`: make the workspace match the `.dvc` files and every `dvc.lock` from the cache, as
 * `dvc checkout` does (stage outs with `cache: false` are git's, not ours). Deleted or modified outs are
 * restored; an out whose object is missing or corrupt is reported by path and the other outs still get
 * restored. Without `force`, workspace content that would be lost (a modified file or an extra file in a
 * tracked directory whose content is not in the cache) stops the whole checkout before anything is touched,
 * listing every such file, as DVC refuses to remove unsaved files. A versioned import made with
 * `--no-download` is checked out by the hash an earlier fetch found (fetchedImportHashes.ts), as dvc's
 * checkout restores it from what its fetch kept. It never prints.
 */
import { chmod, lstat, rm, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { selectCheckoutOuts, type CheckoutOut } from "./checkoutSelection.js";
import { isDirOid, type DirEntry } from "./hashInfo.js";
import { HashPool } from "./hashPool.js";
import { hashPath, type HashedPath } from "./hashTree.js";
import { linkFromCache } from "./linkTypes.js";
import { legacyFileMatches, withLegacyHashes } from "./legacyTree.js";
import { isSelected, materializeOut } from "./materialize.js";
import { fetchedImportHashes } from "./fetchedImportHashes.js";
import { sortCheckoutChanges } from "./checkoutChangeOrder.js";
import { checkoutHashedImports } from "./hashedImportCheckout.js";
import { recordLinks, removeUnusedLinks } from "./checkoutLinks.js";
import { loadTrackedOuts } from "./dvcFile.js";
import { declaredOuts } from "./outputOverlap.js";
import type { UnhashedVersionedImport } from "./unhashedVersionedImports.js";

export interface CheckoutFailure {
  /** The out's path relative to the cwd (directories end with `/`). */
  path: string;
  reason: string;
  /** The cache lacks its object (not a corrupt one): what `--allow-missing` lets pass. */
  missing?: boolean;
  /**
   * No hash is recorded for the out (a stage never run): its absolute path, for dvc's warning "No file hash
   * info found for '<abs>'. It won't be created.", after which the out is listed by path alone.
   */
  noHashAt?: string;
}

export interface CheckoutSummary {
  /** Outs (relative to the cwd, directories ending with `/`) that did not exist and were created. */
  added: string[];
  /** Outs that existed and were changed. */
  modified: string[];
  /** Files removed from the workspace (extra files in tracked directories); part of their out's change. */
  deleted: string[];
  /**
   * Outs that no `.dvc` file or stage declares any more, which an earlier checkout or add wrote and nobody
   * changed since, removed whole (checkoutLinks.ts): dvc's `D` lines, in its order. Only without targets.
   */
  removed: string[];
  failed: CheckoutFailure[];
  /** Files written new, rewritten and removed, as dvc counts them for `pull`'s summary line. */
  stats: { added: number; modified: number; deleted: number };
}

export interface CheckoutOptions {
  /** Overwrite or remove workspace content that is not in the cache. */
  force?: boolean;
  /** Recreate links/copies from the cache even where the content already matches. */
  relink?: boolean;
  cwd?: string;
  onProgress?: (bytes: number, files: number) => void;
}

const OWNER_EXECUTE = 0o100;

function displayPath(cwd: string, out: CheckoutOut): string {
  const rel = relative(cwd, out.abs).split(sep).join("/");
  return out.md5 !== undefined && isDirOid(out.md5) ? `${rel}/` : rel;
}

async function kindOf(abs: string): Promise<"file" | "dir" | "missing"> {
  try {
    return (await lstat(abs)).isDirectory() ? "dir" : "file";
  } catch {
    return "missing";
  }
}

/**
 * Workspace files whose content would be lost by checking out `expected` over `current`; with `only`, files
 * of a directory out outside those paths are left alone, so they cannot be lost.
 */
async function unsavedFiles(
  repo: DataRepo,
  abs: string,
  current: HashedPath,
  expected: { md5: string; entries?: DirEntry[] },
  only: readonly string[] | undefined,
): Promise<string[]> {
  if (current.md5 === expected.md5) return [];
  if (current.kind === "file") return (await repo.cache.has(current.md5)) ? [] : [abs];
  const wanted = new Map((expected.entries ?? []).map((e) => [e.relpath, e.md5]));
  const lost: string[] = [];
  for (const entry of current.entries) {
    if (!isSelected(entry.relpath, only)) continue;
    if (wanted.get(entry.relpath) === entry.md5) continue;
    if (!(await repo.cache.has(entry.md5))) lost.push(join(abs, ...entry.relpath.split("/")));
  }
  return lost;
}

interface Planned {
  out: CheckoutOut;
  md5: string;
  display: string;
  before: "file" | "dir" | "missing";
  current?: HashedPath;
  entries?: DirEntry[];
}

/**
 * Checks out the outs `targets` select (`.dvc` files, stage names such as `train`, `dvc.yaml:train` or
 * `sub/dvc.yaml:train`, pipeline files, or paths at or inside outs); every cached out without targets.
 */
export async function checkoutTargets(
  repo: DataRepo,
  targets?: string[],
  options: CheckoutOptions = {},
): Promise<CheckoutSummary> {
  const cwd = options.cwd ?? process.cwd();
  // dvc removes unused links first, before it reads its index or refuses to remove unsaved files.
  const removed =
    targets === undefined || targets.length === 0
      ? await removeUnusedLinks(repo, await declaredOutPaths(repo), cwd)
      : [];
  const selected = await selectCheckoutOuts(repo, targets ?? [], cwd);
  const summary: CheckoutSummary = {
    added: [],
    modified: [],
    deleted: [],
    removed: sortCheckoutChanges(removed),
    failed: [],
    stats: { added: 0, modified: 0, deleted: removed.length },
  };
  const pool = HashPool.shared();
  const planned: Planned[] = [];
  const unsaved: string[] = [];
  const unhashedImports: UnhashedVersionedImport[] = [];
  for (const out of selected) {
    const display = displayPath(cwd, out);
    const md5 = out.md5;
    if (md5 === undefined) {
      // checkoutHashedImports replaces this failure when fetch has found the import's hash.
      const reason = `no hash recorded in ${out.source}`;
      // A stage never run gets dvc's warning; a --no-download import keeps the reason (not compared with dvc).
      summary.failed.push(
        out.unhashedImport === undefined
          ? { path: display, reason, noHashAt: out.abs }
          : { path: display, reason },
      );
      if (out.unhashedImport !== undefined) unhashedImports.push(out.unhashedImport);
      continue;
    }
    const plan: Planned = { out, md5, display, before: await kindOf(out.abs) };
    try {
      if (isDirOid(md5)) plan.entries = await repo.cache.readDirManifest(md5);
    } catch (error) {
      summary.failed.push(failureOf(display, toFlowOpsError(error)));
      // Without its manifest dvc's index knows no file of the directory, even one whose hash matches, so
      // checking it out would delete every workspace file of it: those the cache lacks are unsaved, and dvc
      // refuses before anything.
      if (plan.before === "dir" && options.force !== true) {
        const current = await hashPath(out.abs, {
          root: repo.root,
          state: repo.state,
          ignore: repo.ignore,
          pool,
        });
        unsaved.push(...(await unsavedFiles(repo, out.abs, current, { md5: "", entries: [] }, out.only)));
      }
      continue;
    }
    if (plan.before !== "missing") {
      plan.current = await hashPath(out.abs, {
        root: repo.root,
        state: repo.state,
        ignore: repo.ignore,
        pool,
      });
      // A DVC 2 record of a text file with CRLF is its md5-dos2unix: the same content, nothing to restore.
      if (out.legacy === true && plan.current.md5 !== md5) {
        if (plan.current.kind === "file" && legacyFileMatches(out.abs, md5))
          plan.current = { ...plan.current, md5 };
        else if (plan.current.kind === "dir" && plan.entries !== undefined)
          plan.current = withLegacyHashes(plan.current, out.abs, plan.entries);
      }
      if (options.force !== true) {
        unsaved.push(
          ...(await unsavedFiles(
            repo,
            out.abs,
            plan.current,
            { md5, ...(plan.entries ? { entries: plan.entries } : {}) },
            out.only,
          )),
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
  const linked: string[] = [];
  for (const plan of planned) {
    try {
      if (await checkoutOne(repo, plan, options, summary)) linked.push(plan.out.abs);
    } catch (error) {
      const failure = toFlowOpsError(error);
      if (failure.code !== "DATA_LOSS" && failure.code !== "RESOURCE_DOES_NOT_EXIST") throw failure;
      summary.failed.push(failureOf(plan.display, failure));
    }
  }
  repo.state.flush();
  await recordLinks(repo, linked);
  for (const changes of [summary.added, summary.modified, summary.deleted]) sortCheckoutChanges(changes);
  if (unhashedImports.length === 0) return summary;
  return checkoutHashedImports(
    repo,
    await fetchedImportHashes(repo.tmpDir, unhashedImports),
    summary,
    options,
  );
}

/** The absolute path of every out a `.dvc` file or stage declares, cached or not: dvc's `index.outs`. */
async function declaredOutPaths(repo: DataRepo): Promise<Set<string>> {
  const { readWorkspacePipelines } = await import("../pipelines/pipelineFiles.js");
  const stages = (await readWorkspacePipelines(repo.root))?.stages ?? [];
  return new Set(declaredOuts(await loadTrackedOuts(repo), stages, repo.root).map((out) => out.abs));
}

function failureOf(path: string, error: FlowOpsError): CheckoutFailure {
  return {
    path,
    reason: error.message,
    ...(error.code === "RESOURCE_DOES_NOT_EXIST" ? { missing: true } : {}),
  };
}

async function checkoutOne(
  repo: DataRepo,
  plan: Planned,
  options: CheckoutOptions,
  summary: CheckoutSummary,
): Promise<boolean> {
  const { out, md5, current } = plan;
  const upToDate = current !== undefined && current.md5 === md5;
  // Right content without the executable bit the .dvc file records: dvc sets it (the owner's, as
  // os.chmod(mode | S_IEXEC)) and reports the out modified.
  if (
    upToDate &&
    options.relink !== true &&
    out.isexec &&
    current.kind === "file" &&
    current.isexec !== true
  ) {
    const { mode } = await stat(out.abs);
    await chmod(out.abs, mode | OWNER_EXECUTE);
    summary.modified.push(plan.display);
    summary.stats.modified++;
    return true;
  }
  if (upToDate && options.relink !== true) return false;
  const wantDir = isDirOid(md5);
  // A file where a directory belongs (or the reverse) is replaced whole; unsaved content was checked above.
  if (plan.before !== "missing" && (plan.before === "dir") !== wantDir) {
    await rm(out.abs, { recursive: true, force: true });
  }
  const result = await materializeOut(repo.cache, { md5, ...(out.isexec ? { isexec: true } : {}) }, out.abs, {
    linkTypes: repo.linkTypes,
    state: repo.state,
    ignore: repo.ignore,
    root: repo.root,
    ...(out.only !== undefined ? { only: out.only } : {}),
    ...(out.legacy === true ? { legacy: true } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  });
  if (options.relink === true) {
    await relink(
      repo,
      out.abs,
      md5,
      plan.entries?.filter((entry) => isSelected(entry.relpath, out.only)),
    );
  }
  const cwd = options.cwd ?? process.cwd();
  summary.deleted.push(...result.deleted.map((p) => relative(cwd, p).split(sep).join("/")));
  summary.stats.added += result.added.length;
  summary.stats.modified += result.modified.length;
  summary.stats.deleted += result.deleted.length;
  // Relinking alone is no change: dvc lists only outs whose content it restored, then "Relinked successfully".
  const changed =
    result.added.length + result.modified.length + result.deleted.length > 0 || result.createdEmpty === true;
  // dvc records the link of each out it changed; relinking alone is no change there either.
  if (!changed) return false;
  if (plan.before === "missing") summary.added.push(plan.display);
  else summary.modified.push(plan.display);
  return true;
}

/** `--relink`: every file of the out is linked again from the cache with the configured link type. */
async function relink(
  repo: DataRepo,
  abs: string,
  md5: string,
  entries: DirEntry[] | undefined,
): Promise<void> {
  const files =
    entries === undefined
      ? [{ abs, md5 }]
      : entries.map((e) => ({ abs: join(abs, ...e.relpath.split("/")), md5: e.md5 }));
  for (const file of files) {
    await linkFromCache(await repo.cache.verifiedPath(file.md5), file.abs, repo.linkTypes);
  }
}
