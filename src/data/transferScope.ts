/**
 * Which objects `push`, `fetch` and `pull` move: the targets' objects in the workspace plus those of a history
 * scope (`-a`, `-T`, `-A`), with dvc's rule for revisions that cannot be collected: each is warned about once
 * and skipped, and only when none could be collected does the error stand.
 */
import type { DataRepo } from "./dataRepo.js";
import { workspaceUsed } from "./dvcFileTargets.js";
import type { Oid } from "./hashInfo.js";
import {
  hasHistoryScope,
  historySelectedOuts,
  historyTrackedOutsSkipping,
  type HistoryScope,
  type SelectedHistoryOuts,
} from "./historyOuts.js";
import type { UnhashedVersionedImport } from "./unhashedVersionedImports.js";
import { expandOuts, mergeUsed, type TrackedOut, type UsedObject } from "./usedObjects.js";

/** What a history scope adds: its outs, and with targets the revisions where they named nothing. */
type HistoryOuts = Pick<SelectedHistoryOuts, "outs"> & Partial<SelectedHistoryOuts>;

/** The outs a history scope names, read from Git on first use and kept (undefined without a scope). */
export function historyOutsOnce(
  repo: DataRepo,
  targets: readonly string[] | undefined,
  history: HistoryScope | undefined,
): (() => Promise<HistoryOuts>) | undefined {
  if (!hasHistoryScope(history)) return undefined;
  let outs: Promise<HistoryOuts> | undefined;
  if (targets !== undefined && targets.length > 0)
    return () => (outs ??= historySelectedOuts(repo, history, targets));
  // Without targets too, a revision whose files do not parse is skipped with dvc's warning, not an error.
  return () => (outs ??= historyTrackedOutsSkipping(repo, history));
}

/** `report`, called at most once per revision. */
export function reportedOnce(
  report: ((revision: string) => void) | undefined,
): (revisions: readonly string[]) => void {
  const reported = new Set<string>();
  return (revisions) => {
    for (const revision of revisions) {
      if (reported.has(revision)) continue;
      reported.add(revision);
      report?.(revision);
    }
  };
}

/**
 * The objects of the targets (everything tracked by default), plus those of the history's outs; an object
 * both use keeps its workspace owner, unless only the history's owner could expand its manifest. With
 * targets, as in DVC, the workspace is one more revision: skipped when a target names nothing there, an
 * error only when no revision had them all. Targets that are all `.dvc` files are read alone (dvcFileTargets.ts).
 */
export async function usedWithHistory(
  repo: DataRepo,
  targets: readonly string[] | undefined,
  history: (() => Promise<HistoryOuts>) | undefined,
  onSkipped: (revisions: readonly string[]) => void,
  keep?: (out: TrackedOut) => boolean,
): Promise<UsedWithHistory> {
  let workspace: Map<Oid, UsedObject> | undefined;
  let unhashedImports: UnhashedVersionedImport[] = [];
  let failure: unknown;
  try {
    ({ used: workspace, unhashedImports } = await workspaceUsed(repo, targets, keep));
  } catch (error) {
    failure = error;
  }
  // As dvc's _collect_indexes: any revision that fails to collect, the workspace (a damaged dvc.lock, a target
  // it lacks) first, is warned about and skipped; only when no revision could be collected does its error
  // stand, after the warning.
  if (history === undefined) {
    if (workspace !== undefined) return { used: workspace, skippedRevisions: [], unhashedImports };
    onSkipped(["workspace"]);
    throw failure;
  }
  const past = await history();
  const skippedRevisions = (past.skipped ?? []).map((skip) => skip.revision);
  if (workspace === undefined) {
    skippedRevisions.unshift("workspace");
    // Every revision was warned about before dvc raised the last one's error (`collection_exc`).
    if (past.collected === undefined || past.collected === 0) {
      onSkipped(skippedRevisions);
      throw past.skipped?.at(-1)?.error ?? failure;
    }
  }
  onSkipped(skippedRevisions);
  const pastOuts = keep === undefined ? past.outs : past.outs.filter(keep);
  return {
    used: mergeUsed(workspace ?? new Map(), await expandOuts(repo, pastOuts)),
    skippedRevisions,
    unhashedImports,
  };
}

export interface UsedWithHistory {
  used: Map<Oid, UsedObject>;
  /** `workspace` or commits where a target named nothing: DVC's "failed to collect '<rev>', skipping". */
  skippedRevisions: string[];
  /** The workspace's versioned imports that record no hash yet (their data comes from the source alone). */
  unhashedImports: UnhashedVersionedImport[];
}
