/**
 * ROC and precision-recall curves: one line per class (one for a binary problem), with the area under
 * each curve in the legend. Curves are mapped to pixels and downsampled before they become SVG, so a curve
 * with millions of thresholds still yields a small file.
 */

import {
  drawAxes,
  drawChartTitle,
  drawNoData,
  unitAxis,
  xScale,
  yScale,
  type PlotFrame,
} from "./chartAxes.js";
import { drawLegend, legendHeight, type LegendEntry } from "./chartLegend.js";
import { REFERENCE_LINE_COLOUR, seriesColour } from "./palette.js";
import { downsamplePolyline } from "./polylineDownsample.js";
import { SvgDocument } from "./svgDocument.js";

export interface RocCurve {
  readonly label: string;
  readonly fpr: readonly number[];
  readonly tpr: readonly number[];
  readonly auc: number;
}

export interface PrecisionRecallCurve {
  readonly label: string;
  readonly recall: readonly number[];
  readonly precision: readonly number[];
  readonly averagePrecision: number;
}

interface CurveSeries {
  readonly label: string;
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
  readonly suffix: string;
}

const FRAME: PlotFrame = { left: 80, top: 44, width: 460, height: 460 };
const LEGEND_LEFT = FRAME.left + FRAME.width + 24;
const LEGEND_WIDTH = 220;
const WIDTH = LEGEND_LEFT + LEGEND_WIDTH + 10;
const MIN_HEIGHT = FRAME.top + FRAME.height + 56;

function formatArea(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : "n/a";
}

function curveChartSvg(
  title: string,
  xTitle: string,
  yTitle: string,
  series: readonly CurveSeries[],
  reference?: { x1: number; y1: number; x2: number; y2: number; label: string },
): string {
  const legendEntries: LegendEntry[] = series.map((s, index) => ({
    label: s.label,
    suffix: s.suffix,
    colour: seriesColour(index),
  }));
  if (reference !== undefined) {
    legendEntries.push({ label: reference.label, colour: REFERENCE_LINE_COLOUR, dashed: true });
  }
  const height = Math.max(MIN_HEIGHT, FRAME.top + legendHeight(legendEntries.length) + 20);
  const doc = new SvgDocument(WIDTH, height, title);
  drawChartTitle(doc, title);
  const x = unitAxis(xTitle);
  const y = unitAxis(yTitle);
  drawAxes(doc, FRAME, x, y);
  const toX = xScale(x, FRAME);
  const toY = yScale(y, FRAME);
  if (reference !== undefined) {
    doc.line(toX(reference.x1), toY(reference.y1), toX(reference.x2), toY(reference.y2), {
      stroke: REFERENCE_LINE_COLOUR,
      "stroke-width": 1.5,
      "stroke-dasharray": "5 4",
    });
  }
  if (series.length === 0) drawNoData(doc, FRAME, "no curves");
  series.forEach((s, index) => {
    const pixelsX = Float64Array.from(s.xs, toX);
    const pixelsY = Float64Array.from(s.ys, toY);
    const line = downsamplePolyline(pixelsX, pixelsY);
    doc.polyline(line.xs, line.ys, {
      stroke: seriesColour(index),
      "stroke-width": 2,
      "stroke-linejoin": "round",
    });
  });
  drawLegend(doc, LEGEND_LEFT, FRAME.top, LEGEND_WIDTH, legendEntries);
  return doc.toString();
}

/** ROC curves with the chance diagonal; the legend gives each class's AUC. */
export function rocCurveSvg(curves: readonly RocCurve[]): string {
  const series = curves.map((curve) => ({
    label: curve.label,
    xs: curve.fpr,
    ys: curve.tpr,
    suffix: ` (AUC = ${formatArea(curve.auc)})`,
  }));
  return curveChartSvg("ROC curve", "False positive rate", "True positive rate", series, {
    x1: 0,
    y1: 0,
    x2: 1,
    y2: 1,
    label: "chance (AUC = 0.500)",
  });
}

/**
 * Precision-recall curves drawn as steps (each precision holds until the next recall), which is the shape
 * average precision sums over, as scikit-learn's PrecisionRecallDisplay draws it.
 */
export function precisionRecallSvg(curves: readonly PrecisionRecallCurve[]): string {
  const series = curves.map((curve) => {
    const steps = stepsPost(curve.recall, curve.precision);
    return { label: curve.label, ...steps, suffix: ` (AP = ${formatArea(curve.averagePrecision)})` };
  });
  return curveChartSvg("Precision-recall curve", "Recall", "Precision", series);
}

/** Points of a step line that holds each y until the next x (matplotlib's drawstyle "steps-post"). */
function stepsPost(xs: readonly number[], ys: readonly number[]): { xs: Float64Array; ys: Float64Array } {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return { xs: new Float64Array(0), ys: new Float64Array(0) };
  const outX = new Float64Array(2 * n - 1);
  const outY = new Float64Array(2 * n - 1);
  for (let i = 0; i < n; i++) {
    outX[2 * i] = xs[i] ?? Number.NaN;
    outY[2 * i] = ys[i] ?? Number.NaN;
    if (i + 1 < n) {
      outX[2 * i + 1] = xs[i + 1] ?? Number.NaN;
      outY[2 * i + 1] = ys[i] ?? Number.NaN;
    }
  }
  return { xs: outX, ys: outY };
}
