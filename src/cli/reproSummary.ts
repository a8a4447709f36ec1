/**
 * The closing line of `flowops repro`: which stages failed and where their logs are, or that data and
 * pipelines are up to date. Only the summary; each stage's own line is printed as it ends (repro.ts).
 */
import { dirname, sep } from "node:path";
import type { ReproResult } from "../pipelines/repro.js";

/** The options the summary depends on. */
export interface SummaryOptions {
  ignoreErrors?: boolean;
  quiet?: boolean;
}

/** Prints the failure or up-to-date summary; answers whether something was reproduced, as dvc's CmdRepro counts. */
export function printSummary(
  result: ReproResult,
  named: (name: string) => string,
  opts: SummaryOptions,
): boolean {
  const failed = result.stages.filter((s) => s.outcome === "failed").map((s) => `'${named(s.name)}'`);
  if (opts.ignoreErrors === true) return false;
  if (failed.length > 0) {
    process.stderr.write(`ERROR: failed to reproduce ${failed.join(", ")}${logsUnder(result)}\n`);
    // A failed data source's line, printed as it failed, says it all: it ran no command, so it has no log.
  } else if (result.dataSources.some((source) => source.outcome === "failed")) {
    return false;
  } else if (result.stages.some((s) => s.outcome === "cancelled")) {
    // Interrupted: nothing was reproduced to push, and dvc's KeyboardInterrupt prints no closing line either.
    return false;
  } else if (
    opts.quiet !== true &&
    result.stages.every((s) => s.outcome === "skipped" && s.wouldRun !== true) &&
    result.dataSources.every((source) => source.outcome === "skipped" && source.wouldVerify !== true)
  ) {
    process.stdout.write("Data and pipelines are up to date.\n");
  } else return true;
  return false;
}

/**
 * Where the failed stages' logs are, taken from a log one of them wrote: a stage that failed before its
 * command ran (a GPU request no machine meets, a dep that cannot be hashed) wrote none, and the run's log
 * directory may never have been created, so then the summary names no directory.
 */
function logsUnder(result: ReproResult): string {
  const logged = result.stages.find((s) => s.outcome === "failed" && s.logPath !== undefined)?.logPath;
  return logged === undefined ? "" : `; logs under ${dirname(logged).split(sep).join("/")}/`;
}
