/**
 * One batch prediction per output at a time: `<output>.lock` holds the process id of the run writing it. The
 * parts of a run go into one shared file (batchPredict.ts), so two runs on the same output would interleave
 * their bytes; the second is refused instead, naming the first. A lock whose process is gone (a run killed
 * with SIGKILL, a machine restarted) is taken over. Process ids are this machine's: two machines writing one
 * output on a shared disk are not told apart.
 */

import { mkdir, open, readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";

import { FlowOpsError } from "../errors.js";

/** Takes the lock on `output`; the function returned releases it. */
export async function lockOutput(output: string): Promise<() => Promise<void>> {
  const path = `${output}.lock`;
  // The output's directory may not exist yet: the run creates it, as it creates `<output>.parts`.
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw lockError(path, error);
    }
    const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (Number.isSafeInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new FlowOpsError(
        "INVALID_STATE",
        `${output} is being written by another run (process ${holder}, recorded in ${path}); wait for it ` +
          `to finish, or delete ${path} if that process is not a batch prediction`,
      );
    }
    // The run that took it is gone (or the file is empty: it died between creating and writing it).
    await rm(path, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lockError(path: string, error: unknown): FlowOpsError {
  if (error instanceof FlowOpsError) return error;
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `cannot create ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    { cause: error },
  );
}
