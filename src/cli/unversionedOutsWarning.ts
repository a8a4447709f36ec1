/**
 * dvc's "is missing version info" warnings, which `gc` and `status -c` print while they collect (the list is
 * data/unversionedOuts.ts, loaded on use).
 */
import type { WalkedRepo } from "../data/dvcFile.js";
import type { HistoryScope } from "../data/historyOuts.js";
import type { UnversionedOut } from "../data/unversionedOuts.js";

/** gc's warnings, for the other projects (`-p`) first, then this one. */
export async function warnUnversionedForGc(
  repo: WalkedRepo,
  history: HistoryScope,
  projects: readonly string[] = [],
): Promise<void> {
  const { gcUnversionedOuts } = await import("../data/unversionedOuts.js");
  for (const { root, outs } of await gcUnversionedOuts(repo, history, projects))
    await printUnversioned(outs, root);
}

/** Each out's warning, named from the cwd as dvc names them (`root` is the repository that declares it). */
export async function printUnversioned(outs: readonly UnversionedOut[], root: string): Promise<void> {
  const { missingVersionInfoWarning } = await import("../data/unversionedOuts.js");
  for (const out of outs) process.stderr.write(`${missingVersionInfoWarning(out, root, process.cwd())}\n`);
}
