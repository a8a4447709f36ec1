/**
 * gc's `-p/--projects` opened as dvc opens them (`Repo(path)` for each, before anything is collected): a path
 * that is no directory, or no DVC repository up to its mount point, is dvc's NotDvcRepoError, so gc fails
 * before it reads any repository or deletes anything.
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { findDataRepoRoot, notADvcRepository } from "./dataRepo.js";

/** Fails on the first project that dvc could not open, in the order given. */
export async function checkGcProjects(projects: readonly string[], cwd = process.cwd()): Promise<void> {
  for (const project of projects) {
    const abs = resolve(cwd, project);
    if (!isDirectory(abs)) throw notADvcRepository(abs, `directory '${project}' does not exist`);
    if ((await findDataRepoRoot(abs)) !== undefined) continue;
    throw notADvcRepository(
      abs,
      `you are not inside of a DVC repository (checked up to mount point '${mountPointOf(abs)}')`,
    );
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest directory at or above `dir` that is a mount point, as Python's os.path.ismount judges it. */
function mountPointOf(dir: string): string {
  let current = dir;
  for (;;) {
    const parent = dirname(current);
    if (parent === current) return current;
    const [here, above] = [statSync(current), statSync(parent)];
    if (here.dev !== above.dev || here.ino === above.ino) return current;
    current = parent;
  }
}
