/**
 * The `.dvc` files of a repro: DVC's graph holds each `.dvc` file as a stage with no command upstream of the
 * stages that read its outs, and `dvc repro` reproduces it like the others (dvc/stage/__init__.py
 * `Stage.reproduce` and `run`): unchanged, "'data.dvc' didn't change, skipping"; changed, "Verifying data
 * sources in stage", which records the workspace's data in the `.dvc` file and commits it to the cache, so the
 * stage that reads it and the `.dvc` file never disagree; missing from the workspace, dvc's "missing data
 * 'source'" error, which stops what depends on it. An import (a `.dvc` file with a dep) that is not frozen
 * is re-imported when its source, its out or its stage md5 changed ("Importing 'src' -> 'out'"); a frozen one
 * is verified like a data source, as dvc's `run` verifies a frozen stage's outputs.
 */
import { relative, resolve, sep } from "node:path";
import { outStatus, type OutStatus } from "../data/dataStatus.js";
import type { DataRepo } from "../data/dataRepo.js";
import { dvcFileWdir, isSameOrInside, type DvcFileDoc, type TrackedOut } from "../data/dvcFile.js";
import { ensureGitignored } from "../data/gitignoreEntries.js";
import { importParts, refreshImport, repoImportSource } from "../data/updateImports.js";
import { FlowOpsError } from "../errors.js";
import { saveTrackedOuts } from "../data/saveTrackedOuts.js";
import type { Stage } from "./dvcYaml.js";
import { ABORTED_BY_USER } from "./reproConfirm.js";
import type { ReproPull } from "./reproPull.js";

/** A data source's part in a repro. */
export interface DataSourceResult {
  /** The `.dvc` file, absolute. */
  dvcFile: string;
  /**
   * `verified`: its data was recorded and committed anew; `imported`: an import brought up to date from
   * its source; `skipped`: unchanged (or a dry run).
   */
  outcome: "verified" | "imported" | "skipped" | "failed";
  /** An import: dvc's words for it ("Importing 'src' -> 'out'", or the frozen stage's verification). */
  importing?: { source: string; out: string };
  frozenImport?: boolean;
  /** Why it was (or, with --dry, would be) verified; empty when forced or unchanged. */
  changes: { path: string; status: OutStatus }[];
  /** With --dry: it would be verified. */
  wouldVerify?: boolean;
  /** With --pull: its missing data was pulled and checked out instead (dvc prints nothing more of it). */
  pulled?: boolean;
  /** Failed once its data was being verified: dvc has said "Verifying ... in stage" by then. */
  verifying?: boolean;
  message?: string;
  /** Once verified: the `.dvc` file (dvc names it to `git add` whenever it rewrites it) and new `.gitignore`s. */
  filesToTrack?: string[];
}

export interface DataSourceOptions {
  force?: boolean;
  dry?: boolean;
  /** Outs missing from the workspace or the cache are no change (`--allow-missing`, and `--pull`). */
  allowMissing?: boolean;
  noCommit?: boolean;
  /** Paths in messages are relative to this. */
  cwd?: string;
  /**
   * `--pull`: a data source whose only changes are missing data pulls it first, as dvc's `Stage.reproduce`
   * does for any stage; data it could not bring is then verified, and found missing.
   */
  pull?: ReproPull;
  /** `-i`: asked once the data source is known to change (after --pull); no fails it (reproConfirm.ts). */
  confirmed?: () => Promise<boolean>;
}

/** The outs of each `.dvc` file, grouped by file, in path order. */
export function dvcFileOuts(tracked: readonly TrackedOut[]): Map<string, TrackedOut[]> {
  const byFile = new Map<string, TrackedOut[]>();
  for (const out of tracked) byFile.set(out.dvcFile, [...(byFile.get(out.dvcFile) ?? []), out]);
  return byFile;
}

/**
 * The `.dvc` files dvc reproduces without a command: `dvc add` data sources, imports, and frozen imports from
 * another repository (an unfrozen one would need that repository asked for updates, which FlowOps cannot).
 */
export function dataSourceFiles(tracked: readonly TrackedOut[]): Map<string, TrackedOut[]> {
  return new Map(
    [...dvcFileOuts(tracked)].filter(([, outs]) => {
      const doc = outs[0]?.doc;
      if (doc === undefined) return false;
      if ((doc.deps ?? []).length === 0 || importParts(doc) !== undefined) return true;
      return repoImportSource(doc) !== undefined && doc.raw.frozen === true;
    }),
  );
}

/** The `.dvc` files (of `files`) whose outs `stage` reads: its upstream `.dvc` nodes in DVC's graph. */
export function dataSourcesFeeding(stage: Stage, sources: ReadonlyMap<string, TrackedOut[]>): string[] {
  const deps = stage.deps.map((dep) => resolve(stage.wdir, dep));
  return [...sources]
    .filter(([, outs]) =>
      outs.some((out) => deps.some((dep) => isSameOrInside(dep, out.abs) || isSameOrInside(out.abs, dep))),
    )
    .map(([dvcFile]) => dvcFile);
}

