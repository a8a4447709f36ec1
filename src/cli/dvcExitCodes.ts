/**
 * dvc's exit codes for the commands that stand in for dvc's, so a script written against `dvc` reads ours
 * the same (dvc/cli/__init__.py): 253 outside a DVC repository, 254 for bad usage, 255 for an error that
 * dvc's command lets through to its main (repro, stage, checkout, gc, unprotect, dag, metrics, params), and 1 for one its
 * command catches and reports itself (add, status, push, pull, fetch, commit, diff, ls...), and 251 for
 * every error of `remote`, `config` and `cache`, which dvc raises as a ConfigError ("configuration error"),
 * as it does for a ConfigError (no remote) that escapes a raising command such as gc, and for a config that does
 * not load, which fails every command as dvc opens the repository. An error that is no
 * DvcException in dvc escapes every command: 255 (data/dvcErrorKind.ts marks both).
 */
import { CommanderError } from "commander";
import { isNotADvcRepository } from "../data/dataRepo.js";
import { dvcErrorKind } from "../data/dvcErrorKind.js";

export const DVC_EXIT = { failed: 1, config: 251, notARepository: 253, usage: 254, raised: 255 } as const;

/** The top-level commands that are dvc's. */
export const DVC_COMMANDS: ReadonlySet<string> = new Set([
  "data",
  "repro",
  "stage",
  "dag",
  "params",
  "metrics",
  "plots",
]);

/** dvc's commands whose errors reach dvc's main, named as `repro` or `data checkout`. */
const RAISING: ReadonlySet<string> = new Set([
  "repro",
  "stage",
  "dag",
  "params",
  "metrics",
  "data checkout",
  "data gc",
  "data unprotect",
  "data check-ignore",
  "data du",
  "plots modify",
]);

/** The exit code of `error` from the dvc command that `argv` runs (`["node", "flowops", "data", "gc", ...]`). */
export function dvcExitCode(argv: readonly string[], error: unknown): number {
  if (error instanceof CommanderError) return DVC_EXIT.usage;
  const [command, sub, action] = argv.slice(2).filter((arg) => !arg.startsWith("-"));
  const path = command === "data" || command === "plots" ? `${command} ${sub ?? ""}` : (command ?? "");
  // dvc's remote commands read the config without a repository, so outside one they fail on the config too;
  // `cache migrate` opens the repository first (253 outside one).
  const migrating = path === "data cache" && action === "migrate";
  if (migrating && isNotADvcRepository(error)) return DVC_EXIT.notARepository;
  if (path === "data remote" || path === "data config" || path === "data cache") return DVC_EXIT.config;
  if (isNotADvcRepository(error)) return DVC_EXIT.notARepository;
  // Which of dvc's exception families the error stands for, where that matters (data/dvcErrorKind.ts).
  const kind = dvcErrorKind(error);
  if (kind === "uncaught" || kind === "unexpected") return DVC_EXIT.raised;
  if (kind === "unloadableConfig") return DVC_EXIT.config;
  if (!RAISING.has(path)) return DVC_EXIT.failed;
  return kind === "config" ? DVC_EXIT.config : DVC_EXIT.raised;
}
