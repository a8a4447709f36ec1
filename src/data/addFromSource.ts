/**
 * `add <source> -o <dest>`: dvc's transfer of data from anywhere on this machine into the workspace
 * (dvc/repo/add.py `_add_transfer`, `Stage.transfer`). The source is hashed where it lies and copied into the
 * cache, never moved or changed; then `dest` is checked out from the cache as any tracked out would be, and
 * `dest.dvc` and its `.gitignore` line are written. The destination is resolved as dvc's `resolve_output`
 * does: an existing directory receives the source under its own name; anything already at the destination
 * is refused unless `force`. With `toRemote` (dvc's `--to-remote`) the objects go from the source straight to
 * the remote, verified on the way: nothing enters the cache or the workspace, only `dest.dvc` is written.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join, normalize, relative, resolve, sep } from "node:path";
import { FlowOpsError, invalidParameter, notFound } from "../errors.js";
import { hashInfoOf, updatedOut, type AddResult } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { DVC_FILE_SUFFIX, isSameOrInside, loadTrackedOuts, writeDvcFile } from "./dvcFile.js";
import { ensureGitignored } from "./gitignoreEntries.js";
import { hashSource } from "./importSource.js";
import { transferSource } from "./sourceTransfer.js";

export interface AddFromSourceOptions {
  /** Relative paths are relative to this; the process's cwd by default. */
  cwd?: string;
  /** Replace what is at the destination (dvc's `-f/--force`). */
  force?: boolean;
  /** Upload straight to this remote (`--to-remote`, `-r`), with `jobs` uploads at once (`--remote-jobs`). */
  toRemote?: { remote?: string; jobs?: number };
  onProgress?: (bytes: number, files: number) => void;
}

/** dvc's `resolve_output`: where `source` lands for `-o out` (out omitted: the cwd, under its own name). */
export function resolveOutput(source: string, out: string | undefined, cwd: string, force: boolean): string {
  // dvc's `basename(normpath(path))`: `.` stays `.`, as in dvc, rather than naming the cwd.
  const name = basename(normalize(source));
  const outAbs = out === undefined ? undefined : resolve(cwd, out);
  const dest =
    outAbs === undefined
      ? resolve(cwd, name)
      : statSync(outAbs, { throwIfNoEntry: false })?.isDirectory() === true
        ? join(outAbs, name)
        : outAbs;
  if (existsSync(dest) && !force) {
    const kind = statSync(dest).isDirectory() ? "directory" : "file";
    const shown = relative(cwd, dest).split(sep).join("/");
    throw new FlowOpsError(
      "RESOURCE_ALREADY_EXISTS",
      `The ${kind} '${shown}' already exists locally. \nTo override it, re-run with '--force'.`,
    );
  }
  return dest;
}

export async function addFromSource(
  repo: DataRepo,
  source: string,
  out: string | undefined,
  options: AddFromSourceOptions = {},
): Promise<AddResult> {
  const cwd = options.cwd ?? process.cwd();
  const sourceAbs = resolve(cwd, source);
  if (!existsSync(sourceAbs)) throw notFound(`'${source}' does not exist`);
  // dvc checks the destination only when data will land there.
  const dest =
    options.toRemote !== undefined && out === undefined
      ? resolve(cwd, basename(sourceAbs))
      : resolveOutput(source, out, cwd, options.force === true);
  if (!isSameOrInside(dest, repo.root) || dest === repo.root) {
    throw invalidParameter(`'${dest}': the destination must be inside the repository ${repo.root}`);
  }
  if (isSameOrInside(dest, sourceAbs) || isSameOrInside(sourceAbs, dest)) {
    throw invalidParameter(`'${source}' and its destination '${dest}' overlap; add it in place instead`);
  }
  const tracked = await loadTrackedOuts(repo);
  const overlap = tracked.find((t) => isSameOrInside(dest, t.abs) || isSameOrInside(t.abs, dest));
  const dvcFile = `${dest}${DVC_FILE_SUFFIX}`;
  if (overlap !== undefined && overlap.dvcFile !== dvcFile) {
    throw new FlowOpsError(
      "RESOURCE_CONFLICT",
      `Cannot add to '${relative(cwd, dest)}': it overlaps the output '${relative(cwd, overlap.abs)}' of ${relative(cwd, overlap.dvcFile)}`,
    );
  }
  const hashed = await hashSource(repo, sourceAbs, options.onProgress);
  await transferSource(repo, { abs: sourceAbs, hashed }, dest, options.toRemote);
  const hash = hashInfoOf(hashed);
  const existing = tracked.find((t) => t.dvcFile === dvcFile);
  await writeDvcFile(dvcFile, {
    outs: [updatedOut(existing?.out, basename(dest), hash)],
    ...(existing !== undefined ? { raw: existing.doc.raw } : {}),
    ...(existing?.doc.text !== undefined ? { text: existing.doc.text } : {}),
  });
  const gitignore = options.toRemote === undefined ? await ensureGitignored(repo, dest) : undefined;
  repo.state.flush();
  return { path: dest, dvcFile, hash, changed: true, ...(gitignore !== undefined ? { gitignore } : {}) };
}
