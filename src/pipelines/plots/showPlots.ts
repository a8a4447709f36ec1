/**
 * `plots show` and `plots diff`: each revision's plot definitions and data (collectPlots.ts), gathered in
 * dvc's order with the workspace first, as dvc's `Plots.show` and `plots.diff` gather them.
 */
import { execFileText } from "../../childProcess.js";
import { FlowOpsError } from "../../errors.js";
import { assertUsesGit } from "../../data/noScm.js";
import type { Pipeline } from "../dvcYaml.js";
import { assertRevision, type Revision } from "../revisionFiles.js";
import { readPipelinesAt, withLocksLoaded, withPipelinesAt } from "../revisionPipelines.js";
import { TrackedFileReader } from "../trackedFileText.js";
import { pipelineLoadFailure } from "../pipelineLoadFailure.js";
import { collectRevisionPlots, type RevisionPlots } from "./collectPlots.js";
import type { PlotError } from "./plotData.js";
import type { PlotProps } from "./vegaConverter.js";

export const WORKSPACE = "workspace";

/** A revision's plots, or why its pipeline could not be read (dvc's `definitions.error`). */
export type CollectedRevision = RevisionPlots | { definitionsError: PlotError };

export interface ShowOptions {
  root: string;
  cwd: string;
  targets?: readonly string[];
  props?: PlotProps;
  /** Revisions as the user named them; `workspace` is the working tree. Default: the workspace alone. */
  revs?: readonly string[];
}

/**
 * Plots by revision label, in dvc's order (the workspace first); a revision with no plot defined or named is
 * left out.
 */
export async function showPlots(options: ShowOptions): Promise<Map<string, CollectedRevision>> {
  let revs = [...(options.revs ?? [WORKSPACE])];
  if (revs.includes(WORKSPACE)) revs = [WORKSPACE, ...revs.filter((rev) => rev !== WORKSPACE)];
  const result = new Map<string, CollectedRevision>();
  const reader = new TrackedFileReader(options.root);
  try {
    for (const label of revs) {
      const rev: Revision = label === WORKSPACE ? undefined : label;
      if (rev !== undefined) await assertRevision(options.root, rev);
      const collect = (pipeline: Pipeline | undefined): Promise<RevisionPlots | undefined> =>
        collectRevisionPlots({
          root: options.root,
          cwd: options.cwd,
          pipeline,
          rev,
          reader,
          targets: options.targets ?? [],
          props: options.props ?? {},
        });
      let collected: RevisionPlots | undefined;
      try {
        collected =
          rev === undefined
            ? await collect(await readPipelinesAt(options.root, undefined))
            : await withPipelinesAt(options.root, rev, async (pipeline) =>
                collect(await withLocksLoaded(pipeline)),
              );
      } catch (error) {
        if (!(error instanceof FlowOpsError)) throw error;
        result.set(label, {
          definitionsError: pipelineLoadFailure(error, options.root, rev, options.cwd),
        });
        continue;
      }
      if (collected !== undefined) result.set(label, collected);
    }
  } finally {
    reader.close();
  }
  return result;
}

/**
 * dvc's `plots diff` revisions: those given; with one, it and the workspace; with none, the workspace, and
 * HEAD before it when tracked files have uncommitted changes. A repository without commits has no plots to diff.
 */
export async function diffRevisions(root: string, revs: readonly string[]): Promise<string[] | undefined> {
  const git = async (...args: string[]): Promise<string | undefined> => {
    try {
      return (await execFileText("git", ["-C", root, ...args])).stdout;
    } catch {
      return undefined;
    }
  };
  await assertUsesGit(root);
  if ((await git("rev-parse", "--verify", "--quiet", "HEAD^{commit}")) === undefined) return undefined;
  const revisions = [...revs];
  if (revisions.length <= 1) {
    if (revisions.length === 0) {
      const status = await git("status", "--porcelain", "--untracked-files=no");
      if (status !== undefined && status.trim() !== "") revisions.push("HEAD");
    }
    revisions.push(WORKSPACE);
  }
  return revisions;
}

/** dvc's `errored_revisions`: revisions with an error anywhere in what was collected for them. */
export function erroredRevisions(collected: ReadonlyMap<string, CollectedRevision>): string[] {
  const errored: string[] = [];
  for (const [label, revision] of collected) {
    if (
      "definitionsError" in revision ||
      Object.values(revision.sources).some((source) => "error" in source)
    ) {
      errored.push(label);
    }
  }
  return errored;
}
