// Repro's progress lines, in dvc's words: what `flowops repro` prints as each stage and data source finishes.
import { relative, sep } from "node:path";
import type { ReproEvent, StageResult } from "../pipelines/repro.js";
import type { DataSourceResult } from "../pipelines/dataSources.js";
import type { StageChange } from "../pipelines/stageStatus.js";

export interface ReproPrinterOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  ignoreErrors?: boolean;
}

/** Progress lines as DVC words them, plus the output of each stage prefixed with its name. */
export function reproPrinter(
  opts: ReproPrinterOptions,
  named: (name: string) => string,
): (event: ReproEvent) => void {
  const out = opts.json === true ? process.stderr : process.stdout;
  const quiet = opts.quiet === true;
  return (event) => {
    switch (event.type) {
      case "plan":
        return;
      case "stage-start": {
        if (quiet) return;
        const gpus = event.gpus === undefined ? "" : ` on GPU ${event.gpus.join(",")}`;
        const attempt = event.attempt > 1 ? ` (attempt ${event.attempt})` : "";
        const why = opts.verbose === true ? `Reason: ${describeChanges(event.changes)}\n` : "";
        out.write(
          `Running stage '${named(event.stage)}'${gpus}${attempt}:\n${why}${commandLines(event.cmd)}`,
        );
        return;
      }
      case "output":
        out.write(`[${named(event.stage)}] ${event.line}\n`);
        return;
      case "retry":
        if (quiet) return;
        out.write(`Stage '${named(event.stage)}' failed; retrying (attempt ${event.attempt}).\n`);
        return;
      case "warning":
        if (quiet) return;
        process.stderr.write(`WARNING: ${event.message}\n`);
        return;
      case "stage-end":
        if (quiet && event.result.outcome !== "failed") return;
        out.write(stageLine(event.result, named, opts.ignoreErrors === true));
        return;
      case "data-source":
        if (quiet && event.result.outcome !== "failed") return;
        out.write(dataSourceLine(event.result, relativeTo(process.cwd()), opts.ignoreErrors === true));
        return;
    }
  };
}

/** A `.dvc` file's line, in dvc's words (its `Stage.reproduce` and `run`). */
function dataSourceLine(result: DataSourceResult, named: (abs: string) => string, ignored: boolean): string {
  const name = `'${named(result.dvcFile)}'`;
  const importing =
    result.importing === undefined
      ? ""
      : `Importing '${result.importing.source}' -> '${result.importing.out}'\n`;
  switch (result.outcome) {
    case "imported":
      return importing;
    case "verified":
      return result.frozenImport === true
        ? `Verifying outputs in frozen stage: ${name}\n`
        : `Verifying data sources in stage: ${name}\n`;
    case "skipped":
      if (importing !== "") return importing;
      if (result.wouldVerify === true)
        return `Would verify data sources in stage: ${name}: ${describeOutChanges(result.changes, named)}\n`;
      return `${name} didn't change, skipping\n`;
    case "failed": {
      const failure = result.message ?? `failed to reproduce ${name}`;
      const verifying = result.frozenImport === true ? `Verifying outputs in frozen stage: ${name}\n` : "";
      return importing + verifying + (ignored ? `WARNING: ${failure} (ignored)\n` : `ERROR: ${failure}\n`);
    }
  }
}

function describeOutChanges(changes: DataSourceResult["changes"], named: (abs: string) => string): string {
  if (changes.length === 0) return "forced";
  return changes.map((change) => `out '${named(change.path)}' ${change.status}`).join(", ");
}

export function relativeTo(cwd: string): (abs: string) => string {
  return (abs) => relative(cwd, abs).split(sep).join("/");
}

function stageLine(result: StageResult, named: (name: string) => string, ignored: boolean): string {
  const name = `'${named(result.name)}'`;
  switch (result.outcome) {
    case "ran":
      return `Stage ${name} ran in ${((result.durationMs ?? 0) / 1000).toFixed(1)} s.\n`;
    case "restored":
      return `Stage ${name} is cached - skipping run, checking out outputs\n`;
    case "skipped":
      if (result.wouldRun === true)
        return `Would run stage ${name}: ${describeChanges(result.changes)}\n${commandLines(result.cmd ?? [])}`;
      if (result.message === "frozen") return `Stage ${name} is frozen: outputs verified, not run.\n`;
      // DVC's words; like DVC, a pulled stage is not a reproduced one, so the summary still says up to date.
      if (result.message === "pulled") return `Pulling data for stage: ${name}\n`;
      return `Stage ${name} didn't change, skipping\n`;
    case "failed": {
      const log = result.logPath === undefined ? "" : ` (log: ${result.logPath})`;
      const tail = result.logTail ? `${indent(result.logTail)}\n` : "";
      const failure = `${result.message ?? `failed to reproduce ${name}`}${log}`;
      return ignored ? `WARNING: ${failure} (ignored)\n${tail}` : `ERROR: ${failure}\n${tail}`;
    }
    case "not-run-upstream-failed":
      return `Stage ${name} not run: ${result.message ?? "an upstream stage failed"}\n`;
    case "cancelled":
      // Stopped by another stage's failure (the message says which), or by an interrupt.
      return result.message !== undefined ? `Stage ${name} ${result.message}\n` : `Stage ${name} cancelled\n`;
  }
}

/** Each command line as dvc prints it before running it. */
function commandLines(cmd: readonly string[]): string {
  return cmd.map((line) => `> ${line}\n`).join("");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

export function describeChanges(changes: readonly StageChange[]): string {
  if (changes.length === 0) return "forced";
  return changes
    .map((change) => {
      switch (change.kind) {
        case "cmd":
          return "command changed";
        case "always-changed":
          return change.why === "callback" ? "callback stage (always runs)" : "always_changed";
        case "deps":
          return `dep '${change.path}' ${change.status}`;
        case "params":
          return change.key === undefined
            ? `params '${change.file}' ${change.status}`
            : `param '${change.key}' (${change.file}) ${change.status}`;
        case "outs":
          return `out '${change.path}' ${change.status}`;
      }
    })
    .join(", ");
}
