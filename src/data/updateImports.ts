/**
 * `update <targets>`: dvc's `update` for imports of local sources. An import is brought up to date when its
 * stage md5, its source or its out changed (dvc's `Stage.changed` with the stage unfrozen for the check);
 * otherwise it is skipped with dvc's "'x.dvc' didn't change, skipping". The `.dvc` file is rewritten over its
 * old text, so comments stay and new keys land where dvc's `apply_diff` puts them. A `.dvc` file that is not
 * an import gets dvc's warning that it was never pushed to a remote (dvc's worktree update, which we do not
 * have, is the only other thing `update` does).
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { PIPELINE_FILE } from "../pipelines/dvcYaml.js";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { cacheHasAll, outStatus } from "./dataStatus.js";
import { cwdRelative, targetFile } from "./dvcTarget.js";
import {
  DVC_FILE_SUFFIX,
  dvcFileWdir,
  isSameOrInside,
  loadTrackedOuts,
  readDvcFile,
  writeDvcFile,
  type DvcFileDoc,
  type DvcOut,
  type TrackedOut,
} from "./dvcFile.js";
import { fetchUrlSource } from "./importFromUrl.js";
import { fetchImportSource, hashedEntry, type ImportMode } from "./importStage.js";
import { locateDep, unreadableSource, type ImportLocation } from "./importLocation.js";
import { hashSource, missingDependency, shownPath } from "./importSource.js";
import { isOid, type Oid } from "./hashInfo.js";
import { checkoutReplacing } from "./sourceTransfer.js";
import { singleStageMd5 } from "./stageMd5.js";
import { describeUrlSource, sameSource, type UrlSourceState } from "./urlSource.js";
import {
  describeVersionedForUpdate,
  isVersionedDep,
  recordedFsConfig,
  versionedChange,
} from "./versionedS3Source.js";

export interface UpdateImportsOptions {
  cwd?: string;
  mode?: ImportMode;
  /** A directory target selects every `.dvc` file inside it (dvc's `-R`). */
  recursive?: boolean;
  /** For imports from another repository: the revision to follow from now on (dvc's `--rev`). */
  rev?: string;
  /** For imports from another repository: files copied at once. */
  jobs?: number;
  onImporting?: (source: string, out: string) => void;
  /** dvc's "'x.dvc' didn't change, skipping". */
  onSkipped?: (message: string) => void;
  warn?: (message: string) => void;
  onProgress?: (bytes: number, files: number) => void;
}

/** The `.dvc` files updated (absolute), in the targets' order. */
export async function updateImports(
  repo: DataRepo,
  targets: readonly string[],
  options: UpdateImportsOptions = {},
): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd();
  const files = await targetFiles(repo, targets, cwd, options.recursive === true);
  const updated: string[] = [];
  for (const file of files) {
    if (await updateOne(repo, file, cwd, options)) updated.push(file);
  }
  repo.state.flush();
  return updated;
}

async function targetFiles(
  repo: DataRepo,
  targets: readonly string[],
  cwd: string,
  recursive: boolean,
): Promise<string[]> {
  const files: string[] = [];
  // Read once, and only when a target is a directory or an output path.
  let tracked: Promise<TrackedOut[]> | undefined;
  const trackedOuts = (): Promise<TrackedOut[]> => (tracked ??= loadTrackedOuts(repo));
  for (const target of targets) {
    const abs = resolve(cwd, target);
    if (recursive && existsSync(abs) && !abs.endsWith(DVC_FILE_SUFFIX)) {
      const inside = (await trackedOuts())
        .map((tracked) => tracked.dvcFile)
        .filter((dvcFile) => isSameOrInside(dvcFile, abs));
      files.push(...new Set(inside));
      continue;
    }
    if (!target.endsWith(DVC_FILE_SUFFIX) && basename(target) !== PIPELINE_FILE) {
      files.push(outputOwner(await trackedOuts(), target, abs, cwd));
      continue;
    }
    const file = targetFile(cwd, target);
    if (!file.endsWith(DVC_FILE_SUFFIX)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `'${cwdRelative(cwd, file)}' holds pipeline stages; only imports (.dvc files) can be updated`,
      );
    }
    files.push(file);
  }
  return [...new Set(files)];
}

/**
 * The `.dvc` file whose out is `abs`, for a target named by its output, as dvc's `collect_targets` finds it;
 * otherwise dvc's message for a name that is neither an output nor a stage.
 */
function outputOwner(tracked: readonly TrackedOut[], target: string, abs: string, cwd: string): string {
  const owner = tracked.find((out) => out.abs === abs);
  if (owner !== undefined) return owner.dvcFile;
  const pipelineFile = join(cwd, PIPELINE_FILE);
  const noOutputOrStage = `'${target}' does not exist as an output or a stage name in '${PIPELINE_FILE}'`;
  throw new FlowOpsError(
    "RESOURCE_DOES_NOT_EXIST",
    existsSync(pipelineFile)
      ? `${noOutputOrStage}; only imports (.dvc files) can be updated`
      : `${noOutputOrStage}: '${PIPELINE_FILE}' does not exist`,
  );
}

