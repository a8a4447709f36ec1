/**
 * gc's `-p/--projects` opened as dvc opens them (`Repo(path)` for each, before anything is collected): a path
 * that is no directory, or no DVC repository up to its mount point, is dvc's NotDvcRepoError, so gc fails
 * before it reads any repository or deletes anything. A path inside a repository stands for that repository.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { FlowOpsError } from "../errors.js";
import { notADvcRepository } from "./dataRepo.js";
import { requireDataRepoRoot } from "./repoRoot.js";

/**
 * The projects' repository roots, in the order given, as dvc's `Repo(path)` finds them from a path inside
 * one. Fails on the first project dvc could not open; then, as dvc locks every project and already holds
 * `repoRoot`'s lock, on a project whose repository is `repoRoot` or one named before it.
 */
export async function checkGcProjects(
  projects: readonly string[],
  cwd = process.cwd(),
  repoRoot?: string,
): Promise<string[]> {
  const roots: string[] = [];
  for (const project of projects) {
    const abs = resolve(cwd, project);
    if (!isDirectory(abs)) throw notADvcRepository(abs, `directory '${project}' does not exist`);
    roots.push(await requireDataRepoRoot(abs));
  }
  const locked = new Set(repoRoot === undefined ? [] : [repoRoot]);
  for (const root of roots) {
    if (locked.has(root)) throw lockHeld();
    locked.add(root);
  }
  return roots;
}

/** dvc's LockError: its lock is not reentrant, so a repository gc opens twice fails on its own lock. */
function lockHeld(): FlowOpsError {
  return new FlowOpsError(
    "RESOURCE_CONFLICT",
    "Unable to acquire lock. Most likely another DVC process is running or was terminated abruptly. Check the " +
      "page <https://dvc.org/doc/user-guide/troubleshooting#lock-issue> for other possible reasons and to " +
      "learn how to resolve this.",
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
