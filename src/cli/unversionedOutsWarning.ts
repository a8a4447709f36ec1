/**
 * dvc's "is missing version info" warnings, which `gc` and `status -c` print while they collect (the list is
 * data/unversionedOuts.ts, loaded on use).
 */
import type { WalkedRepo } from "../data/dvcFile.js";
import type { HistoryScope } from "../data/historyOuts.js";

export async function warnUnversioned(repo: WalkedRepo, history: HistoryScope, push: boolean): Promise<void> {
  const { unversionedOuts, missingVersionInfoWarning } = await import("../data/unversionedOuts.js");
  for (const out of await unversionedOuts(repo, { history, push })) {
    process.stderr.write(`${missingVersionInfoWarning(out, repo.root, process.cwd())}\n`);
  }
}
