/**
 * `flowops drift`: the offline drift report of two table files (CSV, Parquet, JSON lines: whatever src/tables
 * opens), the same report the server computes on live windows, for pipelines and notebooks. Wiring only:
 * read both files (readDriftTable), compare (detectDriftInParallel: worker threads for large files), print a
 * table or JSON, and write the HTML page when asked. Exit codes: 0 no dataset drift, 1 dataset drift,
 * 2 bad usage or an error (unreadable file, unknown column), so a pipeline stage can gate on it.
 */
import { writeFile } from "node:fs/promises";
import { Command, InvalidArgumentError } from "commander";
import { FlowOpsError } from "../errors.js";
import type { DriftOptions, DriftReport } from "../monitoring/drift/datasetDrift.js";
import { renderDriftHtml } from "../monitoring/drift/driftHtml.js";
import { readDriftTable } from "../monitoring/drift/driftTableReader.js";
import { detectDriftInParallel } from "../monitoring/drift/parallelDrift.js";
import {
  isStattestName,
  NUMERICAL_ONLY_STATTESTS,
  STATTEST_NAMES,
  type StattestName,
} from "../monitoring/drift/stattest.js";
import { openTable } from "../tables/openTable.js";
import { formatTable } from "./output.js";
import { columnList } from "./columnListOption.js";

export interface DriftCommandOptions {
  reference: string;
  current: string;
  columns?: string[] | undefined;
  categorical?: string[] | undefined;
  /** `column=method`, or a bare method for every column. */
  method?: string[] | undefined;
  /** `column=threshold`. */
  threshold?: string[] | undefined;
  driftShare?: number | undefined;
  json?: boolean | undefined;
  html?: string | undefined;
}

export const DRIFT_EXIT = { noDrift: 0, drift: 1, error: 2 } as const;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function shareArgument(value: string): number {
  const share = Number(value);
  if (value.trim() === "" || !(share >= 0 && share <= 1)) {
    throw new InvalidArgumentError("--drift-share must be a number between 0 and 1.");
  }
  return share;
}

export function driftCommand(): Command {
  return new Command("drift")
    .description("compare two data files column by column and report data drift")
    .requiredOption("--reference <file>", "the reference data (e.g. the training set)")
    .requiredOption("--current <file>", "the data to check (e.g. recent inputs)")
    .option("--columns <a,b>", "columns to compare (default: every column of the reference)", columnList)
    .option("--categorical <a,b>", "columns read as categories even when they hold numbers", columnList)
    .option(
      "--method <column=test>",
      `drift test of a column, or of every column without a column name; repeatable (${STATTEST_NAMES.join(", ")})`,
      collect,
    )
    .option("--threshold <column=value>", "threshold of a column's test; repeatable", collect)
    .option(
      "--drift-share <share>",
      "share of drifted columns that makes dataset drift (default 0.5)",
      shareArgument,
    )
    .option("--json", "print the report as JSON", false)
    .option("--html <file>", "also write a self-contained HTML report with a plot per column")
    .addHelpText(
      "after",
      "\nExit codes: 0 no dataset drift, 1 dataset drift, 2 bad usage or error.\n" +
        "Default tests as Evidently chooses them: numbers ks (<= 1000 reference rows) or wasserstein,\n" +
        "categories and numbers with <= 5 values chisquare/z or jensenshannon.",
    )
    .action(async (options: DriftCommandOptions) => {
      process.exitCode = await runDrift(options, { write: (text) => process.stdout.write(text) });
    });
}

