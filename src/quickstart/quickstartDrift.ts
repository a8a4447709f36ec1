/**
 * The quickstart's drift phase, seen from the outside: the reference profile of a version's training data
 * (stored with the version, so the server's drift monitor can compare each window of the endpoint's live
 * inputs with it), and the wait for the server to report dataset drift after the market shifted.
 */
import { readFile } from "node:fs/promises";
import type { DriftReportEntry, FlowOpsClient } from "../client/index.js";
import { FlowOpsError } from "../errors.js";
import type { DriftReport, DriftTable } from "../monitoring/drift/datasetDrift.js";
import { buildProfile, type ReferenceProfile } from "../monitoring/drift/referenceProfile.js";
import { FEATURE_COLUMNS } from "./customerData.js";

const POLL_MS = 500;

/** The model's input columns of a customers CSV, as a drift table. */
export async function featureTable(file: string): Promise<DriftTable> {
  const lines = (await readFile(file, "utf8")).split("\n").filter((line) => line !== "");
  const header = (lines[0] ?? "").split(",");
  const indexes = FEATURE_COLUMNS.map((name) => {
    const index = header.indexOf(name);
    if (index < 0) throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${file}: no column '${name}'`);
    return index;
  });
  const columns = FEATURE_COLUMNS.map(() => new Float64Array(lines.length - 1));
  for (let row = 1; row < lines.length; row++) {
    const cells = (lines[row] as string).split(",");
    indexes.forEach((index, j) => ((columns[j] as Float64Array)[row - 1] = Number(cells[index])));
  }
  return FEATURE_COLUMNS.map((name, j) => ({ name, values: columns[j] as Float64Array }));
}

export async function trainingProfile(file: string): Promise<ReferenceProfile> {
  return buildProfile(await featureTable(file));
}

export interface DriftFound {
  /** The first report of dataset drift in a window that closed after the shift. */
  report: DriftReportEntry;
  /** Windows the server judged after the shift, the drifted one included. */
  windowsAfterShift: number;
  /** From the shift to the report. */
  secondsAfterShift: number;
}

/**
 * Polls the server's drift reports of `endpoint` until a window that ended after `shiftAt` (epoch ms) shows
 * dataset drift; fails after `timeoutSeconds`.
 */
export async function waitForDrift(
  client: FlowOpsClient,
  endpoint: string,
  shiftAt: number,
  timeoutSeconds: number,
): Promise<DriftFound> {
  const seen = new Set<number>();
  for (;;) {
    const { reports } = await client.monitoring.driftReports(endpoint, { limit: 20 });
    for (const report of reports) if (report.windowEnd > shiftAt) seen.add(report.id);
    const drifted = reports
      .filter((report) => report.windowEnd > shiftAt && report.datasetDrift)
      .sort((a, b) => a.id - b.id)[0];
    const seconds = (Date.now() - shiftAt) / 1000;
    if (drifted !== undefined) {
      return {
        report: drifted,
        windowsAfterShift: [...seen].filter((id) => id <= drifted.id).length,
        secondsAfterShift: (drifted.windowEnd - shiftAt) / 1000,
      };
    }
    if (seconds > timeoutSeconds) {
      throw new FlowOpsError(
        "INVALID_STATE",
        `no dataset drift reported for endpoint ${endpoint} in ${seen.size} windows over ${seconds.toFixed(0)} s ` +
          "of shifted traffic",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface QuickstartDrift {
  /** Windows judged after the shift, the drifted one included. */
  windows: number;
  /** Seconds from the shift to the end of the window that showed dataset drift. */
  secondsToDetect: number;
  rows: number;
  share: number;
  columns: { column: string; method: string; score: number; threshold: number; drifted: boolean }[];
  /** The endpoint's stable model when the drift was reported: what retraining starts from. */
  stable: string;
}

export function describeDrift(
  found: DriftFound,
  stable: string,
): { summary: string; value: QuickstartDrift } {
  const report = found.report.report;
  const value: QuickstartDrift = {
    windows: found.windowsAfterShift,
    secondsToDetect: found.secondsAfterShift,
    rows: found.report.rows,
    share: report.share,
    columns: report.columns.map((c) => ({
      column: c.column,
      method: c.method,
      score: c.score,
      threshold: c.threshold,
      drifted: c.drifted,
    })),
    stable,
  };
  const summary =
    `window of ${found.report.rows} rows ending ${value.secondsToDetect.toFixed(1)} s after the shift: ` +
    `${report.driftedColumns}/${report.columns.length} columns drifted: ${driftedColumnsText(report)}`;
  return { summary, value };
}

/** `usage (wasserstein 0.93), income (wasserstein 0.61)`: the drifted columns with their scores. */
export function driftedColumnsText(report: DriftReport): string {
  return report.columns
    .filter((column) => column.drifted)
    .map((column) => `${column.column} (${column.method} ${column.score.toFixed(3)})`)
    .join(", ");
}
