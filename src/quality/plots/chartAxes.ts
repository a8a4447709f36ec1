/**
 * Cartesian axes for the evaluation plots: "nice" tick values (steps of 1, 2 or 5 times a power of ten),
 * linear scales from data to pixels, and the frame, grid, ticks and titles drawn into an SvgDocument.
 */

import { AXIS_COLOUR, GRID_COLOUR } from "./palette.js";
import type { SvgDocument } from "./svgDocument.js";

export interface PlotFrame {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface ChartAxis {
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
  readonly step: number;
  readonly title: string;
}

/** Removes floating-point noise such as 0.30000000000000004 from a computed tick. */
function cleanNumber(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

function niceStep(roughStep: number): number {
  const exponent = Math.floor(Math.log10(roughStep));
  const fraction = roughStep / 10 ** exponent;
  // Rounding at the geometric midpoints between 1, 2, 5 and 10 (as d3's tickIncrement) keeps the tick
  // count near the target in both directions instead of always rounding the step up.
  const nice =
    fraction >= Math.sqrt(50) ? 10 : fraction >= Math.sqrt(10) ? 5 : fraction >= Math.sqrt(2) ? 2 : 1;
  return cleanNumber(nice * 10 ** exponent);
}

/**
 * Tick values covering [min, max] with about `target` ticks; the domain is widened to the outer ticks.
 * A degenerate or non-finite range still yields a usable axis.
 */
export function niceTicks(
  min: number,
  max: number,
  target = 6,
): { domain: [number, number]; ticks: number[]; step: number } {
  let low = Number.isFinite(min) ? min : 0;
  let high = Number.isFinite(max) ? max : 1;
  if (low > high) [low, high] = [high, low];
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  const step = niceStep((high - low) / Math.max(1, target - 1));
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(cleanNumber(k * step));
  return { domain: [cleanNumber(first * step), cleanNumber(last * step)], ticks, step };
}

/** Tick label text: fixed decimals matching the step, exponent notation for very large or small values. */
export function formatTick(value: number, step: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || step < 1e-4)
    return value === 0 ? "0" : Number(value.toPrecision(6)).toExponential();
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  return value.toFixed(decimals);
}

export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

export function xScale(axis: ChartAxis, frame: PlotFrame): (value: number) => number {
  return linearScale(axis.domain, [frame.left, frame.left + frame.width]);
}

export function yScale(axis: ChartAxis, frame: PlotFrame): (value: number) => number {
  return linearScale(axis.domain, [frame.top + frame.height, frame.top]);
}

export function axisFromData(values: Iterable<number>, title: string, target = 6): ChartAxis {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { ...niceTicks(min, max, target), title };
}

/** The [0, 1] axis of rates and probabilities. */
export function unitAxis(title: string): ChartAxis {
  return { domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2, title };
}

/** Grid, frame, tick marks, tick labels and axis titles. */
export function drawAxes(doc: SvgDocument, frame: PlotFrame, x: ChartAxis, y: ChartAxis): void {
  const toX = xScale(x, frame);
  const toY = yScale(y, frame);
  const bottom = frame.top + frame.height;
  const right = frame.left + frame.width;
  for (const tick of x.ticks) {
    const px = toX(tick);
    doc.line(px, frame.top, px, bottom, { stroke: GRID_COLOUR, "stroke-width": 1 });
    doc.line(px, bottom, px, bottom + 5, { stroke: AXIS_COLOUR, "stroke-width": 1 });
    doc.text(px, bottom + 18, formatTick(tick, x.step), { "text-anchor": "middle", "font-size": 11 });
  }
  for (const tick of y.ticks) {
    const py = toY(tick);
    doc.line(frame.left, py, right, py, { stroke: GRID_COLOUR, "stroke-width": 1 });
    doc.line(frame.left - 5, py, frame.left, py, { stroke: AXIS_COLOUR, "stroke-width": 1 });
    doc.text(frame.left - 8, py + 4, formatTick(tick, y.step), { "text-anchor": "end", "font-size": 11 });
  }
  doc.rect({
    x: frame.left,
    y: frame.top,
    width: frame.width,
    height: frame.height,
    fill: "none",
    stroke: AXIS_COLOUR,
    "stroke-width": 1,
  });
  doc.text(frame.left + frame.width / 2, bottom + 40, x.title, { "text-anchor": "middle", "font-size": 13 });
  const yTitleX = frame.left - 58;
  const yTitleY = frame.top + frame.height / 2;
  doc.text(yTitleX, yTitleY, y.title, {
    "text-anchor": "middle",
    "font-size": 13,
    transform: `rotate(-90 ${yTitleX} ${yTitleY})`,
  });
}

export function drawChartTitle(doc: SvgDocument, title: string): void {
  doc.text(doc.width / 2, 24, title, { "text-anchor": "middle", "font-size": 15, "font-weight": "bold" });
}

/** Message shown in an empty plot area, so a chart without data still renders and says why. */
export function drawNoData(doc: SvgDocument, frame: PlotFrame, message: string): void {
  doc.text(frame.left + frame.width / 2, frame.top + frame.height / 2, message, {
    "text-anchor": "middle",
    "font-size": 13,
    fill: "#666666",
  });
}
