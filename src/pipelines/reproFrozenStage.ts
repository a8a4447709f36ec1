/**
 * A frozen stage that changed (its outs or command; its deps do not count) or is forced, as dvc's
 * `Stage.reproduce` and `run` treat it (dvc/stage/__init__.py): with --pull, outs that are only missing are
 * pulled and checked out first ("Pulling data for stage"), as for any stage; otherwise its command never runs:
 * dvc says "Verifying outputs in frozen stage: '<stage>'", fails on outs missing from the workspace with its
 * MissingDataSource ("missing data 'source': <paths from the cwd>"), and records the rest.
 */
import { existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { missingDataSource } from "../data/saveTrackedOuts.js";
import type { Stage } from "./dvcYaml.js";
import type { ReproContext } from "./reproContext.js";
import type { StageResult } from "./reproResult.js";
import { stageOuts, type StageChange } from "./stageStatus.js";

/** How the checks before recording ended the stage, or undefined when its outs are to be recorded. */
export type FrozenCheck = Pick<StageResult, "outcome" | "message" | "verifiedFrozen">;

export async function checkFrozenStage(
  context: ReproContext,
  stage: Stage,
  changes: readonly StageChange[],
  forced: boolean,
  /** `-i`'s question, asked once its missing outs were pulled (reproConfirm.ts). */
  confirmed: () => Promise<boolean> = () => Promise.resolve(true),
): Promise<FrozenCheck | "aborted" | undefined> {
  const { repo, options } = context;
  // Only missing outs are pulled: a frozen stage never runs, so its deps and the run-cache are not fetched.
  if (options.pull !== undefined && !forced && changes.length > 0 && changes.every(isMissingOut)) {
    repo.workspaceSummaries = undefined;
    const pulled = await options.pull.beforeRun(stage, changes, context.lockAtStart.get(stage.name), true);
    if (pulled === "checked-out") return { outcome: "skipped", message: "pulled" };
    if (pulled === "aborted") return "aborted";
    if (pulled !== undefined) return { outcome: "failed", message: pulled.failed };
  }
  if (!(await confirmed())) return "aborted";
  const cwd = options.cwd ?? repo.root;
  const missing = stageOuts(stage)
    .map((out) => join(stage.wdir, out.path))
    .filter((abs) => !existsSync(abs))
    .map((abs) => relative(cwd, abs).split(sep).join("/"));
  if (missing.length === 0) return undefined;
  const message = `stage '${stage.name}': ${missingDataSource(missing).message}`;
  return { outcome: "failed", message, verifiedFrozen: true };
}

function isMissingOut(change: StageChange): boolean {
  return change.kind === "outs" && (change.status === "deleted" || change.status === "not in cache");
}
