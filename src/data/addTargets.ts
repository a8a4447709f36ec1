/**
 * `add`: hash each target (through the state, so unchanged files are not rehashed), commit its content to
 * the object cache (directories also get their `.dir` manifest), write `<target>.dvc` exactly as `dvc add`
 * does, add the `/name` line to the parent's `.gitignore`, and relink the workspace to the cache when the
 * link type is not copy. A file or directory inside an already tracked directory updates that directory's
 * `.dvc` file, as DVC 3 does (granular add). It reports progress through callbacks and never prints.
 */
import { existsSync, lstatSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { FlowOpsError, invalidParameter, notFound } from "../errors.js";
import type { Stage as PipelineStage } from "../pipelines/dvcYaml.js";
import type { DataRepo } from "./dataRepo.js";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import {
  DVC_FILE_SUFFIX,
  dvcFileWdir,
  isSameOrInside,
  loadTrackedOuts,
  readDvcFile,
  serializeDvcFile,
  writeDvcFile,
  type DvcFileDoc,
  type DvcOut,
  type TrackedOut,
} from "./dvcFile.js";
import { ensureGitignored } from "./gitignoreEntries.js";
import { refuseGitTrackedOut, trackedByGitAmong } from "./gitTracked.js";
import type { DirEntry, HashInfo } from "./hashInfo.js";
import { HashPool } from "./hashPool.js";
import { hashPath, type HashedPath } from "./hashTree.js";
import { recordLinks } from "./checkoutLinks.js";
import { linkFromCache } from "./linkTypes.js";

export interface AddResult {
  /** The out's absolute path. */
  path: string;
  /** The `.dvc` file written (absolute). */
  dvcFile: string;
  /** `size` is absent after a granular add (see addInsideTrackedDir), as in DVC's file. */
  hash: OutHash;
  /** Whether the `.dvc` file's bytes changed. */
  changed: boolean;
  /** The `.gitignore` that got a new line, if any (to tell the user what to `git add`). */
  gitignore?: string;
}

export type OutHash = Omit<HashInfo, "size"> & { size?: number };

export interface AddOptions {
  /** Relative targets are relative to this; the process's cwd by default. */
  cwd?: string;
  onProgress?: (bytes: number, files: number) => void;
  /** `--no-commit`: write the `.dvc` file and .gitignore entry, but put nothing into the cache. */
  noCommit?: boolean;
  /** `--no-relink`: copy into the cache and leave the workspace files as they are, whatever `cache.type`. */
  noRelink?: boolean;
}

const COMMIT_CONCURRENCY = 16;

function posixRel(from: string, to: string): string {
  return relative(from, to).split(sep).join("/");
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}

export function hashInfoOf(hashed: HashedPath): HashInfo {
  return {
    md5: hashed.md5,
    size: hashed.size,
    ...(hashed.nfiles !== undefined ? { nfiles: hashed.nfiles } : {}),
    ...(hashed.isexec === true ? { isexec: true } : {}),
  };
}

/** Whether workspace files are replaced by links to the cache (hardlink/symlink/reflink) after commit. */
function relinks(repo: DataRepo): boolean {
  return repo.linkTypes[0] !== undefined && repo.linkTypes[0] !== "copy";
}

/**
 * Moves (or copies) the hashed content into the cache, then relinks the workspace when configured; with
 * `relink` false (dvc's `--no-relink`) it copies and leaves the workspace alone.
 */
export async function commitToCache(
  repo: DataRepo,
  abs: string,
  hashed: HashedPath,
  relink = true,
): Promise<void> {
  const move = relink && (repo.linkTypes[0] === "hardlink" || repo.linkTypes[0] === "symlink");
  const files: { abs: string; md5: string }[] =
    hashed.kind === "file"
      ? [{ abs, md5: hashed.md5 }]
      : hashed.entries.map((e) => ({ abs: join(abs, ...e.relpath.split("/")), md5: e.md5 }));
  await eachLimited(files, COMMIT_CONCURRENCY, async (file) => {
    await repo.cache.addFile(file.abs, file.md5, { move });
    if (move || (relink && relinks(repo))) {
      await linkFromCache(repo.cache.objectPath(file.md5), file.abs, repo.linkTypes);
      repo.state.record(file.abs, await stat(file.abs), file.md5);
    }
  });
  if (hashed.kind === "dir") await repo.cache.addBytes(hashed.md5, hashed.manifest);
  // dvc's commit checks the out out again with relink, which records its link (even as a copy).
  if (relink) await recordLinks(repo, [abs]);
}

/** The updated out: new hash fields, every other key (remote, desc, push...) kept. */
export function updatedOut(previous: DvcOut | undefined, path: string, hash: OutHash): DvcOut {
  const out: DvcOut = { ...previous, path };
  delete out.md5;
  delete out.size;
  delete out.nfiles;
  delete out.isexec;
  return {
    ...out,
    md5: hash.md5,
    ...(hash.size !== undefined ? { size: hash.size } : {}),
    ...(hash.nfiles !== undefined ? { nfiles: hash.nfiles } : {}),
    ...(hash.isexec === true ? { isexec: true } : {}),
    hash: "md5",
  };
}

async function writeOut(
  dvcFile: string,
  doc: DvcFileDoc | undefined,
  index: number,
  out: DvcOut,
): Promise<boolean> {
  const outs = doc === undefined ? [out] : doc.outs.map((o, i) => (i === index ? out : o));
  const next = {
    outs,
    ...(doc !== undefined ? { raw: doc.raw } : {}),
    ...(doc?.text !== undefined ? { text: doc.text } : {}),
  };
  const before = doc === undefined ? undefined : serializeDvcFile(doc);
  await writeDvcFile(dvcFile, next);
  return before !== serializeDvcFile(next);
}

function checkTarget(repo: DataRepo, abs: string, target: string): void {
  if (!isSameOrInside(abs, repo.root)) {
    throw invalidParameter(`Cannot add '${target}': it is outside the repository ${repo.root}`);
  }
  const rel = posixRel(repo.root, abs);
  for (const internal of [".dvc", ".git"]) {
    if (rel === internal || rel.startsWith(`${internal}/`)) {
      throw invalidParameter(`Path '${abs}' is ignored by ${internal}/`);
    }
  }
  if (abs.endsWith(DVC_FILE_SUFFIX)) throw invalidParameter(`DVC file '${target}' cannot be an output.`);
  if (rel !== "" && repo.ignore.ignores(rel, false))
    throw invalidParameter(`Path '${abs}' is ignored by .dvcignore`);
}

/**
 * dvc refuses a symlink to a directory, and any path below one: the walk would not follow it, and the
 * tracked content would live outside what the out's path names.
 */
function refuseSymlinkedDirectory(repo: DataRepo, abs: string): void {
  const parts = relative(repo.root, abs)
    .split(sep)
    .filter((part) => part !== "");
  let path = repo.root;
  for (const [index, part] of parts.entries()) {
    path = join(path, part);
    const link = lstatSync(path, { throwIfNoEntry: false });
    if (link?.isSymbolicLink() !== true) continue;
    // Inner components are directories by position; the target itself only when its link leads to one.
    if (index < parts.length - 1 || statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) {
      throw invalidParameter(
        "Cannot add files inside symlinked directories to DVC. See <https://dvc.org/doc/user-guide/troubleshooting#add-symlink> for more information.",
      );
    }
  }
}

/**
 * A stage's out belongs to its stage: adding it (or a path inside it, or a directory holding it) would give
 * one path two owners, so DVC refuses, and so do we. dvc.yaml is read only when the repository has one.
 */
function refuseStageOuts(root: string, stages: readonly PipelineStage[], abs: string, target: string): void {
  for (const stage of stages) {
    for (const out of [...stage.outs, ...stage.metrics, ...stage.plots]) {
      const outAbs = join(stage.wdir, out.path);
      if (outAbs === abs) {
        throw new FlowOpsError(
          "RESOURCE_CONFLICT",
          `output '${target}' is already specified in stage: '${stage.name}' (dvc.yaml); ` +
            "run the pipeline (`flowops repro`) to update it",
        );
      }
      if (isSameOrInside(abs, outAbs) || isSameOrInside(outAbs, abs)) {
        throw new FlowOpsError(
          "RESOURCE_CONFLICT",
          `Cannot add '${target}': it overlaps with output '${posixRel(root, outAbs)}' of stage ` +
            `'${stage.name}' (dvc.yaml)`,
        );
      }
    }
  }
}

export async function addTargets(
  repo: DataRepo,
  targets: string[],
  options: AddOptions = {},
): Promise<AddResult[]> {
  const cwd = options.cwd ?? process.cwd();
  if (targets.length === 0) throw invalidParameter("add: no targets given");
  const pool = HashPool.shared();
  const results: AddResult[] = [];
  // Read once for all targets: add writes neither dvc.yaml nor Git's index, and keeps `tracked` up to date
  // itself, so thousands of targets cost one walk and one git process, not one each.
  let stages: PipelineStage[] | undefined;
  let tracked: TrackedOut[] | undefined;
  const gitTracked =
    repo.scm && targets.length > 1
      ? await trackedByGitAmong(
          repo.root,
          targets.map((target) => resolve(cwd, target)),
        )
      : undefined;
  for (const target of targets) {
    const abs = resolve(cwd, target);
    checkTarget(repo, abs, target);
    try {
      await stat(abs);
    } catch {
      // dvc's OutputDoesNotExistError, with the FileNotFoundError it comes from as Python words it.
      throw notFound(`output '${target}' does not exist: [Errno 2] No such file or directory: '${abs}'`);
    }
    refuseSymlinkedDirectory(repo, abs);
    stages ??= await pipelineStages(repo.root);
    refuseStageOuts(repo.root, stages, abs, target);
    tracked ??= await loadTrackedOuts(repo);
    // dvc finds the out by its path, whatever its .dvc file is called (a renamed `t.dvc` still owns
    // `t.txt`), and updates that file in place; `<target>.dvc` is only the name of a new one.
    const existing = tracked.find((t) => t.abs === abs);
    const ownDvcFile = existing?.dvcFile ?? `${abs}${DVC_FILE_SUFFIX}`;
    const inside = tracked.find(
      (t) => t.dvcFile !== ownDvcFile && t.out.cache !== false && isSameOrInside(abs, t.abs) && abs !== t.abs,
    );
    const overlapped = tracked.find((t) => t !== existing && isSameOrInside(t.abs, abs));
    if (overlapped !== undefined) {
      const other = posixRel(cwd, overlapped.abs);
      throw new FlowOpsError(
        "RESOURCE_CONFLICT",
        `Cannot add '${target}', because it is overlapping with other DVC tracked output: '${other}'.\n` +
          `To include '${other}' in '${target}', run 'flowops data remove ${posixRel(cwd, overlapped.dvcFile)}' ` +
          `and then 'flowops data add ${target}'`,
      );
    }
    const useCache = existing?.out.cache !== false;
    // Before anything is hashed or written, as dvc fails `add` with no .dvc file or cache change.
    if (inside === undefined && useCache)
      await refuseGitTrackedOut(repo, abs, posixRel(cwd, abs), gitTracked);
    const hashed = await hashPath(abs, {
      root: repo.root,
      state: repo.state,
      ignore: repo.ignore,
      pool,
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    });
    if (inside !== undefined) {
      if (options.noCommit === true) {
        throw invalidParameter(
          `Cannot add '${target}' with --no-commit: it lies inside tracked directory '${posixRel(cwd, inside.abs)}', whose new manifest must go into the cache`,
        );
      }
      results.push(await addInsideTrackedDir(repo, inside, abs, hashed, options.noRelink !== true));
      await rereadTracked(tracked, inside.dvcFile, repo.root);
      continue;
    }
    if (useCache && options.noCommit !== true)
      await commitToCache(repo, abs, hashed, options.noRelink !== true);
    const hash = hashInfoOf(hashed);
    const out = updatedOut(existing?.out, existing?.out.path ?? basename(abs), hash);
    const changed = await writeOut(ownDvcFile, existing?.doc, existing?.index ?? 0, out);
    const gitignore = useCache ? await ensureGitignored(repo, abs) : undefined;
    await rereadTracked(tracked, ownDvcFile, repo.root);
    results.push({
      path: abs,
      dvcFile: ownDvcFile,
      hash,
      changed,
      ...(gitignore !== undefined ? { gitignore } : {}),
    });
  }
  repo.state.flush();
  return results;
}

/**
 * DVC 3's granular add: the tracked directory's manifest gets the target's entries (replacing what was under
 * that path) and its `.dvc` file the new `.dir` hash. Like DVC, the out's `size` is dropped: the manifest
 * records no sizes, so the directory's total is unknown without rehashing it all.
 */
async function addInsideTrackedDir(
  repo: DataRepo,
  parent: TrackedOut,
  abs: string,
  hashed: HashedPath,
  relink: boolean,
): Promise<AddResult> {
  const parentMd5 = parent.out.md5;
  if (parentMd5 === undefined || !parentMd5.endsWith(".dir")) {
    throw invalidParameter(
      `Cannot add '${abs}': ${parent.abs} is tracked by ${parent.dvcFile} but is not a directory`,
    );
  }
  const sub = posixRel(parent.abs, abs);
  const previous = await repo.cache.readDirManifest(parentMd5);
  const added: DirEntry[] =
    hashed.kind === "file"
      ? [{ relpath: sub, md5: hashed.md5 }]
      : hashed.entries.map((e) => ({ relpath: `${sub}/${e.relpath}`, md5: e.md5 }));
  const kept = previous.filter((e) => e.relpath !== sub && !e.relpath.startsWith(`${sub}/`));
  const entries = [...kept, ...added].map((e) => ({ relpath: e.relpath, md5: e.md5 }));
  const manifest = serializeDirManifest(entries);
  const oid = dirManifestOid(manifest);
  await commitToCache(repo, abs, hashed, relink);
  await repo.cache.addBytes(oid, manifest);
  // Unchanged content leaves the .dvc file as it is, size included, as dvc does.
  if (oid === parentMd5) {
    const hash: OutHash = {
      md5: oid,
      ...(parent.out.size !== undefined ? { size: parent.out.size } : {}),
      nfiles: entries.length,
    };
    return { path: parent.abs, dvcFile: parent.dvcFile, hash, changed: false };
  }
  const hash: OutHash = { md5: oid, nfiles: entries.length };
  const changed = await writeOut(
    parent.dvcFile,
    parent.doc,
    parent.index,
    updatedOut(parent.out, parent.out.path, hash),
  );
  return { path: parent.abs, dvcFile: parent.dvcFile, hash, changed };
}

/** dvc.yaml's stages, or none without one: read only when the repository has one. */
async function pipelineStages(root: string): Promise<PipelineStage[]> {
  if (!existsSync(join(root, "dvc.yaml"))) return [];
  const { readPipeline } = await import("../pipelines/dvcYaml.js");
  return (await readPipeline(root)).stages;
}

/** Replaces the outs `tracked` holds for `dvcFile` with what the file now says, as a fresh walk would. */
async function rereadTracked(tracked: TrackedOut[], dvcFile: string, root: string): Promise<void> {
  const doc = await readDvcFile(dvcFile, root);
  const wdir = dvcFileWdir(dvcFile, doc);
  const outs = doc.outs.map((out, index) => ({ dvcFile, doc, out, index, abs: resolve(wdir, out.path) }));
  const kept = tracked.filter((t) => t.dvcFile !== dvcFile);
  tracked.splice(0, tracked.length, ...kept, ...outs);
}