/** Reproduces one data source (its outs, all from one `.dvc` file). Failures are results, not throws. */
export async function reproDataSource(
  repo: DataRepo,
  outs: readonly TrackedOut[],
  options: DataSourceOptions = {},
): Promise<DataSourceResult> {
  const dvcFile = outs[0]?.dvcFile ?? "";
  const doc = outs[0]?.doc;
  if (doc !== undefined && importParts(doc) !== undefined && doc.raw.frozen !== true) {
    return reproImport(repo, dvcFile, doc, options);
  }
  const isImport =
    doc !== undefined && (importParts(doc) !== undefined || repoImportSource(doc) !== undefined);
  const frozenImport = isImport ? { frozenImport: true } : {};
  const named = relative(options.cwd ?? repo.root, dvcFile)
    .split(sep)
    .join("/");
  let changes: DataSourceResult["changes"] = [];
  // A dry run pulls nothing: data missing here is then no change, as FlowOps' dry runs always had it.
  const allowMissing = options.allowMissing === true || (options.pull !== undefined && options.dry === true);
  if (options.force !== true) {
    for (const tracked of outs) {
      const status = await outStatus(repo, tracked.out, dvcFileWdir(tracked.dvcFile, tracked.doc));
      if (status !== undefined) changes.push({ path: tracked.abs, status });
    }
    const missing = changes.filter(({ status }) => status === "deleted" || status === "not in cache");
    if (allowMissing) changes = changes.filter((change) => !missing.includes(change));
    if (changes.length === 0) return { dvcFile, outcome: "skipped", changes };
    if (options.pull !== undefined && options.dry !== true && missing.length === changes.length) {
      const pulled = await options.pull.beforeDataSource({ name: named, paths: outs.map((out) => out.abs) });
      if (pulled === "checked-out") return { dvcFile, outcome: "skipped", changes, pulled: true };
      if (pulled !== undefined) return { dvcFile, outcome: "failed", changes, message: pulled.failed };
    }
  }
  if (options.confirmed !== undefined && !(await options.confirmed())) {
    const message = `failed to reproduce '${named}': ${ABORTED_BY_USER}`;
    return { dvcFile, outcome: "failed", changes, message };
  }
  if (options.dry === true)
    return { dvcFile, outcome: "skipped", changes, wouldVerify: true, ...frozenImport };
  try {
    const { gitignores } = await saveTrackedOuts(repo, outs, {
      ...(options.noCommit === true ? { noCommit: true } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
    return { dvcFile, outcome: "verified", changes, filesToTrack: [dvcFile, ...gitignores], ...frozenImport };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      dvcFile,
      outcome: "failed",
      changes,
      verifying: true,
      ...frozenImport,
      message: `failed to reproduce '${named}': ${reason}`,
    };
  }
}

/** An unfrozen import in a repro: re-imported from its source when anything changed, as dvc's `_sync_import`. */
async function reproImport(
  repo: DataRepo,
  dvcFile: string,
  doc: DvcFileDoc,
  options: DataSourceOptions,
): Promise<DataSourceResult> {
  const cwd = options.cwd ?? repo.root;
  let importing: { source: string; out: string } | undefined;
  try {
    const outcome = await refreshImport(repo, dvcFile, doc, cwd, {
      ...(options.force === true ? { force: true } : {}),
      ...(options.dry === true ? { dry: true } : {}),
      ...(options.allowMissing === true || options.pull !== undefined ? { allowMissing: true } : {}),
      onImporting: (source, out) => (importing = { source, out }),
    });
    if (outcome === "skipped") return { dvcFile, outcome: "skipped", changes: [] };
    const gitignore =
      options.dry === true
        ? undefined
        : await ensureGitignored(repo, resolve(dvcFileWdir(dvcFile, doc), doc.outs[0]!.path));
    return {
      dvcFile,
      outcome: options.dry === true ? "skipped" : "imported",
      changes: [],
      ...(importing !== undefined ? { importing } : {}),
      ...(options.dry === true
        ? { wouldVerify: true }
        : { filesToTrack: [dvcFile, ...(gitignore !== undefined ? [gitignore] : [])] }),
    };
  } catch (error) {
    if (!(error instanceof FlowOpsError)) throw error;
    const name = relative(cwd, dvcFile).split(sep).join("/");
    return {
      dvcFile,
      outcome: "failed",
      changes: [],
      ...(importing !== undefined ? { importing } : {}),
      message: `failed to reproduce '${name}': ${error.message}`,
    };
  }
}
