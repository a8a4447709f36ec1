/**
 * dvc's NoSCM: in a repo that is not in Git (or has `core.no_scm`), the revision walks of `-a`, `-T`, `-A` and
 * `--date` find nothing beyond the workspace (scmrepo's NoSCM lists no branch, tag or commit), while anything
 * that must resolve a revision (`--rev`, experiments, every diff) fails with NoSCMError's words.
 */
import { FlowOpsError } from "../errors.js";
import { usesGit } from "./dataRepo.js";

export const NO_SCM_MESSAGE =
  "Only supported for Git repositories. If you're seeing this error in a Git repo, try updating the DVC " +
  "configuration with `dvc config core.no_scm false`.";

/** NoSCMError, after `prefix` where dvc's command wraps it ("failed to get diff - "). */
export function noScmError(prefix = ""): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", `${prefix}${NO_SCM_MESSAGE}`);
}

/** Throws NoSCMError when the repo at `root` does not use Git for dvc. */
export async function assertUsesGit(root: string, prefix = ""): Promise<void> {
  if (!(await usesGit(root))) throw noScmError(prefix);
}
