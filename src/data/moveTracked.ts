/**
 * `dvc move`: rename a tracked file or directory together with its `.dvc` file. When the `.dvc` file is named
 * after the output (`data.dvc` for `data`), a new one is written beside the destination and the old one
 * deleted; otherwise the same file records the new path, keeping its comments. The `.gitignore` entries
 * follow, and the moved data is saved and committed again (its hash is unchanged unless it was edited).
 * Outputs of dvc.yaml stages cannot be moved, as in dvc. Every check runs before anything moves; dvc skips
 * the destination checks when the `.dvc` file keeps its name.
 */
import { existsSync, statSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { FlowOpsError } from "../errors.js";
import { refuseGitIgnoredDvcFile } from "../pipelines/gitIgnoredPipelineFiles.js";
import { cwdStageAddress } from "../pipelines/dvcYaml.js";
import { readPipelinesIfAny } from "../pipelines/pipelineFiles.js";
import { stageOuts } from "../pipelines/stageStatus.js";
import type { DataRepo } from "./dataRepo.js";
import {
  DVC_FILE_SUFFIX,
  isSameOrInside,
  loadTrackedOuts,
  serializeDvcFile,
  type DvcFileDoc,
  type DvcOut,
} from "./dvcFile.js";
import { cwdRelative, isValidDvcFileName } from "./dvcTarget.js";
import { ensureGitignored, removeGitignored } from "./gitignoreEntries.js";
import { saveTrackedOuts } from "./saveTrackedOuts.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { checkNoOverlap, declaredOuts } from "./outputOverlap.js";

export interface MoveOptions {
  cwd: string;
  /** Where dvc's warnings go (a source that is missing from the workspace). */
  warn?: (message: string) => void;
}

export interface MoveResult {
  /** The `.dvc` file that records the output now, cwd-relative. */
  dvcFile: string;
  /** Where the output is now, cwd-relative. */
  path: string;
  /** Files Git should stage (dvc's "git add" reminder), cwd-relative, in the order they changed. */
  toTrack: string[];
}

export async function moveTracked(
  repo: DataRepo,
  from: string,
  to: string,
  options: MoveOptions,
): Promise<MoveResult> {
  const { cwd } = options;
  const fromAbs = resolve(cwd, from);
  if (isValidDvcFileName(fromAbs)) throw invalid(`DVC file '${from}' cannot be an output.`);
  const tracked = await loadTrackedOuts(repo);
  const pipeline = await readPipelinesIfAny(repo);
  const source = tracked.find((out) => out.abs === fromAbs);
  if (source === undefined) {
    const stage = pipeline?.stages.find((s) =>
      stageOuts(s).some((out) => resolve(s.wdir, out.path) === fromAbs),
    );
    if (stage === undefined) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `Unable to find DVC file with output '${cwdRelative(cwd, fromAbs)}'`,
      );
    }
    const address = cwdStageAddress(stage, cwd);
    throw invalid(
      "move is not permitted for stages that are not data sources. You need to either move " +
        `'${address}' to a new location and edit it by hand, or remove '${address}' and create a new one at the ` +
        "desired location.",
    );
  }

  const toPath = isDirectory(resolve(cwd, to)) ? join(to, basename(from)) : to;
  const toAbs = resolve(cwd, toPath);
  const { dvcFile: oldDvcFile, doc } = source;
  const renamed = basename(oldDvcFile, DVC_FILE_SUFFIX) === basename(fromAbs);
  const dvcFile = renamed
    ? resolve(cwd, join(dirname(toPath), `${basename(toPath)}${DVC_FILE_SUFFIX}`))
    : oldDvcFile;
  const oldWdir = dvcFileWdirOf(oldDvcFile, doc);
  const wdir = renamed ? dirname(toAbs) : oldWdir;
  if (renamed) checkNewDvcFile(repo, cwd, wdir, dvcFile, join(dirname(toPath), `${basename(toPath)}.dvc`));
  const outPath = posix(relative(wdir, toAbs));
  const declared = declaredOuts(
    tracked.filter((out) => out !== source),
    pipeline?.stages ?? [],
    cwd,
  );
  checkNoOverlap(declared, { abs: toAbs, path: outPath, owner: cwdRelative(cwd, dvcFile) });

  // Nothing has changed yet; from here on the move happens.
  const toTrack: string[] = [];
  const track = (abs: string | undefined): void => {
    if (abs !== undefined) toTrack.push(cwdRelative(cwd, abs));
  };
  const cached = source.out.cache !== false;
  const exists = existsSync(fromAbs);
  if (exists) {
    await mkdir(dirname(toAbs), { recursive: true });
    await rename(fromAbs, toAbs);
  } else {
    options.warn?.(`'${fromAbs}' missing`);
  }
  if (cached) {
    const gitignore = await removeGitignored(repo, fromAbs);
    if (gitignore !== undefined && existsSync(gitignore)) track(gitignore);
  }

  const outs = doc.outs.map((out, index): DvcOut => {
    if (index === source.index) return { ...out, path: outPath };
    return renamed ? { ...out, path: posix(relative(wdir, resolve(oldWdir, out.path))) } : out;
  });
  const next: DvcFileDoc = renamed
    ? { path: dvcFile, outs, raw: newFileKeys(doc, oldWdir, wdir) }
    : { ...doc, outs };
  if (exists) {
    const saved = await saveTrackedOuts(
      repo,
      [{ dvcFile, doc: next, out: outs[source.index]!, index: source.index, abs: toAbs }],
      { cwd },
    );
    for (const gitignore of saved.gitignores) track(gitignore);
    if (!saved.changed && renamed) await writeFileAtomic(dvcFile, serializeDvcFile(next));
  } else {
    await writeFileAtomic(
      dvcFile,
      serializeDvcFile({ outs, raw: next.raw, ...(next.text !== undefined ? { text: next.text } : {}) }),
    );
    if (cached) track(await ensureGitignored(repo, toAbs));
  }
  if (renamed) {
    await rm(oldDvcFile, { force: true });
    track(oldDvcFile);
  }
  track(dvcFile);
  return {
    dvcFile: cwdRelative(cwd, dvcFile),
    path: cwdRelative(cwd, toAbs),
    toTrack: [...new Set(toTrack)],
  };
}

