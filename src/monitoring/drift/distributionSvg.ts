/**
 * The plot of one column in the drift report: reference and current shares overlaid on the same bin edges, or
 * side-by-side bars per category. Built with the SVG pieces of the evaluation plots (src/quality/plots) so the
 * report looks like the rest of FlowOps; every label goes through their escaping.
 */

import {
  axisFromData,
  drawAxes,
  drawChartTitle,
  drawNoData,
  xScale,
  yScale,
} from "../../quality/plots/chartAxes.js";
import { drawLegend } from "../../quality/plots/chartLegend.js";
import { charactersFitting, truncateLabel } from "../../quality/plots/labelText.js";
import { seriesColour } from "../../quality/plots/palette.js";
import { SvgDocument } from "../../quality/plots/svgDocument.js";
import type { ColumnDistribution } from "./columnDistribution.js";

const WIDTH = 640;
const HEIGHT = 320;
const FRAME = { left: 72, top: 40, width: 420, height: 200 } as const;
const REFERENCE_COLOUR = seriesColour(0);
const CURRENT_COLOUR = seriesColour(1);
const LEGEND = [
  { label: "reference", colour: REFERENCE_COLOUR },
  { label: "current", colour: CURRENT_COLOUR },
] as const;

/** The SVG markup (no XML declaration, for inlining in HTML). */
export function distributionSvg(column: string, distribution: ColumnDistribution): string {
  const doc = new SvgDocument(WIDTH, HEIGHT, `${column}: reference vs current`);
  drawChartTitle(doc, column);
  if (distribution.kind === "histogram") drawHistogram(doc, distribution);
  else drawCategoryBars(doc, distribution);
  drawLegend(doc, FRAME.left + FRAME.width + 20, FRAME.top, WIDTH - FRAME.left - FRAME.width - 30, LEGEND);
  return doc.toString().replace(/^<\?xml[^>]*>\n/, "");
}

function drawHistogram(doc: SvgDocument, distribution: ColumnDistribution & { kind: "histogram" }): void {
  const { edges } = distribution;
  if (edges.length < 2) {
    drawNoData(doc, FRAME, "no values");
    return;
  }
  const x = axisFromData([edges[0]!, edges[edges.length - 1]!], "value");
  const y = axisFromData([0, ...distribution.reference, ...distribution.current], "share of rows");
  drawAxes(doc, FRAME, x, y);
  const toX = xScale(x, FRAME);
  const toY = yScale(y, FRAME);
  for (const [shares, colour] of [
    [distribution.reference, REFERENCE_COLOUR],
    [distribution.current, CURRENT_COLOUR],
  ] as const) {
    shares.forEach((share, bin) => {
      const left = toX(edges[bin]!);
      const top = toY(share);
      doc.rect(
        {
          x: left,
          y: top,
          width: Math.max(toX(edges[bin + 1]!) - left, 0.5),
          height: toY(0) - top,
          fill: colour,
          "fill-opacity": 0.45,
          stroke: colour,
          "stroke-width": 0.5,
        },
        `[${edges[bin]!.toPrecision(6)}, ${edges[bin + 1]!.toPrecision(6)}): ${(share * 100).toFixed(2)} %`,
      );
    });
  }
}

function drawCategoryBars(doc: SvgDocument, distribution: ColumnDistribution & { kind: "categories" }): void {
  const categories = [...distribution.categories];
  const reference = [...distribution.reference];
  const current = [...distribution.current];
  if (distribution.otherReference > 0 || distribution.otherCurrent > 0) {
    categories.push("(other)");
    reference.push(distribution.otherReference);
    current.push(distribution.otherCurrent);
  }
  if (categories.length === 0) {
    drawNoData(doc, FRAME, "no values");
    return;
  }
  const y = axisFromData([0, ...reference, ...current], "share of rows");
  const toY = yScale(y, FRAME);
  const slot = FRAME.width / categories.length;
  const bar = Math.max(1, (slot * 0.8) / 2);
  const x = { domain: [0, 1] as [number, number], ticks: [], step: 1, title: "" };
  drawAxes(doc, FRAME, x, y);
  const fitting = charactersFitting(70, 10);
  categories.forEach((category, index) => {
    const left = FRAME.left + index * slot + slot * 0.1;
    for (const [side, shares, colour] of [
      [0, reference, REFERENCE_COLOUR],
      [1, current, CURRENT_COLOUR],
    ] as const) {
      const top = toY(shares[index]!);
      doc.rect(
        { x: left + side * bar, y: top, width: bar, height: toY(0) - top, fill: colour },
        `${category} (${side === 0 ? "reference" : "current"}): ${(shares[index]! * 100).toFixed(2)} %`,
      );
    }
    const labelX = FRAME.left + (index + 0.5) * slot;
    const labelY = FRAME.top + FRAME.height + 12;
    doc.text(labelX, labelY, truncateLabel(category, fitting), {
      "text-anchor": "end",
      "font-size": 10,
      transform: `rotate(-35 ${labelX} ${labelY})`,
    });
  });
}