/**
 * dvc's `is_import` (no command, one dep, one out) for a source read by path: not an import from another
 * repository (`dvc import`, a dep with `repo:`), which `repoImportSource` names.
 */
export function importParts(doc: DvcFileDoc): { dep: DvcOut; out: DvcOut } | undefined {
  if (doc.raw.cmd !== undefined || doc.deps?.length !== 1 || doc.outs.length !== 1) return undefined;
  const dep = doc.deps[0] as DvcOut;
  if (typeof dep !== "object" || dep === null || typeof dep.path !== "string") {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${doc.path}: deps[0] must be a mapping with a 'path'`);
  }
  if (dep.repo !== undefined) return undefined;
  return { dep, out: doc.outs[0]! };
}

/** `path from url` for a `.dvc` file written by `dvc import` (a dep with `repo: {url}`). */
export function repoImportSource(doc: DvcFileDoc): string | undefined {
  const dep = doc.deps?.length === 1 ? (doc.deps[0] as DvcOut) : undefined;
  const repo = dep?.repo as { url?: unknown } | undefined;
  if (typeof repo !== "object" || repo === null) return undefined;
  return `'${String(dep?.path)}' from ${String(repo.url)}`;
}

async function updateOne(
  repo: DataRepo,
  file: string,
  cwd: string,
  options: UpdateImportsOptions,
): Promise<boolean> {
  const doc = await readDvcFile(file, repo.root);
  if (repoImportSource(doc) !== undefined) {
    const { updateRepoImport } = await import("./updateRepoImport.js");
    const result = await updateRepoImport(repo, file, doc, cwd, {
      ...(options.rev !== undefined ? { rev: options.rev } : {}),
      ...(options.mode !== undefined ? { mode: options.mode } : {}),
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
      ...(options.onImporting !== undefined ? { onImporting: options.onImporting } : {}),
    });
    if (result === "skipped") options.onSkipped?.(`'${cwdRelative(cwd, file)}' didn't change, skipping`);
    return result === "imported";
  }
  if (importParts(doc) === undefined) {
    const wdir = dvcFileWdir(file, doc);
    for (const out of doc.outs) {
      if (out.cache === false) continue;
      options.warn?.(
        `Could not update '${cwdRelative(cwd, resolve(wdir, out.path))}', it was never pushed to a remote`,
      );
    }
    return false;
  }
  const result = await refreshImport(repo, file, doc, cwd, {
    ...(options.rev !== undefined ? { rev: options.rev } : {}),
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
    ...(options.onImporting !== undefined ? { onImporting: options.onImporting } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  });
  if (result === "skipped") options.onSkipped?.(`'${cwdRelative(cwd, file)}' didn't change, skipping`);
  return result === "imported";
}

export interface RefreshImportOptions {
  mode?: ImportMode;
  /** Import even when nothing changed (`repro --force`). */
  force?: boolean;
  /** Only say what would be imported (`repro --dry`). */
  dry?: boolean;
  /** An out missing from the workspace or the cache is no change (`repro --allow-missing`, `--pull`). */
  allowMissing?: boolean;
  /**
   * `update --rev`: for an s3 object read version-aware, the version to import instead of the latest, as dvc's
   * `Dependency.update(rev)`; other URL and local sources ignore it, as dvc does.
   */
  rev?: string;
  onImporting?: (source: string, out: string) => void;
  onProgress?: (bytes: number, files: number) => void;
}

/**
 * Re-imports `doc` (an import, see `importParts`) when its stage md5, source or out changed, as dvc's
 * `Stage.reproduce` does for an unfrozen import; `frozen` is not looked at (`update` unfreezes for this).
 */
export async function refreshImport(
  repo: DataRepo,
  file: string,
  doc: DvcFileDoc,
  cwd: string,
  options: RefreshImportOptions = {},
): Promise<"skipped" | "imported"> {
  const { dep, out } = importParts(doc)!;
  const mode = options.mode ?? { kind: "download" };
  const wdir = dvcFileWdir(file, doc);
  const dest = resolve(wdir, out.path);
  const location = locateDep(repo, dep, wdir, cwd);
  if (location.kind === "unreadable") throw unreadableSource(dep.path, location.url);
  if (location.kind === "url") return refreshUrlImport(repo, file, doc, dest, location, cwd, options);
  const sourceAbs = location.abs;
  const shownSource = shownPath(dep.path, sourceAbs, repo.root, cwd);
  const stageChanged = doc.md5 === undefined || doc.md5 !== singleStageMd5(doc.raw);
  const source = existsSync(sourceAbs) ? await hashSource(repo, sourceAbs, options.onProgress) : undefined;
  const depChanged = source === undefined || source.md5 !== dep.md5;
  const outState = await outStatus(repo, out, wdir);
  // With --allow-missing (and --pull) a repro takes data missing here as no change, as dvc's `changed` does.
  const outChanged =
    outState !== undefined &&
    !(options.allowMissing === true && (outState === "deleted" || outState === "not in cache"));
  if (!stageChanged && !depChanged && !outChanged && options.force !== true) return "skipped";
  options.onImporting?.(shownSource, cwdRelative(cwd, dest));
  if (options.dry === true) return "imported";
  if (source === undefined) throw missingDependency(shownSource);
  // The workspace changes here: what a repro hashed before (this import's out) no longer holds.
  repo.workspaceSummaries?.clear();

  let newOut: DvcOut;
  if (mode.kind === "no-download") {
    // dvc removes the out before an import runs, and clears its hashes when nothing was downloaded.
    await rm(dest, { recursive: true, force: true });
    newOut = hashedEntry(out, out.path, undefined);
  } else if (
    mode.kind === "download" &&
    options.force !== true &&
    !stageChanged &&
    !depChanged &&
    typeof out.md5 === "string" &&
    isOid(out.md5) &&
    (await cacheHasAll(repo, out.md5 as Oid))
  ) {
    // dvc's `already_cached`: only the workspace copy is missing or changed.
    await checkoutReplacing(
      repo,
      { md5: out.md5 as Oid, ...(out.isexec === true ? { isexec: true } : {}) },
      dest,
    );
    newOut = out;
  } else {
    newOut = await fetchImportSource(repo, { abs: sourceAbs, hashed: source }, dest, out, out.path, mode);
  }
  const deps = [hashedEntry(dep, dep.path, source)];
  // dvc computes the md5 while the out still holds what it held, and clears a --no-download out after.
  const md5 = singleStageMd5({ ...doc.raw, deps, outs: [mode.kind === "no-download" ? out : newOut] });
  const raw: Record<string, unknown> = { ...doc.raw, deps, outs: [newOut], md5 };
  await writeDvcFile(file, { outs: [newOut], raw, ...(doc.text !== undefined ? { text: doc.text } : {}) });
  return "imported";
}

/** `refreshImport` of a source behind a URL: changed when the field dvc compares changed (one request). */
async function refreshUrlImport(
  repo: DataRepo,
  file: string,
  doc: DvcFileDoc,
  dest: string,
  location: Extract<ImportLocation, { kind: "url" }>,
  cwd: string,
  options: RefreshImportOptions,
): Promise<"skipped" | "imported"> {
  const { dep, out } = importParts(doc)!;
  const mode = options.mode ?? { kind: "download" };
  const stageChanged = doc.md5 === undefined || doc.md5 !== singleStageMd5(doc.raw);
  let source: UrlSourceState;
  let depChanged: boolean;
  if (isVersionedDep(dep)) {
    const fsConfig = recordedFsConfig(dep);
    const versioned = await describeVersionedForUpdate(
      location.url,
      { ...location.options, ...(fsConfig !== undefined ? { recordedFsConfig: fsConfig } : {}) },
      options.rev,
    );
    source = versioned;
    depChanged = (await versionedChange(dep, versioned)) !== undefined;
  } else {
    source = await describeUrlSource(location.url, location.options);
    depChanged = !sameSource(dep, source);
  }
  const outState = await outStatus(repo, out, dvcFileWdir(file, doc));
  const outChanged =
    outState !== undefined &&
    !(options.allowMissing === true && (outState === "deleted" || outState === "not in cache"));
  if (!stageChanged && !depChanged && !outChanged && options.force !== true) return "skipped";
  options.onImporting?.(dep.path, cwdRelative(cwd, dest));
  if (options.dry === true) return "imported";
  repo.workspaceSummaries?.clear();
  let newOut: DvcOut;
  let newDep: DvcOut;
  if (mode.kind === "no-download") {
    await rm(dest, { recursive: true, force: true });
    newDep = source.dep;
    newOut = hashedEntry(out, out.path, undefined);
  } else {
    ({ dep: newDep, out: newOut } = await fetchUrlSource(
      repo,
      source,
      dest,
      out,
      out.path,
      mode,
      options.onProgress,
    ));
  }
  const deps = [newDep];
  const md5 = singleStageMd5({ ...doc.raw, deps, outs: [mode.kind === "no-download" ? out : newOut] });
  const raw: Record<string, unknown> = { ...doc.raw, deps, outs: [newOut], md5 };
  await writeDvcFile(file, { outs: [newOut], raw, ...(doc.text !== undefined ? { text: doc.text } : {}) });
  return "imported";
}
