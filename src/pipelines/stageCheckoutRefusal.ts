/**
 * dvc's `Stage.checkout`, which `Stage.reproduce` runs after a `--pull` whose own checkout succeeded.
 * dvc-data's hashfile checkout counts an unchanged file whose object the cache lacks as modified, to be
 * relinked from the cache; removing it first, with the old object not in the cache either, needs a
 * confirmation that repro never gives (PromptError, dvc's ConfirmRemoveError), and the stage fails. That is
 * a file out still in the workspace whose object neither the cache nor the remote had. Directory outs take
 * other paths through dvc's checkout and are not judged here.
 */
import { lstat } from "node:fs/promises";
import type { DataRepo } from "../data/dataRepo.js";
import { selectCheckoutOuts } from "../data/checkoutSelection.js";
import { isDirOid } from "../data/hashInfo.js";

/**
 * dvc's message for the first of `absPaths` (the outs just pulled, in the stage's order) that is a file in
 * the workspace whose object the cache lacks; undefined when there is none.
 */
export async function stageCheckoutRefusal(
  repo: DataRepo,
  absPaths: readonly string[],
  cwd: string,
): Promise<string | undefined> {
  for (const abs of absPaths) {
    // Only outs the pull checked out get here; one that no file declares any more has nothing to refuse.
    const [out] = await selectCheckoutOuts(repo, [abs], cwd).catch(() => []);
    if (out?.md5 === undefined || isDirOid(out.md5)) continue;
    const stat = await lstat(out.abs).catch(() => undefined);
    if (stat === undefined || !(stat.isFile() || stat.isSymbolicLink())) continue;
    if (await repo.cache.has(out.md5)) continue;
    return `unable to remove '${out.abs}' without a confirmation. Use \`-f\` to force.`;
  }
  return undefined;
}
