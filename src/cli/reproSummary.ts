/**
 * The closing line of `flowops repro`: which stages failed and why, or that data and pipelines are up to
 * date. Only the summary; each stage's own line is printed as it ends (repro.ts).
 */
import type { ReproResult, StageResult } from "../pipelines/repro.js";
import type { DataSourceResult } from "../pipelines/dataSources.js";
import { failureCause, relativeTo } from "./reproProgress.js";

/** The options the summary depends on. */
export interface SummaryOptions {
  ignoreErrors?: boolean;
  keepGoing?: boolean;
  quiet?: boolean;
}

/**
 * Prints dvc's closing error for failed stages, or that data and pipelines are up to date; answers whether
 * something was reproduced, as dvc's CmdRepro counts. dvc stops at the first failure and names it with its
 * cause; with --keep-going it names every failed stage and data source in the order they ran, without causes
 * (each was warned of as it failed); with --ignore-errors it names none and goes on as if they had not been
 * planned.
 */
export function printSummary(
  result: ReproResult,
  named: (name: string) => string,
  opts: SummaryOptions,
): boolean {
  const failed = result.stages.filter((s) => s.outcome === "failed");
  const failedSources = result.dataSources.filter((source) => source.outcome === "failed");
  if (opts.ignoreErrors !== true && (failed.length > 0 || failedSources.length > 0)) {
    // dvc's -q hides its closing error too: only the exit status tells.
    if (opts.quiet === true) return false;
    if (opts.keepGoing === true) {
      const sourceName = relativeTo(process.cwd());
      const names = result.failures.map((failure) =>
        "stage" in failure ? `'${named(failure.stage)}'` : `'${sourceName(failure.dataSource)}'`,
      );
      process.stderr.write(
        `ERROR: failed to reproduce${names.length > 1 ? " stages:" : ""} ${humanJoin(names)}\n`,
      );
    } else if (failed.length > 0) {
      const names = failed.map((s) => `'${named(s.name)}'`);
      process.stderr.write(
        `ERROR: failed to reproduce ${names.join(", ")}: ${failureCause(failed[0] as StageResult)}\n`,
      );
    }
    // Otherwise a data source failed and stopped the run: its line, printed as it failed, says it all.
    return false;
  } else if (result.stages.some((s) => s.outcome === "cancelled")) {
    // Interrupted: nothing was reproduced to push, and dvc's KeyboardInterrupt prints no closing line either.
    return false;
  } else if (
    opts.quiet !== true &&
    result.stages.every((s) => isUpToDate(s, opts)) &&
    result.dataSources.every((source) => isSourceUpToDate(source, opts))
  ) {
    process.stdout.write("Data and pipelines are up to date.\n");
  } else {
    // Something reproduced: a stage that ran or an import brought up to date (dvc counts both).
    return true;
  }
  return false;
}

/** A data source that reproduced nothing; with --ignore-errors a failed one is one too, as a failed stage. */
function isSourceUpToDate(source: DataSourceResult, opts: SummaryOptions): boolean {
  if (opts.ignoreErrors === true && source.outcome === "failed") return true;
  return source.outcome === "skipped" && source.wouldVerify !== true;
}

/**
 * A stage that reproduced nothing; an ignored failure (or what it kept from running) is one too. A frozen
 * stage that got past the change check (changed, or forced) is not: dvc's `Stage.reproduce` returns it, its
 * outputs verified or, under --dry, not even that, and CmdRepro counts it.
 */
function isUpToDate(stage: StageResult, opts: SummaryOptions): boolean {
  if (opts.ignoreErrors === true && stage.outcome === "failed") return true;
  return stage.outcome === "skipped" && stage.wouldRun !== true && stage.message !== "frozen";
}

/** dvc's `humanize.join`: `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`. */
function humanJoin(words: readonly string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : (words[0] ?? "");
}
