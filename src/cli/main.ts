/**
 * The `flowops` command: wiring only. Each subcommand parses its options, calls a capability, and formats
 * the result (text, or JSON with --json). Exit codes: 0 success, 1 failure of the work, 2 bad usage.
 */
import { Command, CommanderError } from "commander";
import { FlowOpsError } from "../errors.js";
import { FLOWOPS_VERSION } from "../version.js";

type CommandLoader = () => Promise<Command>;

/**
 * Each top-level command with the module that defines it, in help order. Modules are imported only when their
 * command is named on the command line, so `flowops data status` does not pay for the server, the database
 * layer or zod: start-up time is most of a no-op command's time.
 */
const COMMANDS: ReadonlyArray<readonly [string, CommandLoader]> = [
  ["quickstart", async () => (await import("./quickstart.js")).quickstartCommand()],
  ["server", async () => (await import("./server.js")).serverCommand()],
  ["experiments", async () => (await import("./experiments.js")).experimentsCommand()],
  ["runs", async () => (await import("./runs.js")).runsCommand()],
  ["models", async () => (await import("./models.js")).modelsCommand()],
  ["data", async () => (await import("./data.js")).dataCommand()],
  ["repro", async () => (await import("./repro.js")).reproCommand()],
  ["dag", async () => (await import("./pipelineInspect.js")).dagCommand()],
  ["params", async () => (await import("./pipelineInspect.js")).paramsCommand()],
  ["metrics", async () => (await import("./pipelineInspect.js")).metricsCommand()],
  ["pipeline", async () => (await import("./pipelineTrigger.js")).pipelineCommand()],
  ["validate", async () => (await import("./quality.js")).validateCommand()],
  ["evaluate", async () => (await import("./quality.js")).evaluateCommand()],
  ["fairness", async () => (await import("./quality.js")).fairnessCommand()],
  ["gate", async () => (await import("./quality.js")).gateCommand()],
  ["serve", async () => (await import("./serve.js")).serveCommand()],
  ["predict", async () => (await import("./predict.js")).predictCommand()],
  ["deploy", async () => (await import("./deploy.js")).deployCommand()],
  ["rollout", async () => (await import("./rollout.js")).rolloutCommand()],
  ["drift", async () => (await import("./drift.js")).driftCommand()],
  ["monitor", async () => (await import("./monitor.js")).monitorCommand()],
];

/** The first argument that is not an option: the command to load, if it is one of ours. */
function commandNamed(argv: readonly string[]): string | undefined {
  const first = argv.slice(2).find((arg) => !arg.startsWith("-"));
  return COMMANDS.some(([name]) => name === first) ? first : undefined;
}

/**
 * The program with every command, or only the one `argv` names (help and unknown commands load them all, so
 * listings and "unknown command" suggestions stay complete; `--version` alone loads none).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command("flowops")
    .description("FlowOps: MLOps from data to production, compatible with MLflow and DVC.")
    .version(FLOWOPS_VERSION)
    // `flowops gate --version 3` is the gate's option: the program's own -V/--version only before a command.
    .enablePositionalOptions()
    .exitOverride();
  const only = argv === undefined ? undefined : commandNamed(argv);
  const versionOnly = argv !== undefined && argv.length === 3 && ["-V", "--version"].includes(argv[2] ?? "");
  for (const [name, load] of COMMANDS) {
    if (!versionOnly && (only === undefined || only === name)) program.addCommand(await load());
  }
  // addCommand does not inherit settings: make every subcommand report usage errors to main() (exit 2).
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : 2;
    }
    if (error instanceof FlowOpsError) {
      process.stderr.write(`error: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
