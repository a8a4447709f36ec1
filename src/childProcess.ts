/**
 * node:child_process on first use. Loading it pulls in node:net and its stream machinery, ~15 ms of a
 * short command's start-up, while a no-op `repro` or a `data status` never starts a process.
 */
import type * as ChildProcessModule from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";

let loaded: typeof ChildProcessModule | undefined;

export function childProcess(): typeof ChildProcessModule {
  loaded ??= createRequire(import.meta.url)("node:child_process") as typeof ChildProcessModule;
  return loaded;
}

/** `promisify(execFile)` with text output; child_process loads on the first call. */
export function execFileText(
  file: string,
  args: readonly string[],
  options: Omit<ChildProcessModule.ExecFileOptions, "encoding"> & { encoding?: "utf8" } = {},
): Promise<{ stdout: string; stderr: string }> {
  return promisify(childProcess().execFile)(file, args, { ...options, encoding: "utf8" });
}
