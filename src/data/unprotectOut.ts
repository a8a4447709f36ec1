/**
 * dvc's `unprotect` (dvc_data's `LocalHashFileDB.unprotect`): an output checked out as hard links or symlinks
 * into the cache becomes files of its own, so editing it can no longer change the cache. Each linked file is
 * copied beside itself and the copy renamed over it, so a reader never sees half a file. Used by `data unprotect`
 * and when an output stops being tracked (`data remove` without `--outs`).
 */
import { randomBytes } from "node:crypto";
import { chmod, copyFile, lstat, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { FlowOpsError } from "../errors.js";
import { markDvcError } from "./dvcErrorKind.js";

/** Unprotects the file, or every file below the directory, at `abs`; a missing path is left alone. */
export async function unprotectOut(abs: string): Promise<void> {
  const info = await stat(abs).catch(() => undefined);
  if (info === undefined) return;
  if (!info.isDirectory()) return unprotectFile(abs);
  for (const entry of await readdir(abs, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() || entry.isSymbolicLink()) await unprotectFile(join(entry.parentPath, entry.name));
  }
}

async function unprotectFile(abs: string): Promise<void> {
  const link = await lstat(abs);
  if (link.isSymbolicLink() || link.nlink > 1) {
    const temp = join(dirname(abs), `.${basename(abs)}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await copyFile(abs, temp);
      await rm(abs);
      await rename(temp, abs);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
  // dvc sets 0o666 & ~umask and so drops an executable's x bits; they are kept here.
  const mode = (await stat(abs)).mode;
  await chmod(abs, ((mode & 0o111) !== 0 ? 0o777 : 0o666) & ~process.umask());
}

/** dvc's `unprotect` command: each target (relative to `cwd`) in turn; a missing one is dvc's error. */
export async function unprotectTargets(cwd: string, targets: readonly string[]): Promise<void> {
  for (const target of targets) {
    const abs = resolve(cwd, target);
    if ((await lstat(abs).catch(() => undefined)) === undefined) {
      // dvc_data's ObjectDBError is no DvcException: dvc's main reports it as an unexpected error.
      throw markDvcError(
        new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `can't unprotect non-existing data '${target}'`),
        "unexpected",
      );
    }
    await unprotectOut(abs);
  }
}
