import { describe, expect, it } from "vitest";
import { formatArgoDuration, parseArgoDuration } from "./argoDuration.js";

describe("formatArgoDuration", () => {
  it.each<[number, string | number]>([
    [0, 0],
    [30_000, 30],
    [300_000, 300],
    [1500, "1500ms"],
    [250, "250ms"],
    [1.5, "1.5ms"],
  ])("writes %d ms as %j", (ms, text) => {
    expect(formatArgoDuration(ms)).toBe(text);
  });

  it.each([0, 1, 999, 1000, 1001, 1500, 30_000, 5_400_000, 0.25, 1.5, 12_345.5])(
    "reads back %d ms through parseArgoDuration unchanged",
    (ms) => {
      expect(parseArgoDuration(formatArgoDuration(ms))).toBe(ms);
    },
  );
});

describe("parseArgoDuration", () => {
  it("reads Argo's units, Go-style sequences and bare seconds, and refuses the rest", () => {
    expect(parseArgoDuration("30s")).toBe(30_000);
    expect(parseArgoDuration("5m")).toBe(300_000);
    expect(parseArgoDuration("1h30m")).toBe(5_400_000);
    expect(parseArgoDuration("250ms")).toBe(250);
    expect(parseArgoDuration("45")).toBe(45_000);
    expect(parseArgoDuration(10)).toBe(10_000);
    expect(parseArgoDuration("10 minutes")).toBeUndefined();
    expect(parseArgoDuration(-1)).toBeUndefined();
    // Argo's pause duration is an int-or-string: a fractional number of seconds is not one.
    expect(parseArgoDuration(1.5)).toBeUndefined();
  });
});
