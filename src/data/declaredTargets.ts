/**
 * Targets that name a declared stage or out but no hashed out: a stage not run yet (dvc.lock lacks its
 * hashes) or outs with `cache: false`. dvc resolves targets against dvc.yaml (`collect_granular`), so these are
 * valid targets that collect no objects; selectOuts, which knows only hashed outs, would fail on them.
 */
import { toFlowOpsError } from "../errors.js";
import type { WalkedRepo } from "./dvcFile.js";
import { selectDeclared, workspaceDeclaredStages } from "./pipelineTargets.js";
import { selectOuts, type TrackedOut } from "./usedObjects.js";

/**
 * The targets left for selectOuts: those naming nothing declared (selectOuts reports them) and those naming
 * some hashed out. `recursive` is `-R`: a directory names the stages of every dvc.yaml under it.
 */
export async function hashedTargets(
  repo: WalkedRepo,
  outs: readonly TrackedOut[],
  targets: readonly string[],
  cwd: string,
  recursive?: boolean,
): Promise<string[]> {
  const selectsHashed = (target: string): boolean => {
    try {
      return selectOuts(repo, outs, [target], { cwd }).length > 0;
    } catch (error) {
      if (toFlowOpsError(error).code !== "RESOURCE_DOES_NOT_EXIST") throw error;
      return false;
    }
  };
  const hashed = new Set(targets.filter(selectsHashed));
  // Reading the pipelines walks every `.dvc` file again: only targets naming no hashed out pay for it.
  if (hashed.size === targets.length) return [...targets];
  const declared = await workspaceDeclaredStages(repo);
  return targets.filter(
    (target) =>
      hashed.has(target) || selectDeclared(declared, repo.root, cwd, target, recursive).length === 0,
  );
}
