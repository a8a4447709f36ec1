/**
 * Shrinks a polyline (a ROC or precision-recall curve can have one point per distinct score, millions on
 * a large file) to a bounded number of points that draw the same shape. Works in the units it is given;
 * charts call it with pixel coordinates so the tolerance means "invisible at this size".
 *
 * Three passes, each keeping the first and last point: drop points within `tolerance` of the last one kept
 * (linear, removes the bulk of a dense monotone curve), Douglas-Peucker with the same tolerance (drops
 * points on a straight run, e.g. the long flat steps of a ROC curve), and, only when the curve is still
 * longer than `maxPoints` (a very noisy line), largest-triangle-three-buckets to exactly `maxPoints`.
 */

import { invalidParameter } from "../../errors.js";

export interface Polyline {
  readonly xs: number[];
  readonly ys: number[];
}

export const DEFAULT_MAX_POINTS = 2000;
const DEFAULT_TOLERANCE = 0.25;

export function downsamplePolyline(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  options: { maxPoints?: number; tolerance?: number } = {},
): Polyline {
  if (xs.length !== ys.length) {
    throw invalidParameter(`polyline has ${xs.length} x values but ${ys.length} y values`);
  }
  const maxPoints = Math.max(2, Math.floor(options.maxPoints ?? DEFAULT_MAX_POINTS));
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const distinct = dropNearDuplicates(xs, ys, tolerance);
  const simplified = douglasPeucker(distinct, tolerance);
  return simplified.xs.length > maxPoints ? largestTriangleBuckets(simplified, maxPoints) : simplified;
}

/** Keeps finite points that move more than `tolerance` (in x or y) from the last point kept, and the last one. */
function dropNearDuplicates(xs: ArrayLike<number>, ys: ArrayLike<number>, tolerance: number): Polyline {
  const outX: number[] = [];
  const outY: number[] = [];
  let skipped: { x: number; y: number } | undefined;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] ?? Number.NaN;
    const y = ys[i] ?? Number.NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const lastX = outX[outX.length - 1];
    const lastY = outY[outY.length - 1];
    if (
      lastX !== undefined &&
      lastY !== undefined &&
      Math.abs(x - lastX) <= tolerance &&
      Math.abs(y - lastY) <= tolerance
    ) {
      skipped = { x, y };
      continue;
    }
    outX.push(x);
    outY.push(y);
    skipped = undefined;
  }
  if (skipped !== undefined) {
    // The curve's true end must survive; it replaces the nearby point kept before it unless that is the start.
    if (outX.length > 1) {
      outX.pop();
      outY.pop();
    }
    outX.push(skipped.x);
    outY.push(skipped.y);
  }
  return { xs: outX, ys: outY };
}

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const t =
    lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Iterative (an explicit stack, so a long curve cannot overflow the call stack). */
function douglasPeucker(line: Polyline, tolerance: number): Polyline {
  const { xs, ys } = line;
  const n = xs.length;
  if (n <= 2) return line;
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: Array<[number, number]> = [[0, n - 1]];
  for (let range = stack.pop(); range !== undefined; range = stack.pop()) {
    const [start, end] = range;
    const ax = xs[start] ?? 0;
    const ay = ys[start] ?? 0;
    const bx = xs[end] ?? 0;
    const by = ys[end] ?? 0;
    let farthest = -1;
    let farthestDistance = tolerance;
    for (let i = start + 1; i < end; i++) {
      const distance = distanceToSegment(xs[i] ?? 0, ys[i] ?? 0, ax, ay, bx, by);
      if (distance > farthestDistance) {
        farthest = i;
        farthestDistance = distance;
      }
    }
    if (farthest < 0) continue;
    keep[farthest] = 1;
    if (farthest - start > 1) stack.push([start, farthest]);
    if (end - farthest > 1) stack.push([farthest, end]);
  }
  const outX: number[] = [];
  const outY: number[] = [];
  for (let i = 0; i < n; i++) {
    if (keep[i] === 1) {
      outX.push(xs[i] ?? 0);
      outY.push(ys[i] ?? 0);
    }
  }
  return { xs: outX, ys: outY };
}

/** Largest-triangle-three-buckets (Steinarsson 2013): exactly `target` points, endpoints included. */
function largestTriangleBuckets(line: Polyline, target: number): Polyline {
  const { xs, ys } = line;
  const n = xs.length;
  const outX: number[] = [xs[0] ?? 0];
  const outY: number[] = [ys[0] ?? 0];
  const bucketSize = (n - 2) / (target - 2);
  let previous = 0;
  for (let bucket = 0; bucket < target - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.min(Math.floor((bucket + 1) * bucketSize) + 1, n - 1);
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let meanX = 0;
    let meanY = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      meanX += xs[i] ?? 0;
      meanY += ys[i] ?? 0;
    }
    const nextCount = Math.max(1, nextEnd - nextStart);
    meanX /= nextCount;
    meanY /= nextCount;
    const ax = xs[previous] ?? 0;
    const ay = ys[previous] ?? 0;
    let chosen = start;
    let largestArea = -1;
    for (let i = start; i < end; i++) {
      const area = Math.abs((ax - meanX) * ((ys[i] ?? 0) - ay) - (ax - (xs[i] ?? 0)) * (meanY - ay));
      if (area > largestArea) {
        largestArea = area;
        chosen = i;
      }
    }
    outX.push(xs[chosen] ?? 0);
    outY.push(ys[chosen] ?? 0);
    previous = chosen;
  }
  outX.push(xs[n - 1] ?? 0);
  outY.push(ys[n - 1] ?? 0);
  return { xs: outX, ys: outY };
}
