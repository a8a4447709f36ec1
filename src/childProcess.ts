/**
 * node:child_process on first use. Loading it pulls in node:net and its stream machinery, ~15 ms of a
 * short command's start-up, while a no-op `repro` or a `data status` never starts a process.
 */
import type * as ChildProcessModule from "node:child_process";
import { createRequire } from "node:module";

let loaded: typeof ChildProcessModule | undefined;

export function childProcess(): typeof ChildProcessModule {
  loaded ??= createRequire(import.meta.url)("node:child_process") as typeof ChildProcessModule;
  return loaded;
}
