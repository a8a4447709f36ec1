/**
 * Confusion matrix heatmap: rows are true labels, columns predicted labels, cells show counts and are
 * shaded by their share of the row (per-class recall on the diagonal), so rare classes stay readable.
 * Scales from 2 to hundreds of classes: cells shrink, counts are left to the tooltips when they no longer
 * fit, and only every k-th axis label is drawn when labels would overlap.
 */

import { invalidParameter } from "../../errors.js";
import { drawChartTitle } from "./chartAxes.js";
import { estimateTextWidth, truncateLabel } from "./labelText.js";
import { AXIS_COLOUR, sequentialColour, textColourOnShare } from "./palette.js";
import { SvgDocument, svgElement } from "./svgDocument.js";

const MATRIX_TARGET_SIZE = 560;
const MAX_LABEL_CHARACTERS = 20;
/** Above this many classes per-cell tooltips are left out: they would grow the file with the square of n. */
const MAX_CLASSES_WITH_TOOLTIPS = 60;
const SCALE_GRADIENT_ID = "confusion-matrix-scale";

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function formatCount(count: number): string {
  return Number.isInteger(count) ? String(count) : count.toPrecision(3);
}

function checkShape(labels: readonly string[], matrix: readonly (readonly number[])[]): void {
  if (matrix.length !== labels.length) {
    throw invalidParameter(`confusion matrix has ${matrix.length} rows for ${labels.length} labels`);
  }
  matrix.forEach((row, i) => {
    if (row.length !== labels.length) {
      throw invalidParameter(
        `confusion matrix row ${i} (true label '${labels[i]}') has ${row.length} columns, expected ${labels.length}`,
      );
    }
    row.forEach((count, j) => {
      if (!Number.isFinite(count) || count < 0) {
        throw invalidParameter(
          `confusion matrix cell [${i}][${j}] is ${count}, expected a finite count of at least 0`,
        );
      }
    });
  });
}

export function confusionMatrixSvg(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
): string {
  checkShape(labels, matrix);
  const n = labels.length;
  const cell = n === 0 ? 60 : clamp(Math.floor(MATRIX_TARGET_SIZE / n), 4, 64);
  const size = n * cell;
  const labelFont = clamp(cell * 0.5, 8, 12);
  const labelStride = Math.ceil((labelFont + 2) / cell);
  const shownLabels = labels.map((label) => truncateLabel(label, MAX_LABEL_CHARACTERS));
  const labelWidth = shownLabels.reduce(
    (widest, label) => Math.max(widest, estimateTextWidth(label, labelFont)),
    0,
  );
  const rotateColumnLabels = labelWidth > cell - 4;
  const columnLabelExtent = rotateColumnLabels ? labelWidth * 0.71 + labelFont + 8 : labelFont + 10;

  const left = 44 + labelWidth + 10;
  const top = 50;
  const scaleLeft = left + size + 24;
  const width = Math.max(scaleLeft + 70, 320);
  const height = top + size + columnLabelExtent + 40;
  const doc = new SvgDocument(width, height, "Confusion matrix");
  drawChartTitle(doc, "Confusion matrix");
  if (n === 0) {
    doc.text(width / 2, top + 30, "no labels", { "text-anchor": "middle", fill: "#666666" });
    return doc.toString();
  }

  const maxCount = matrix.reduce(
    (most, row) => row.reduce((rowMost, count) => Math.max(rowMost, count), most),
    0,
  );
  const countFont = clamp(cell * 0.32, 7, 14);
  const showCounts = cell >= 14 && estimateTextWidth(formatCount(maxCount), countFont) <= cell - 4;
  const withTooltips = n <= MAX_CLASSES_WITH_TOOLTIPS;

  matrix.forEach((row, i) => {
    const rowTotal = row.reduce((sum, count) => sum + count, 0);
    row.forEach((count, j) => {
      const share = rowTotal > 0 ? count / rowTotal : 0;
      const x = left + j * cell;
      const y = top + i * cell;
      const tooltip = withTooltips
        ? `true ${labels[i]}, predicted ${labels[j]}: ${formatCount(count)} (${(share * 100).toFixed(1)}% of row)`
        : undefined;
      doc.rect({ x, y, width: cell, height: cell, fill: sequentialColour(share) }, tooltip);
      if (showCounts) {
        doc.text(x + cell / 2, y + cell / 2 + countFont * 0.35, formatCount(count), {
          "text-anchor": "middle",
          "font-size": countFont,
          fill: textColourOnShare(share),
        });
      }
    });
  });
  doc.rect({
    x: left,
    y: top,
    width: size,
    height: size,
    fill: "none",
    stroke: AXIS_COLOUR,
    "stroke-width": 1,
  });

  shownLabels.forEach((label, index) => {
    if (index % labelStride !== 0) return;
    const centre = index * cell + cell / 2;
    doc.text(left - 6, top + centre + labelFont * 0.35, label, {
      "text-anchor": "end",
      "font-size": labelFont,
    });
    const x = left + centre;
    const y = top + size + labelFont + 4;
    doc.text(x, y, label, {
      "text-anchor": rotateColumnLabels ? "end" : "middle",
      "font-size": labelFont,
      transform: rotateColumnLabels ? `rotate(-45 ${x} ${y})` : undefined,
    });
  });

  doc.text(left + size / 2, top + size + columnLabelExtent + 20, "Predicted label", {
    "text-anchor": "middle",
    "font-size": 13,
  });
  const titleX = 18;
  const titleY = top + size / 2;
  doc.text(titleX, titleY, "True label", {
    "text-anchor": "middle",
    "font-size": 13,
    transform: `rotate(-90 ${titleX} ${titleY})`,
  });
  drawShareScale(doc, scaleLeft, top, size);
  return doc.toString();
}

/** Colour bar for the row share, 0% at the bottom to 100% at the top. */
function drawShareScale(doc: SvgDocument, left: number, top: number, height: number): void {
  const stops = [0, 0.25, 0.5, 0.75, 1]
    .map((share) => svgElement("stop", { offset: share, "stop-color": sequentialColour(share) }))
    .join("");
  doc.add(
    svgElement(
      "defs",
      {},
      {
        children: svgElement(
          "linearGradient",
          { id: SCALE_GRADIENT_ID, x1: 0, y1: 1, x2: 0, y2: 0 },
          { children: stops },
        ),
      },
    ),
  );
  doc.rect({
    x: left,
    y: top,
    width: 14,
    height,
    fill: `url(#${SCALE_GRADIENT_ID})`,
    stroke: AXIS_COLOUR,
    "stroke-width": 0.5,
  });
  doc.text(left + 18, top + 10, "100%", { "font-size": 10 });
  doc.text(left + 18, top + height, "0%", { "font-size": 10 });
  doc.text(left + 18, top + height / 2 + 4, "of row", { "font-size": 10 });
}
