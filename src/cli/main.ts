/**
 * The `flowops` command: wiring only. Each subcommand parses its options, calls a capability, and formats
 * the result (text, or JSON with --json). Exit codes: 0 success, 1 failure of the work, 2 bad usage.
 */
import { Command, CommanderError } from "commander";
import { FlowOpsError } from "../errors.js";
import { FLOWOPS_VERSION } from "../version.js";
import { dataCommand } from "./data.js";
import { experimentsCommand } from "./experiments.js";
import { modelsCommand } from "./models.js";
import { pipelineCommand } from "./pipelineTrigger.js";
import { dagCommand, metricsCommand, paramsCommand } from "./pipelineInspect.js";
import { quickstartCommand } from "./quickstart.js";
import { reproCommand } from "./repro.js";
import { runsCommand } from "./runs.js";
import { serverCommand } from "./server.js";

export function buildProgram(): Command {
  const program = new Command("flowops")
    .description("FlowOps: MLOps from data to production, compatible with MLflow and DVC.")
    .version(FLOWOPS_VERSION)
    .exitOverride();
  program.addCommand(quickstartCommand());
  program.addCommand(serverCommand());
  program.addCommand(experimentsCommand());
  program.addCommand(runsCommand());
  program.addCommand(modelsCommand());
  program.addCommand(dataCommand());
  program.addCommand(reproCommand());
  program.addCommand(dagCommand());
  program.addCommand(paramsCommand());
  program.addCommand(metricsCommand());
  program.addCommand(pipelineCommand());
  // addCommand does not inherit settings: make every subcommand report usage errors to main() (exit 2).
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
