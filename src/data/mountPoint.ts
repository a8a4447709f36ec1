/** Where dvc's search for a repository stops (dvc's `Repo.find_root`), which its NotDvcRepoError names. */
import { statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The nearest directory at or above `dir` that is a mount point, as Python's os.path.ismount judges it (another
 * device than its parent, or the same inode: `/`). A directory that cannot be read is passed over.
 */
export function mountPointOf(dir: string): string {
  let current = dir;
  for (;;) {
    const parent = dirname(current);
    if (parent === current) return current;
    const [here, above] = [statOrUndefined(current), statOrUndefined(parent)];
    if (here !== undefined && above !== undefined && (here.dev !== above.dev || here.ino === above.ino)) {
      return current;
    }
    current = parent;
  }
}

function statOrUndefined(path: string): { dev: number; ino: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
