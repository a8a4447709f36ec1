/**
 * dvc's `-q/--quiet` and `-v/--verbose`, which every dvc command takes (dvc/cli/parser.py's parent parser), on
 * every command that stands in for one, so `dvc pull -q` in a script works as `flowops data pull -q`. A
 * command that gives them its own meaning (`data status -q` exits 1 on changes; `repro -v` says why each stage
 * runs) keeps it. Quiet prints nothing, errors included, as dvc's does (it logs at CRITICAL): the exit code
 * alone tells a failure. Verbose starts with dvc's debug lines: the version, and the command line.
 */
import { Option, type Command } from "commander";
import { FLOWOPS_VERSION } from "../version.js";

/** Adds the two options to every leaf command below `command`, each unless the command defines it itself. */
export function addDvcLogLevelOptions(command: Command): void {
  if (command.commands.length > 0) {
    // `dvc -q add x`: dvc's top-level parser takes the options, then its subcommand's defaults overwrite them,
    // so before the command they are accepted and change nothing.
    // Positional, so that `add -q` after the command is still the command's own.
    if (command.options.length === 0) {
      command.enablePositionalOptions();
      command.addOption(new Option("-q, --quiet").hideHelp());
      command.addOption(new Option("-v, --verbose").hideHelp());
    }
    for (const sub of command.commands) addDvcLogLevelOptions(sub);
    return;
  }
  const has = (flag: string): boolean => command.options.some((o) => o.short === flag || o.long === flag);
  const ownQuiet = has("-q") || has("--quiet");
  const ownVerbose = has("-v") || has("--verbose");
  if (ownQuiet && ownVerbose) {
    command.hook("preAction", (_parent, action) => {
      if (action.opts<{ quiet?: boolean }>().quiet === true) quietRun = true;
    });
    return;
  }
  if (!ownQuiet) {
    command.addOption(new Option("-q, --quiet", "Be quiet: print nothing but errors.").conflicts("verbose"));
  }
  if (!ownVerbose) command.addOption(new Option("-v, --verbose", "Be verbose.").conflicts("quiet"));
  command.hook("preAction", (_parent, action) => {
    const opts = action.opts<{ quiet?: boolean; verbose?: boolean }>();
    // dvc's -q logs at CRITICAL, also for a command with a -q of its own (`status -q`): no ERROR line either.
    if (opts.quiet === true) quietRun = true;
    if (!ownQuiet && opts.quiet === true) printOnlyErrors();
    if (!ownVerbose && opts.verbose === true) {
      process.stderr.write(
        `DEBUG: flowops v${FLOWOPS_VERSION}, Node.js ${process.version} on ${process.platform}-${process.arch}\n` +
          `DEBUG: command: ${process.argv.slice(1).join(" ")}\n`,
      );
    }
  });
}

let restore: (() => void) | undefined;
let quietRun = false;

/** Whether the command that ran was given -q: its error, if any, is not printed (dvc's exit code stays). */
export function dvcQuietRun(): boolean {
  return quietRun;
}

/**
 * Only the CLI's own `error:` lines (usage errors, which dvc's argument parser prints whatever the level) get
 * through; dvc's `ERROR:` lines are logged, and -q's level hides them.
 */
function printOnlyErrors(): void {
  if (restore !== undefined) return;
  const { stdout, stderr } = process;
  const writes = { stdout: stdout.write, stderr: stderr.write };
  const swallow = (rest: unknown[]): true => {
    // A caller waiting on the write's callback (a flush before exit) still hears it.
    const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
    if (done !== undefined) process.nextTick(done);
    return true;
  };
  stdout.write = ((_chunk: unknown, ...rest: unknown[]) => swallow(rest)) as typeof stdout.write;
  stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
    if (!text.startsWith("error:")) return swallow(rest);
    return (writes.stderr as (...args: unknown[]) => boolean).call(stderr, chunk, ...rest);
  }) as typeof stderr.write;
  restore = () => {
    stdout.write = writes.stdout;
    stderr.write = writes.stderr;
    restore = undefined;
  };
}

/** Undoes `-q` once the command is over, for a caller that runs more than one command in its process. */
export function restoreDvcOutput(): void {
  restore?.();
}

/** Forgets -q once its command's error has been dealt with, for a caller that runs more than one command. */
export function endDvcQuietRun(): void {
  quietRun = false;
}
