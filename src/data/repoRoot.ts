/**
 * `dvc root`: the DVC project's root as a path relative to the working directory. The root is the one every
 * other command opens (dataRepo.ts's findDataRepoRoot), and so is its failure.
 */
import { relative, resolve } from "node:path";
import { findDataRepoRoot, notADvcRepository } from "./dataRepo.js";

export { mountPointOf } from "./mountPoint.js";

/** The repository root holding `.dvc/` at or above `cwd`; dvc's NotDvcRepoError (exit 253) when there is none. */
export async function requireDataRepoRoot(cwd: string): Promise<string> {
  const abs = resolve(cwd);
  const root = await findDataRepoRoot(abs);
  if (root !== undefined) return root;
  throw notADvcRepository(abs);
}

/** What `dvc root` prints: the root relative to `cwd`, `.` at the root itself (dvc.utils.relpath). */
export async function relativeDataRepoRoot(cwd: string): Promise<string> {
  const root = await requireDataRepoRoot(cwd);
  return relative(resolve(cwd), root) || ".";
}
