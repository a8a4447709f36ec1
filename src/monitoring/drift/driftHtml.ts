/**
 * The drift report as one self-contained HTML page: a summary (dataset verdict and one row per column: type,
 * test, score, threshold, verdict, sizes) and a plot per column, inline SVG and inline CSS only, nothing
 * fetched from the network and no scripts. Every string from the data (column names, categories, the title)
 * is escaped.
 */

import { escapeXml } from "../../quality/plots/svgDocument.js";
import type { DriftReport } from "./datasetDrift.js";
import { distributionSvg } from "./distributionSvg.js";

export interface DriftHtmlOptions {
  title?: string | undefined;
  /** Shown under the title, e.g. the two files or windows compared. */
  subtitle?: string | undefined;
}

const STYLE = `
body { font-family: "DejaVu Sans", sans-serif; margin: 24px; color: #1a1a1a; }
table { border-collapse: collapse; margin: 12px 0 24px; }
th, td { border: 1px solid #d0d0d0; padding: 4px 10px; text-align: left; font-size: 13px; }
th { background: #f3f3f3; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.drifted { color: #b3261e; font-weight: bold; }
.stable { color: #2e7d32; }
section { margin-bottom: 28px; }
`;

export function renderDriftHtml(report: DriftReport, options: DriftHtmlOptions = {}): string {
  const title = options.title ?? "Data drift report";
  const verdict = report.datasetDrift
    ? `<span class="drifted">Dataset drift detected</span>`
    : `<span class="stable">No dataset drift</span>`;
  const rows = report.columns
    .map(
      (column) =>
        `<tr><td><a href="#${anchor(column.column)}">${escapeXml(column.column)}</a></td>` +
        `<td>${column.columnType}</td><td>${column.method}</td>` +
        `<td class="number">${formatScore(column.score)}</td><td class="number">${column.threshold}</td>` +
        `<td>${column.drifted ? '<span class="drifted">drifted</span>' : '<span class="stable">stable</span>'}</td>` +
        `<td class="number">${column.referenceSize}</td><td class="number">${column.currentSize}</td></tr>`,
    )
    .join("\n");
  const sections = report.columns
    .map(
      (column) =>
        `<section id="${anchor(column.column)}"><h3>${escapeXml(column.column)}</h3>\n` +
        `<p>${column.method} = ${formatScore(column.score)} (threshold ${column.threshold}): ` +
        `${column.drifted ? '<span class="drifted">drifted</span>' : '<span class="stable">stable</span>'}</p>\n` +
        `${distributionSvg(column.column, column.distribution)}</section>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
${options.subtitle === undefined ? "" : `<p>${escapeXml(options.subtitle)}</p>\n`}<p>${verdict}: ${report.driftedColumns} of ${report.columns.length} columns drifted (share ${formatScore(report.share)}, dataset threshold ${report.driftShare}).</p>
<table>
<thead><tr><th>column</th><th>type</th><th>test</th><th>score</th><th>threshold</th><th>verdict</th><th>reference rows</th><th>current rows</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${sections}
</body>
</html>
`;
}

function formatScore(score: number): string {
  if (Number.isNaN(score)) return "n/a";
  if (score !== 0 && Math.abs(score) < 1e-4) return score.toExponential(3);
  return String(Number(score.toPrecision(4)));
}

/** An id safe in HTML and URLs for any column name. */
function anchor(column: string): string {
  return `column-${Array.from(column, (ch) => (/^[A-Za-z0-9_-]$/.test(ch) ? ch : `.${ch.codePointAt(0)!.toString(16)}`)).join("")}`;
}
