/**
 * The `flowops` command with every command (program.ts runs it). quickMain.ts is the same for the quick
 * commands alone, in a bundle of its own.
 */
import { EXIT_CODES, runCommandLine, type CommandTable } from "./program.js";

export { EXIT_CODES };

/**
 * Each top-level command with the module that defines it, in help order. Modules are imported only when their
 * command is named on the command line, so `flowops data status` does not pay for the server, the database
 * layer or zod: start-up time is most of a no-op command's time.
 */
export const COMMANDS: CommandTable = [
  ["quickstart", async () => (await import("./quickstart.js")).quickstartCommand()],
  ["server", async () => (await import("./server.js")).serverCommand()],
  ["experiments", async () => (await import("./experiments.js")).experimentsCommand()],
  ["runs", async () => (await import("./runs.js")).runsCommand()],
  ["models", async () => (await import("./models.js")).modelsCommand()],
  ["data", async () => (await import("./data.js")).dataCommand()],
  ["repro", async () => (await import("./repro.js")).reproCommand()],
  ["stage", async () => (await import("./stage.js")).stageCommand()],
  ["dag", async () => (await import("./pipelineInspect.js")).dagCommand()],
  ["params", async () => (await import("./pipelineInspect.js")).paramsCommand()],
  ["metrics", async () => (await import("./pipelineInspect.js")).metricsCommand()],
  ["plots", async () => (await import("./plots.js")).plotsCommand()],
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

export async function main(argv: string[]): Promise<number> {
  return runCommandLine(argv, COMMANDS);
}
