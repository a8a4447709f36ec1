/**
 * A `.dvc` data source as one node of a repro's schedule, where DVC's walk meets it (reproGraph.ts): run as
 * dataSources.ts reproduces it, its result reported as it settles. It runs alone: saving its data writes the
 * `.gitignore` files that the stages' settled entries are written to in plan order (reproContext.ts), and
 * two writers of one `.gitignore` at once would lose a line.
 */
import type { DvcFileDoc, TrackedOut } from "../data/dvcFile.js";
import { importParts } from "../data/updateImports.js";
import { reproDataSource, type DataSourceOptions, type DataSourceResult } from "./dataSources.js";
import { ABORTED_BY_USER, confirmOnce } from "./reproConfirm.js";
import { messageOf, writeGitignoreInPlanOrder, type ReproContext } from "./reproContext.js";
import { planItemName } from "./skippedDependants.js";
import type { StageResult } from "./reproResult.js";
import type { StageOutcome } from "./reproScheduler.js";

/** What the schedule keeps of a node: a stage's result, or a data source's with the outcome it counts as. */
export type PlanItemResult = StageResult & { dataSource?: DataSourceResult };

/** Reproduces one data source; its failure is a result. */
export async function runDataSourceItem(
  context: ReproContext,
  name: string,
  outs: readonly TrackedOut[],
): Promise<PlanItemResult> {
  // Pending `.gitignore` lines of stages settled before it go first: it writes that file too.
  await context.gitignoreWrites.catch(() => undefined);
  const result = await confirmedDataSource(context, name, outs).catch((error: unknown): DataSourceResult => ({
    dvcFile: name,
    outcome: "failed",
    changes: [],
    message: `failed to reproduce '${planItemName(context, name)}': ${messageOf(error)}`,
  }));
  return {
    name,
    outcome: outcomeOf(result),
    changes: [],
    attempts: 1,
    dataSource: result,
    ...(result.message !== undefined ? { message: result.message } : {}),
  };
}

/**
 * `-i` asks about an unfrozen import as about any stage, once it is known to change: what a dry run would
 * re-import is asked about first, and a "no" fails it before anything of it runs.
 */
async function confirmedDataSource(
  context: ReproContext,
  name: string,
  outs: readonly TrackedOut[],
): Promise<DataSourceResult> {
  const options = sourceOptions(context, name);
  const doc = outs[0]?.doc;
  if (options.confirmed === undefined || doc === undefined || !isUnfrozenImport(doc)) {
    return reproDataSource(context.repo, outs, options);
  }
  const { confirmed, ...unasked } = options;
  const planned = await reproDataSource(context.repo, outs, { ...unasked, dry: true });
  if (planned.wouldVerify === true && !(await confirmed())) {
    const message = `failed to reproduce '${planItemName(context, name)}': ${ABORTED_BY_USER}`;
    return { dvcFile: name, outcome: "failed", changes: [], message };
  }
  return reproDataSource(context.repo, outs, unasked);
}

/** What dataSources.ts re-imports from its source (`_sync_import`) rather than verifies. */
function isUnfrozenImport(doc: DvcFileDoc): boolean {
  return importParts(doc) !== undefined && doc.raw.frozen !== true;
}

function sourceOptions(context: ReproContext, name: string): DataSourceOptions {
  const { options } = context;
  return {
    ...(options.confirm !== undefined ? { confirmed: confirmOnce(context, name) } : {}),
    ...(options.force === true ? { force: true } : {}),
    ...(options.dry === true ? { dry: true } : {}),
    ...(options.allowMissing === true ? { allowMissing: true } : {}),
    // With --pull, a data source brings its own missing data, as the stage it is in dvc's graph.
    ...(options.pull !== undefined ? { pull: options.pull } : {}),
    ...(options.noCommit === true ? { noCommit: true } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  };
}

/**
 * As a stage that ran: a data source recorded anew or re-imported, which forces what reads it under
 * --force-downstream as dvc's `_reproduce` does for any stage its `reproduce` returns.
 */
function outcomeOf(result: DataSourceResult): StageOutcome {
  switch (result.outcome) {
    case "verified":
    case "imported":
      return "ran";
    case "skipped":
      return "skipped";
    case "failed":
      return "failed";
  }
}

/**
 * Reports a data source's final result; one that never ran (the repro stopped before it) is reported to no
 * one, as dvc prints nothing of it.
 */
export function settleDataSourceItem(
  context: ReproContext,
  result: PlanItemResult,
  reproduced: DataSourceResult[],
): void {
  context.settled.add(result.name);
  context.outcomes.set(result.name, result.outcome);
  writeGitignoreInPlanOrder(context);
  const source = result.dataSource;
  if (source === undefined) return;
  reproduced.push(source);
  for (const file of source.filesToTrack ?? []) context.filesToTrack.add(file);
  context.emit({ type: "data-source", result: source });
}
