/**
 * Runs the `flowops` command line over a given set of commands: wiring only. Each subcommand parses its
 * options, calls a capability, and formats the result (text, or JSON with --json). Exit codes are decided
 * here, once for every command: see EXIT_CODES. main.ts runs it over every command, quickMain.ts over the
 * quick ones (bin/flowops.js picks).
 */
import { Command, CommanderError } from "commander";
import { describeFileError, FlowOpsError, systemErrorCode } from "../errors.js";
import { DVC_COMMANDS, dvcExitCode } from "./dvcExitCodes.js";
import { dvcErrorLines } from "./dvcErrorLine.js";
import { addDvcLogLevelOptions, dvcQuietRun, endDvcQuietRun, restoreDvcOutput } from "./dvcLogLevel.js";
import { FLOWOPS_VERSION } from "../version.js";

/**
 * 0 success; 1 the command's check said no (gate failed, validation failed, dataset drift, rollout Degraded,
 * alert firing, `data status -q` found changes); 2 bad usage or an error, so a script can tell "no" from
 * "could not tell", as grep and diff do. Commands set 1 themselves (process.exitCode); errors reach main().
 * dvc's commands (data, repro, dag, params, metrics) exit as dvc does instead: see dvcExitCodes.ts.
 */
export const EXIT_CODES = { success: 0, negative: 1, error: 2 } as const;

export type CommandLoader = () => Promise<Command>;
/** Each top-level command with what defines it, in help order. */
export type CommandTable = ReadonlyArray<readonly [string, CommandLoader]>;

/** The first argument that is not an option: the command to load, if it is one of ours. */
function commandNamed(argv: readonly string[], commands: CommandTable): string | undefined {
  const first = argv.slice(2).find((arg) => !arg.startsWith("-"));
  return commands.some(([name]) => name === first) ? first : undefined;
}

/**
 * The program with every command, or only the one `argv` names (help and unknown commands load them all, so
 * listings and "unknown command" suggestions stay complete; `--version` alone loads none).
 */
export async function buildProgram(commands: CommandTable, argv?: readonly string[]): Promise<Command> {
  const program = new Command("flowops")
    .description("FlowOps: MLOps from data to production, compatible with MLflow and DVC.")
    .version(FLOWOPS_VERSION)
    // `flowops gate --version 3` is the gate's option: the program's own -V/--version only before a command.
    .enablePositionalOptions()
    .exitOverride();
  const only = argv === undefined ? undefined : commandNamed(argv, commands);
  const versionOnly = argv !== undefined && argv.length === 3 && ["-V", "--version"].includes(argv[2] ?? "");
  for (const [name, load] of commands) {
    if (!versionOnly && (only === undefined || only === name)) program.addCommand(await load());
  }
  // addCommand does not inherit settings: make every subcommand report usage errors to main() (exit 2).
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  for (const command of program.commands)
    if (DVC_COMMANDS.has(command.name())) addDvcLogLevelOptions(command);
  return program;
}

export async function runCommandLine(argv: string[], commands: CommandTable): Promise<number> {
  ignoreClosedOutput();
  // The AWS SDK warns on every S3 command under Node 20 that its releases from 2027 will need Node 22. That
  // concerns whoever upgrades our pinned SDK, not the user, and it breaks output that must match dvc's.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const program = await buildProgram(commands, argv);
  try {
    await program.parseAsync(argv);
    restoreDvcOutput();
    endDvcQuietRun();
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_CODES.success;
  } catch (error) {
    restoreDvcOutput();
    const quiet = dvcQuietRun();
    endDvcQuietRun();
    const command = commandNamed(argv, commands);
    // dvc's commands keep dvc's exit codes (dvcExitCodes.ts), so scripts written for dvc work unchanged.
    const dvc = command !== undefined && DVC_COMMANDS.has(command);
    if (error instanceof CommanderError) {
      const shown = error.code === "commander.helpDisplayed" || error.code === "commander.version";
      if (shown) return EXIT_CODES.success;
      return dvc ? dvcExitCode(argv, error) : EXIT_CODES.error;
    }
    if (!dvc) {
      process.stderr.write(`error: ${errorMessage(error)}\n`);
      return EXIT_CODES.error;
    }
    // dvc's commands end as dvc's do (`ERROR: <message>`), so a script or a reader sees dvc's line.
    const exitCode = dvcExitCode(argv, error);
    if (!quiet) process.stderr.write(dvcErrorLines(error, exitCode, plainMessage(error)));
    return exitCode;
  }
}

/**
 * `flowops repro | head -1`: once the reader has gone, writes fail with EPIPE, which would crash the command
 * midway through a stage. The command finishes its work instead, its output discarded.
 */
function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount("error") > 0) continue;
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}

/** One line for anything thrown: FlowOpsError's code and message; a filesystem error's path and reason. */
function errorMessage(error: unknown): string {
  return error instanceof FlowOpsError ? `${error.code}: ${error.message}` : plainMessage(error);
}

/** The message alone: a FlowOpsError's, a filesystem error's path and reason, else what was thrown. */
function plainMessage(error: unknown): string {
  if (error instanceof FlowOpsError) return error.message;
  const path = typeof error === "object" && error !== null ? (error as { path?: unknown }).path : undefined;
  if (systemErrorCode(error) !== undefined && typeof path === "string") {
    return `${path}: ${describeFileError(error)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
