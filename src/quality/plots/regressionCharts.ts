/**
 * Regression diagnostics as scatter plots of the report's sample: predicted against actual with the y = x
 * line of a perfect model, and residuals (actual - predicted, scikit-learn's convention) against predicted
 * with the zero line. Pairs with a non-finite value are left out.
 */

import { invalidParameter } from "../../errors.js";
import {
  axisFromData,
  drawAxes,
  drawChartTitle,
  drawNoData,
  xScale,
  yScale,
  type ChartAxis,
  type PlotFrame,
} from "./chartAxes.js";
import { MARK_COLOUR, REFERENCE_LINE_COLOUR } from "./palette.js";
import { SvgDocument, svgElement } from "./svgDocument.js";

const FRAME: PlotFrame = { left: 84, top: 44, width: 480, height: 420 };
const WIDTH = FRAME.left + FRAME.width + 30;
const HEIGHT = FRAME.top + FRAME.height + 56;
/** The evaluation sample holds at most 5000 pairs; larger inputs are thinned by an even stride. */
const MAX_SCATTER_POINTS = 10_000;

interface Pairs {
  readonly xs: number[];
  readonly ys: number[];
}

function finitePairs(actual: readonly number[], predicted: readonly number[]): Pairs {
  if (actual.length !== predicted.length) {
    throw invalidParameter(
      `regression plot needs as many actual values as predicted values, got ${actual.length} and ${predicted.length}`,
    );
  }
  const stride = Math.max(1, Math.ceil(actual.length / MAX_SCATTER_POINTS));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < actual.length; i += stride) {
    const a = actual[i] ?? Number.NaN;
    const p = predicted[i] ?? Number.NaN;
    if (Number.isFinite(a) && Number.isFinite(p)) {
      xs.push(a);
      ys.push(p);
    }
  }
  return { xs, ys };
}

function drawPoints(
  doc: SvgDocument,
  xs: readonly number[],
  ys: readonly number[],
  x: ChartAxis,
  y: ChartAxis,
): void {
  const toX = xScale(x, FRAME);
  const toY = yScale(y, FRAME);
  const circles: string[] = new Array<string>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    circles[i] = svgElement("circle", { cx: toX(xs[i] ?? 0), cy: toY(ys[i] ?? 0), r: 2.5 });
  }
  doc.add(
    svgElement(
      "g",
      { fill: MARK_COLOUR, "fill-opacity": 0.55, stroke: "none" },
      { children: circles.join("") },
    ),
  );
}

function referenceLine(doc: SvgDocument, x1: number, y1: number, x2: number, y2: number): void {
  doc.line(x1, y1, x2, y2, { stroke: REFERENCE_LINE_COLOUR, "stroke-width": 1.5, "stroke-dasharray": "6 4" });
}

/** Predicted (y) against actual (x) on one shared scale, so the dashed diagonal is y = x. */
export function predictedVsActualSvg(actual: readonly number[], predicted: readonly number[]): string {
  const title = "Predicted vs actual";
  const pairs = finitePairs(actual, predicted);
  const shared = axisFromData([...pairs.xs, ...pairs.ys], "Actual");
  const x: ChartAxis = shared;
  const y: ChartAxis = { ...shared, title: "Predicted" };
  const doc = new SvgDocument(WIDTH, HEIGHT, title);
  drawChartTitle(doc, title);
  drawAxes(doc, FRAME, x, y);
  if (pairs.xs.length === 0) {
    drawNoData(doc, FRAME, "no finite values");
    return doc.toString();
  }
  const [low, high] = shared.domain;
  referenceLine(
    doc,
    xScale(x, FRAME)(low),
    yScale(y, FRAME)(low),
    xScale(x, FRAME)(high),
    yScale(y, FRAME)(high),
  );
  drawPoints(doc, pairs.xs, pairs.ys, x, y);
  return doc.toString();
}

/** Residual (actual - predicted, y) against predicted (x), with the zero line. */
export function residualsSvg(actual: readonly number[], predicted: readonly number[]): string {
  const title = "Residuals";
  const pairs = finitePairs(actual, predicted);
  const predictedValues = pairs.ys;
  const residuals = pairs.xs.map((a, i) => a - (pairs.ys[i] ?? 0));
  const x = axisFromData(predictedValues, "Predicted");
  const y = axisFromData([0, ...residuals], "Residual (actual - predicted)");
  const doc = new SvgDocument(WIDTH, HEIGHT, title);
  drawChartTitle(doc, title);
  drawAxes(doc, FRAME, x, y);
  if (pairs.xs.length === 0) {
    drawNoData(doc, FRAME, "no finite values");
    return doc.toString();
  }
  const zero = yScale(y, FRAME)(0);
  referenceLine(doc, FRAME.left, zero, FRAME.left + FRAME.width, zero);
  drawPoints(doc, predictedValues, residuals, x, y);
  return doc.toString();
}
