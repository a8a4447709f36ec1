/**
 * A fairness report as plain text for terminals and logs: the scalar metrics, then one line per group with
 * the overall line first, then the warnings. Formatting only; the numbers are the report's.
 */

import type { FairnessReport, GroupMetrics } from "./fairnessReport.js";

const RATE_COLUMNS = [
  "selection_rate",
  "accuracy",
  "true_positive_rate",
  "false_positive_rate",
  "precision",
] as const;

function formatNumber(value: number): string {
  return Number.isNaN(value) ? "NaN" : value.toFixed(4);
}

/** Left-aligns the first column and right-aligns the others, two spaces apart. */
function alignTable(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd(),
  );
}

function groupRow(label: string, group: Omit<GroupMetrics, "group" | "key" | "belowMinCount">, flag: string) {
  return [label, `${group.count}${flag}`, ...RATE_COLUMNS.map((name) => formatNumber(group[name]))];
}

export function formatFairnessReport(report: FairnessReport): string {
  const lines = [`Fairness assessment: ${report.rows} rows, positive label '${report.posLabel}'`, ""];
  lines.push(
    ...alignTable([
      ["metric", "value"],
      ...Object.entries(report.metrics).map(([name, value]) => [name, formatNumber(value)]),
    ]),
  );
  lines.push("");
  const anyFlagged = report.byGroup.some((group) => group.belowMinCount);
  lines.push(
    ...alignTable([
      ["group", "count", ...RATE_COLUMNS],
      groupRow("(overall)", report.overall, anyFlagged ? " " : ""),
      ...report.byGroup.map((group) =>
        groupRow(group.key, group, group.belowMinCount ? "*" : anyFlagged ? " " : ""),
      ),
    ]),
  );
  if (anyFlagged) lines.push("* fewer rows than the minimum group count: reported, but unreliable");
  if (report.warnings.length > 0) {
    lines.push("", "Warnings:", ...report.warnings.map((warning) => `- ${warning}`));
  }
  return `${lines.join("\n")}\n`;
}
