import { describe, expect, it } from "vitest";
import { formatPrometheusDuration, parseSloDuration } from "./sloDuration.js";

describe("SLO durations", () => {
  it("reads Prometheus units, including days and weeks", () => {
    expect(parseSloDuration("300ms")).toBe(300);
    expect(parseSloDuration("1h30m")).toBe(5_400_000);
    expect(parseSloDuration("30d")).toBe(2_592_000_000);
    expect(parseSloDuration("1w")).toBe(604_800_000);
  });

  it("refuses a bare number, whose unit would be a guess", () => {
    expect(parseSloDuration("300")).toBeUndefined();
    expect(parseSloDuration("5 minutes")).toBeUndefined();
  });

  it("writes the shortest spelling Prometheus reads back to the same length", () => {
    expect(formatPrometheusDuration(300)).toBe("300ms");
    expect(formatPrometheusDuration(300_000)).toBe("5m");
    expect(formatPrometheusDuration(5_400_000)).toBe("1h30m");
    expect(formatPrometheusDuration(2_592_000_000)).toBe("30d");
    for (const ms of [250, 1000, 1_800_000, 21_600_000, 259_200_000]) {
      expect(parseSloDuration(formatPrometheusDuration(ms))).toBe(ms);
    }
  });
});
