/**
 * Per-class accuracy as horizontal bars, one row per class in the order given (the report's label order),
 * so long label names read left of their bar. Rows thin out for many classes, and labels and values are
 * drawn on every k-th row only when rows get too thin for text.
 */

import { drawAxes, drawChartTitle, drawNoData, unitAxis, xScale, type ChartAxis } from "./chartAxes.js";
import { estimateTextWidth, truncateLabel } from "./labelText.js";
import { MARK_COLOUR } from "./palette.js";
import { SvgDocument } from "./svgDocument.js";

const MAX_LABEL_CHARACTERS = 24;
const PLOT_WIDTH = 420;
const MAX_ROW_PITCH = 26;
const MIN_PLOT_HEIGHT = 80;
const MAX_PLOT_HEIGHT = 1600;
const LABEL_FONT = 11;

export function perClassAccuracySvg(perClass: readonly { label: string; accuracy: number }[]): string {
  const n = perClass.length;
  const plotHeight = Math.min(MAX_PLOT_HEIGHT, Math.max(MIN_PLOT_HEIGHT, n * MAX_ROW_PITCH));
  const rowPitch = n === 0 ? MAX_ROW_PITCH : plotHeight / n;
  const labelStride = Math.ceil((LABEL_FONT + 2) / rowPitch);
  const shownLabels = perClass.map((entry) => truncateLabel(entry.label, MAX_LABEL_CHARACTERS));
  const labelWidth = shownLabels.reduce(
    (widest, label) => Math.max(widest, estimateTextWidth(label, LABEL_FONT)),
    0,
  );

  const frame = { left: 30 + labelWidth + 12, top: 44, width: PLOT_WIDTH, height: plotHeight };
  const width = frame.left + frame.width + 60;
  const height = frame.top + frame.height + 56;
  const doc = new SvgDocument(width, height, "Per-class accuracy");
  drawChartTitle(doc, "Per-class accuracy");
  const x = unitAxis("Accuracy");
  // No y ticks: the class labels take their place.
  const y: ChartAxis = { domain: [0, 1], ticks: [], step: 1, title: "" };
  drawAxes(doc, frame, x, y);
  if (n === 0) {
    drawNoData(doc, frame, "no classes");
    return doc.toString();
  }
  const toX = xScale(x, frame);
  const barHeight = Math.min(18, Math.max(1, rowPitch * 0.72));
  perClass.forEach((entry, index) => {
    const rowTop = frame.top + index * rowPitch;
    const centre = rowTop + rowPitch / 2;
    const finite = Number.isFinite(entry.accuracy);
    const value = finite ? Math.min(1, Math.max(0, entry.accuracy)) : 0;
    const valueText = finite ? entry.accuracy.toFixed(3) : "n/a";
    doc.rect(
      {
        x: frame.left,
        y: centre - barHeight / 2,
        width: toX(value) - frame.left,
        height: barHeight,
        fill: MARK_COLOUR,
      },
      `${entry.label}: ${valueText}`,
    );
    if (index % labelStride !== 0) return;
    doc.text(frame.left - 6, centre + LABEL_FONT * 0.35, shownLabels[index] ?? "", {
      "text-anchor": "end",
      "font-size": LABEL_FONT,
    });
    doc.text(toX(value) + 4, centre + LABEL_FONT * 0.35, valueText, { "font-size": LABEL_FONT - 1 });
  });
  return doc.toString();
}