/** Runs the comparison and prints it; returns the exit code. Errors of any kind are printed, not thrown (exit 2). */
export async function runDrift(
  options: DriftCommandOptions,
  io: { write: (text: string) => void; writeError?: (text: string) => void },
): Promise<number> {
  const writeError = io.writeError ?? ((text: string) => process.stderr.write(text));
  try {
    const report = await driftReportOf(options);
    if (options.html !== undefined) {
      await writeFile(
        options.html,
        renderDriftHtml(report, {
          subtitle: `${options.reference} (reference) vs ${options.current} (current)`,
        }),
      );
    }
    io.write(
      options.json === true ? `${JSON.stringify(report, null, 2)}\n` : describeReport(report, options),
    );
    return report.datasetDrift ? DRIFT_EXIT.drift : DRIFT_EXIT.noDrift;
  } catch (error) {
    // Every failure exits 2, not only FlowOps' own: the top-level handler's exit 1 would read as "drift".
    if (error instanceof FlowOpsError) writeError(`error: ${error.code}: ${error.message}\n`);
    else writeError(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return DRIFT_EXIT.error;
  }
}

async function driftReportOf(options: DriftCommandOptions): Promise<DriftReport> {
  const driftOptions = parseDriftOptions(options);
  const read = { columns: options.columns, categorical: options.categorical };
  const reference = await readDriftTable(openTable(options.reference, { columns: options.columns }), read);
  const current = await readDriftTable(openTable(options.current, { columns: options.columns }), read);
  return detectDriftInParallel(reference, current, driftOptions);
}

/** `--method`, `--threshold`, `--drift-share` and `--columns` as detectDrift's options. */
export function parseDriftOptions(options: DriftCommandOptions): DriftOptions {
  const perColumn: Record<string, { method?: StattestName; threshold?: number }> = {};
  let everyColumn: StattestName | undefined;
  for (const spec of options.method ?? []) {
    const [column, method] = spec.includes("=") ? splitPair(spec, "--method") : [undefined, spec.trim()];
    if (!isStattestName(method)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `--method ${spec}: unknown test '${method}'; known tests: ${STATTEST_NAMES.join(", ")}`,
      );
    }
    if (column === undefined) everyColumn = method;
    else perColumn[column] = { ...perColumn[column], method };
  }
  for (const spec of options.threshold ?? []) {
    const [column, text] = splitPair(spec, "--threshold");
    const threshold = Number(text);
    if (text === "" || !Number.isFinite(threshold) || threshold < 0) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `--threshold ${spec}: expected column=<non-negative number>, got '${text}'`,
      );
    }
    perColumn[column] = { ...perColumn[column], threshold };
  }
  return {
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    ...(options.driftShare === undefined ? {} : { driftShare: options.driftShare }),
    ...(Object.keys(perColumn).length === 0 ? {} : { perColumn }),
    // A bare --method applies to every column it can judge (ks and wasserstein only to numbers); a column's
    // own method still wins.
    ...(everyColumn === undefined ? {} : { numericalMethod: everyColumn }),
    ...(everyColumn === undefined || NUMERICAL_ONLY_STATTESTS.has(everyColumn)
      ? {}
      : { categoricalMethod: everyColumn }),
  };
}

function splitPair(spec: string, option: string): [string, string] {
  const at = spec.indexOf("=");
  const column = spec.slice(0, at).trim();
  if (at < 0 || column === "") {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${option} ${spec}: expected column=value`);
  }
  return [column, spec.slice(at + 1).trim()];
}

function describeReport(report: DriftReport, options: DriftCommandOptions): string {
  const rows = report.columns.map((column) => [
    column.column,
    column.columnType,
    column.method,
    formatScore(column.score),
    String(column.threshold),
    column.drifted ? "DRIFTED" : "ok",
  ]);
  const table = formatTable(["column", "type", "test", "score", "threshold", "drift"], rows);
  const verdict = report.datasetDrift ? "Dataset drift" : "No dataset drift";
  const summary =
    `${verdict}: ${report.driftedColumns} of ${report.columns.length} columns drifted ` +
    `(share ${formatScore(report.share)}, threshold ${report.driftShare}).`;
  const html = options.html === undefined ? "" : `\nHTML report: ${options.html}`;
  return `${table}\n\n${summary}${html}\n`;
}

function formatScore(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e-4 || value === 0 ? value.toPrecision(4) : value.toExponential(3);
}
