/**
 * dvc's `Stage.checkout`, which `Stage.reproduce` runs after a `--pull` whose own checkout succeeded.
 * dvc-data's hashfile checkout counts an unchanged file whose object the cache lacks as modified, to be
 * relinked from the cache; removing it first, with the old object not in the cache either, is asked about
 * with dvc's `prompt.confirm` (dvcPrompt.ts): "file/directory '<abs>' is going to be removed. Are you sure you
 * want to proceed?". A "no" (or no terminal to ask on) is its PromptError, dvc's ConfirmRemoveError ("unable
 * to remove ... Use `-f` to force."); a "yes" removes the file, and linking the missing object in its place
 * then fails with Python's FileNotFoundError. Either ends the stage. That is a file out still in the
 * workspace whose object neither the cache nor the remote had. Directory outs take other paths through dvc's
 * checkout and are not judged here.
 */
import { lstat, rm } from "node:fs/promises";
import type { DataRepo } from "../data/dataRepo.js";
import { selectCheckoutOuts } from "../data/checkoutSelection.js";
import { isDirOid } from "../data/hashInfo.js";
import type { DvcPromptConfirm } from "./dvcPrompt.js";

/**
 * dvc's message for the first of `absPaths` (the outs just pulled, in the stage's order) that is a file in
 * the workspace whose object the cache lacks, once `confirm` was asked about removing it; undefined when
 * there is none.
 */
export async function checkoutRemovalFailure(
  repo: DataRepo,
  absPaths: readonly string[],
  cwd: string,
  confirm: DvcPromptConfirm,
): Promise<string | undefined> {
  const path = await unsavedFileToRelink(repo, absPaths, cwd);
  if (path === undefined) return undefined;
  const statement = `file/directory '${path}' is going to be removed. Are you sure you want to proceed?`;
  if (!(await confirm(statement))) {
    return `unable to remove '${path}' without a confirmation. Use \`-f\` to force.`;
  }
  await rm(path, { force: true });
  return `[Errno 2] No such file or directory: '${path}'`;
}

async function unsavedFileToRelink(
  repo: DataRepo,
  absPaths: readonly string[],
  cwd: string,
): Promise<string | undefined> {
  for (const abs of absPaths) {
    // Only outs the pull checked out get here; one that no file declares any more has nothing to relink.
    const [out] = await selectCheckoutOuts(repo, [abs], cwd).catch(() => []);
    if (out?.md5 === undefined || isDirOid(out.md5)) continue;
    const stat = await lstat(out.abs).catch(() => undefined);
    if (stat === undefined || !(stat.isFile() || stat.isSymbolicLink())) continue;
    if (await repo.cache.has(out.md5)) continue;
    return out.abs;
  }
  return undefined;
}
