/**
 * The quick commands (data, repro, dag, params, metrics) on their own, for a bundle without code splitting
 * (scripts/bundleCli.mjs builds it as dist/bundle/quick.cjs; bin/flowops.js runs it, through V8's code cache,
 * when one of them is the first argument). These are judged against dvc by their start-up time, and Node 20 loads an ES module graph file by
 * file: the split bundle made an unchanged `data status` load ~20 files and a no-op `repro` ~35, while this one
 * is one file, at ~20 ms less CPU each on this VM. Their rarely used paths (push to S3, dataset profiles) come
 * inlined; the packages kept external (the AWS SDK, onnxruntime) still load only on use. better-sqlite3, which
 * every one of them opens, is inside it.
 */
import { dataCommand } from "./data.js";
import { dagCommand, metricsCommand, paramsCommand } from "./pipelineInspect.js";
import { runCommandLine, type CommandTable } from "./program.js";
import { reproCommand } from "./repro.js";

/** In main.ts's help order; bin/flowops.js lists the same names (test/quickMain.test.ts holds them equal). */
export const QUICK_COMMANDS: CommandTable = [
  ["data", () => Promise.resolve(dataCommand())],
  ["repro", () => Promise.resolve(reproCommand())],
  ["dag", () => Promise.resolve(dagCommand())],
  ["params", () => Promise.resolve(paramsCommand())],
  ["metrics", () => Promise.resolve(metricsCommand())],
];

export async function main(argv: string[]): Promise<number> {
  return runCommandLine(argv, QUICK_COMMANDS);
}