function invalid(message: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", message);
}

function posix(path: string): string {
  return path.split("\\").join("/");
}

function isDirectory(abs: string): boolean {
  return statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true;
}

function dvcFileWdirOf(dvcFile: string, doc: DvcFileDoc): string {
  return resolve(dirname(dvcFile), doc.wdir ?? ".");
}

/**
 * What dvc's `stage.create` checks for the new `.dvc` file: its directory exists inside the repository, Git
 * does not ignore the file, and no file has that name yet. `shown` is the name as dvc prints it.
 */
function checkNewDvcFile(repo: DataRepo, cwd: string, wdir: string, dvcFile: string, shown: string): void {
  const wdirError = (what: string): FlowOpsError => invalid(`stage working dir '${wdir}' ${what}`);
  const info = statSync(wdir, { throwIfNoEntry: false });
  if (info === undefined) throw wdirError("does not exist");
  if (!info.isDirectory()) throw wdirError("is not directory");
  if (!isSameOrInside(wdir, repo.root)) throw wdirError("is outside of DVC repo");
  refuseGitIgnoredDvcFile(repo, dvcFile, cwdRelative(cwd, dvcFile));
  if (existsSync(dvcFile)) throw invalid(`'${shown}' already exists`);
}

/**
 * The top-level keys of the new `.dvc` file: the old file's, with its `md5` and `wdir` dropped (the new file
 * lies in its output's directory) and its local deps' paths made relative to the new place, as dvc's move.
 */
function newFileKeys(doc: DvcFileDoc, oldWdir: string, wdir: string): Record<string, unknown> {
  const { md5: _md5, wdir: _wdir, ...raw } = doc.raw;
  if (Array.isArray(raw.deps)) {
    raw.deps = raw.deps.map((dep: unknown) => {
      if (typeof dep !== "object" || dep === null) return dep;
      const { path, repo } = dep as { path?: unknown; repo?: unknown };
      if (typeof path !== "string" || repo !== undefined || isAbsolute(path) || path.includes("://"))
        return dep;
      return { ...dep, path: posix(relative(wdir, resolve(oldWdir, path))) };
    });
  }
  return raw;
}
