/**
 * `dvc root`: the DVC project's root as a path relative to the working directory. The root is the one every
 * other command opens (dataRepo.ts's findDataRepoRoot); only the failure is worded as dvc's `Repo.find_root`
 * words it, naming the mount point where its search stopped.
 */
import { statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { findDataRepoRoot, notADvcRepository } from "./dataRepo.js";

/** The repository root holding `.dvc/` at or above `cwd`; dvc's NotDvcRepoError (exit 253) when there is none. */
export async function requireDataRepoRoot(cwd: string): Promise<string> {
  const abs = resolve(cwd);
  const root = await findDataRepoRoot(abs);
  if (root !== undefined) return root;
  throw notADvcRepository(
    abs,
    `you are not inside of a DVC repository (checked up to mount point '${mountPointOf(abs)}')`,
  );
}

/** What `dvc root` prints: the root relative to `cwd`, `.` at the root itself (dvc.utils.relpath). */
export async function relativeDataRepoRoot(cwd: string): Promise<string> {
  const root = await requireDataRepoRoot(cwd);
  return relative(resolve(cwd), root) || ".";
}

/**
 * The nearest directory at or above `dir` that is a mount point, as Python's os.path.ismount judges it (another
 * device than its parent, or the same inode: `/`).
 */
export function mountPointOf(dir: string): string {
  let current = dir;
  for (;;) {
    const parent = dirname(current);
    if (parent === current) return current;
    const [here, above] = [statSync(current), statSync(parent)];
    if (here.dev !== above.dev || here.ino === above.ino) return current;
    current = parent;
  }
}
