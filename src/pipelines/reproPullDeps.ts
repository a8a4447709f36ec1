/**
 * dvc's `_pull_missing_deps` (dvc/stage/run.py), as a changed stage starts to run under `repro --pull`:
 * each dep absent from the workspace is pulled by its path. Nothing catches what that pull raises, so a dep
 * that would not check out (its object missing everywhere, or no hash recorded for it) ends the stage with
 * dvc's CheckoutError ("Checkout failed for following targets: ..."), after dvc-data's warning for a dep with
 * no hash. A dep no `.dvc` file or stage tracks cannot be pulled; the stage then fails on it as it would
 * without --pull.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { checkoutFailedMessage, checkoutFailureLine } from "../data/checkoutFailedMessage.js";
import type { DataRepo } from "../data/dataRepo.js";
import { noHashWarnings } from "../data/noHashWarnings.js";
import { toFlowOpsError } from "../errors.js";
import type { Stage } from "./dvcYaml.js";
import { COLLECT_FAILED_WARNING, missingRemoteError } from "./reproPullRemote.js";
import { pullForRepro, PullStopped, type ReproTransferOptions } from "./reproPullTransfer.js";

export interface DepPullOptions extends ReproTransferOptions {
  /** dvc-data's warnings (without `WARNING: `): a dep with no hash recorded. */
  onWarning?: (message: string) => void;
}

/** Pulls the stage's missing deps in order; PullStopped (the stage fails) on the first that stays missing. */
export async function pullMissingDeps(repo: DataRepo, stage: Stage, options: DepPullOptions): Promise<void> {
  for (const dep of stage.deps) {
    const abs = join(stage.wdir, dep);
    if (existsSync(abs)) continue;
    const noSuchRemote = missingRemoteError(repo, options.remote);
    if (noSuchRemote !== undefined) {
      options.onWarning?.(COLLECT_FAILED_WARNING);
      throw new PullStopped(noSuchRemote);
    }
    let failed;
    try {
      failed = (await pullForRepro(repo, [abs], options)).checkout.failed;
    } catch (error) {
      if (error instanceof PullStopped) throw error;
      const flowOpsError = toFlowOpsError(error);
      if (flowOpsError.code === "RESOURCE_DOES_NOT_EXIST") continue;
      throw new PullStopped(flowOpsError.message);
    }
    if (failed.length === 0) continue;
    for (const line of noHashWarnings(failed)) options.onWarning?.(line.replace(/^WARNING: /, ""));
    throw new PullStopped(checkoutFailedMessage(failed.map(checkoutFailureLine)));
  }
}
