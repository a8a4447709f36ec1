import { describe, expect, it } from "vitest";
import { formatTick, linearScale, niceTicks } from "./chartAxes.js";

describe("niceTicks", () => {
  it("covers a unit range with steps of 0.2", () => {
    expect(niceTicks(0, 0.93)).toEqual({ domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2 });
  });

  it("uses steps of 1, 2 or 5 times a power of ten and widens the domain to whole ticks", () => {
    const { domain, ticks, step } = niceTicks(-1234, 98765);
    expect(step).toBe(20000);
    expect(domain).toEqual([-20000, 100000]);
    expect(ticks[0]).toBe(-20000);
    expect(ticks.at(-1)).toBe(100000);
  });

  it("fits the data closely rather than rounding the step up", () => {
    expect(niceTicks(-10, 110)).toMatchObject({ domain: [-20, 120], step: 20 });
  });

  it("gives ticks without floating-point noise", () => {
    const { ticks } = niceTicks(0.1, 0.7, 7);
    expect(ticks).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  });

  it("widens a single value into a usable range", () => {
    const { domain, ticks } = niceTicks(5, 5);
    expect(domain[0]).toBeLessThan(5);
    expect(domain[1]).toBeGreaterThan(5);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
  });

  it("falls back to [0, 1] when the data has no finite values", () => {
    expect(niceTicks(Infinity, -Infinity).domain).toEqual([0, 1]);
  });
});

describe("formatTick", () => {
  it("writes as many decimals as the step needs", () => {
    expect(formatTick(0.4, 0.2)).toBe("0.4");
    expect(formatTick(1, 0.2)).toBe("1.0");
    expect(formatTick(0.05, 0.05)).toBe("0.05");
    expect(formatTick(300, 100)).toBe("300");
    expect(formatTick(0, 0.2)).toBe("0.0");
  });

  it("switches to exponent notation for very large values", () => {
    expect(formatTick(2e7, 1e7)).toBe("2e+7");
  });
});

describe("linearScale", () => {
  it("maps the domain onto the range, including an inverted range for y", () => {
    const toY = linearScale([0, 10], [100, 0]);
    expect(toY(0)).toBe(100);
    expect(toY(10)).toBe(0);
    expect(toY(2.5)).toBe(75);
  });
});
