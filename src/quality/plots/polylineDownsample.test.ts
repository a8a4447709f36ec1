import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { downsamplePolyline } from "./polylineDownsample.js";

function distanceToPolyline(px: number, py: number, xs: readonly number[], ys: readonly number[]): number {
  let best = Infinity;
  for (let i = 0; i + 1 < xs.length; i++) {
    const ax = xs[i] ?? 0;
    const ay = ys[i] ?? 0;
    const dx = (xs[i + 1] ?? 0) - ax;
    const dy = (ys[i + 1] ?? 0) - ay;
    const lengthSquared = dx * dx + dy * dy;
    const t =
      lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
    best = Math.min(best, Math.hypot(px - (ax + t * dx), py - (ay + t * dy)));
  }
  return best;
}

/** A dense ROC-like staircase in a 500-pixel box, one step per point. */
function staircase(n: number): { xs: Float64Array; ys: Float64Array } {
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let x = 0;
  let y = 0;
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0) x += 500 / n;
    else y += 500 / n;
    xs[i] = x;
    ys[i] = Math.sqrt(y * 500);
  }
  return { xs, ys };
}

describe("downsamplePolyline", () => {
  it("reduces a million-point curve to at most 2000 points that keep its endpoints", () => {
    const { xs, ys } = staircase(1_000_000);
    const line = downsamplePolyline(xs, ys);
    expect(line.xs.length).toBeLessThanOrEqual(2000);
    expect(line.xs.length).toBeGreaterThan(10);
    expect([line.xs[0], line.ys[0]]).toEqual([xs[0], ys[0]]);
    expect([line.xs.at(-1), line.ys.at(-1)]).toEqual([xs.at(-1), ys.at(-1)]);
  });

  it("keeps the shape: every original point lies within a pixel of the simplified line", () => {
    const { xs, ys } = staircase(100_000);
    const line = downsamplePolyline(xs, ys);
    for (let i = 0; i < xs.length; i += 97) {
      expect(distanceToPolyline(xs[i] ?? 0, ys[i] ?? 0, line.xs, line.ys)).toBeLessThan(1);
    }
  });

  it("drops collinear points down to the two ends", () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const line = downsamplePolyline(
      xs,
      xs.map((x) => 2 * x + 1),
    );
    expect(line).toEqual({ xs: [0, 999], ys: [1, 1999] });
  });

  it("bounds a noisy line that cannot be simplified to exactly maxPoints, endpoints included", () => {
    const n = 50_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => ((i * 7919) % 1000) - 500);
    const line = downsamplePolyline(xs, ys, { maxPoints: 300 });
    expect(line.xs.length).toBe(300);
    expect(line.xs[0]).toBe(0);
    expect(line.xs.at(-1)).toBe(n - 1);
    expect(line.ys.at(-1)).toBe(ys.at(-1));
  });

  it("keeps the last point when it is a near-duplicate of the one before", () => {
    const line = downsamplePolyline([0, 10, 10.1], [0, 5, 5.1]);
    expect(line).toEqual({ xs: [0, 10.1], ys: [0, 5.1] });
  });

  it("leaves out non-finite points", () => {
    expect(downsamplePolyline([0, Number.NaN, 5, 9], [0, 3, Infinity, 1])).toEqual({
      xs: [0, 9],
      ys: [0, 1],
    });
  });

  it("rejects coordinate arrays of different lengths", () => {
    expect(() => downsamplePolyline([1, 2], [1])).toThrow(FlowOpsError);
  });
});
