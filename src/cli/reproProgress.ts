// Repro's progress lines, in dvc's words: what `flowops repro` prints as each stage and data source finishes.
import { relative, sep } from "node:path";
import type { ReproEvent, StageResult } from "../pipelines/repro.js";
import type { DataSourceResult } from "../pipelines/dataSources.js";
import type { StageChange } from "../pipelines/stageStatus.js";
import { ReproStageBreaks } from "./reproStageBreaks.js";

export interface ReproPrinterOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  keepGoing?: boolean;
  ignoreErrors?: boolean;
}

/** Progress lines as DVC words them, plus the output of each stage prefixed with its name. */
export function reproPrinter(
  opts: ReproPrinterOptions,
  named: (name: string) => string,
  breaks: ReproStageBreaks = new ReproStageBreaks(progressStream(opts), opts.quiet === true),
): (event: ReproEvent) => void {
  const out = progressStream(opts);
  const quiet = opts.quiet === true;
  return (event) => {
    switch (event.type) {
      case "plan":
        return;
      case "stage-start": {
        breaks.beginStage(event.stage);
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
        if (!isNotRun(event.result)) breaks.beginStage(event.result.name);
        breaks.stageEnded(event.result);
        if (event.result.outcome === "failed") return stageFailed(event.result, opts, out, named);
        if (quiet) return;
        // dvc says nothing of the stages a failure keeps from running; -v tells which and why.
        if (!isNotRun(event.result) || opts.verbose === true)
          out.write(stageLine(event.result, named, opts.verbose === true));
        out.write(lockFileLines(event.result));
        return;
      case "data-source":
        breaks.beginDataSource(event.result.dvcFile);
        breaks.dataSourceEnded(event.result);
        if (event.result.outcome === "failed") return dataSourceFailed(event.result, opts, out);
        if (!quiet) out.write(dataSourceLine(event.result, relativeTo(process.cwd())));
        return;
    }
  };
}

/** Where the progress lines go: stderr with --json, so stdout holds only the JSON. */
export function progressStream(opts: ReproPrinterOptions): NodeJS.WritableStream {
  return opts.json === true ? process.stderr : process.stdout;
}

/**
 * A failed stage, laid out as dvc's `_reproduce`: by default nothing until the closing
 * `ERROR: failed to reproduce '<stage>': <cause>` (reproSummary); with --keep-going `WARNING: <cause>`, with
 * --ignore-errors `WARNING: <cause> (ignored)`, on stderr as it fails. -v adds FlowOps' log file and its tail.
 */
function stageFailed(
  result: StageResult,
  opts: ReproPrinterOptions,
  out: NodeJS.WritableStream,
  named: (name: string) => string,
): void {
  // A frozen stage fails as its outputs are verified, after dvc has said so.
  if (result.verifiedFrozen === true && opts.quiet !== true) out.write(frozenLine(named(result.name)));
  if (opts.verbose === true && result.logPath !== undefined) {
    const tail = result.logTail ? `${indent(result.logTail)}\n` : "";
    out.write(`Stage '${result.name}' log: ${result.logPath}\n${tail}`);
  }
  if (opts.quiet === true) return;
  if (opts.ignoreErrors === true) process.stderr.write(`WARNING: ${failureCause(result)} (ignored)\n`);
  else if (opts.keepGoing === true) process.stderr.write(`WARNING: ${failureCause(result)}\n`);
}

/**
 * What made a stage fail, without the stage's name that FlowOps' messages lead with: dvc prints the cause
 * after `failed to reproduce '<stage>': `, or alone in a --keep-going warning.
 */
export function failureCause(result: StageResult): string {
  const message = result.message ?? "";
  for (const prefix of [`failed to reproduce '${result.name}': `, `stage '${result.name}': `]) {
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  }
  return message;
}

/** Stages a failure (or an interrupt after one) kept from running. */
function isNotRun(result: StageResult): boolean {
  return (
    result.outcome === "not-run-upstream-failed" ||
    (result.outcome === "cancelled" && result.message !== undefined)
  );
}

/**
 * A `.dvc` file that failed, as dvc's `Stage.run` then `_reproduce` say it: what it was doing on stdout
 * (importing, or verifying its data), then the failure on stderr: dvc's closing error naming it with its
 * cause (nothing follows, as it stops there), `WARNING: <cause>` under --keep-going, with " (ignored)"
 * under --ignore-errors. -q hides it all, the error too, as dvc's -q.
 */
function dataSourceFailed(
  result: DataSourceResult,
  opts: ReproPrinterOptions,
  out: NodeJS.WritableStream,
): void {
  const name = `'${relativeTo(process.cwd())(result.dvcFile)}'`;
  const failure = result.message ?? `failed to reproduce ${name}`;
  const cause = failure.startsWith(`failed to reproduce ${name}: `)
    ? failure.slice(`failed to reproduce ${name}: `.length)
    : failure;
  if (opts.quiet === true) return;
  const importing =
    result.importing === undefined
      ? ""
      : `Importing '${result.importing.source}' -> '${result.importing.out}'\n`;
  const verifying =
    result.verifying !== true
      ? ""
      : result.frozenImport === true
        ? `Verifying outputs in frozen stage: ${name}\n`
        : `Verifying data sources in stage: ${name}\n`;
  out.write(importing + verifying);
  if (opts.ignoreErrors === true) process.stderr.write(`WARNING: ${cause} (ignored)\n`);
  else if (opts.keepGoing === true) process.stderr.write(`WARNING: ${cause}\n`);
  else process.stderr.write(`ERROR: ${failure}\n`);
}

/** A `.dvc` file's line, in dvc's words (its `Stage.reproduce` and `run`); its failure is dataSourceFailed's. */
function dataSourceLine(result: DataSourceResult, named: (abs: string) => string): string {
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
      // dvc's dry `run` of a data source says nothing; the blank line after it still marks it reproduced.
      if (result.wouldVerify === true) return "";
      // Announced as the pull began (repro.ts); checked out, it was not reproduced.
      if (result.pulled === true) return "";
      return `${name} didn't change, skipping\n`;
    case "failed":
      return "";
  }
}

export function relativeTo(cwd: string): (abs: string) => string {
  return (abs) => relative(cwd, abs).split(sep).join("/");
}

/**
 * A stage `--dry` would run, as dvc's dry `run_stage` says it: the run-cache's restore first (which under
 * --dry only says it would check the outputs out), then `cmd_run`'s announcement and command echo; -v adds
 * FlowOps' reason, as before a real run.
 */
function dryRunLines(result: StageResult, name: string, verbose: boolean): string {
  const cached =
    result.cachedRun === true ? `Stage ${name} is cached - skipping run, checking out outputs\n` : "";
  const why = verbose ? `Reason: ${describeChanges(result.changes)}\n` : "";
  return `${cached}Running stage ${name}:\n${why}${commandLines(result.cmd ?? [])}`;
}

function stageLine(result: StageResult, named: (name: string) => string, verbose = false): string {
  const name = `'${named(result.name)}'`;
  switch (result.outcome) {
    case "ran":
      return `Stage ${name} ran in ${((result.durationMs ?? 0) / 1000).toFixed(1)} s.\n`;
    case "restored":
      return `Stage ${name} is cached - skipping run, checking out outputs\n`;
    case "skipped":
      if (result.wouldRun === true) return dryRunLines(result, name, verbose);
      // A changed frozen stage under --dry: dvc's `run` neither verifies nor runs it, and says nothing.
      if (result.wouldRun === false) return "";
      if (result.verifiedFrozen === true) return frozenLine(named(result.name));
      // Announced as the pull began (repro.ts); like DVC, a pulled stage is not a reproduced one, so the
      // summary still says up to date.
      if (result.message === "pulled") return "";
      return `Stage ${name} didn't change, skipping\n`;
    case "failed":
      return "";
    case "not-run-upstream-failed":
      return `Stage ${name} not run: ${result.message ?? "an upstream stage failed"}\n`;
    case "cancelled":
      // Stopped by another stage's failure (the message says which), or by an interrupt.
      return result.message !== undefined ? `Stage ${name} ${result.message}\n` : `Stage ${name} cancelled\n`;
  }
}

/**
 * dvc's `ProjectFile.dump_stages` after a stage ran, was restored or had its frozen outputs verified, when
 * its dvc.lock entry changed: the lock file named from the cwd, "Generating" first when it held nothing before.
 */
function lockFileLines(result: StageResult): string {
  const recorded =
    result.outcome === "ran" || result.outcome === "restored" || result.verifiedFrozen === true;
  if (result.lockFile === undefined || !recorded) return "";
  const path = relativeTo(process.cwd())(result.lockFile.path);
  const generating = result.lockFile.generated ? `Generating lock file '${path}'\n` : "";
  return `${generating}Updating lock file '${path}'\n`;
}

/** dvc's `Stage.run` of a frozen stage, as it checks the outputs are there; whether they are or not. */
function frozenLine(name: string): string {
  return `Verifying outputs in frozen stage: '${name}'\n`;
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
