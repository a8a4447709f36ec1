import { describe, expect, it } from "vitest";
import { parseMaxAgeSeconds } from "./freshnessExpectation.js";
import { parseIsoTimestamp } from "./isoTimestamp.js";
import { validateOne } from "./validationTestTable.js";

const now = new Date("2024-06-02T12:00:00Z");

describe("parseMaxAgeSeconds", () => {
  it("reads durations with units and plain seconds", () => {
    expect(parseMaxAgeSeconds("24h")).toBe(86_400);
    expect(parseMaxAgeSeconds("30m")).toBe(1_800);
    expect(parseMaxAgeSeconds("7d")).toBe(604_800);
    expect(parseMaxAgeSeconds("1.5h")).toBe(5_400);
    expect(parseMaxAgeSeconds(90)).toBe(90);
  });

  it("rejects other text and negative numbers", () => {
    expect(parseMaxAgeSeconds("24 hours")).toBeUndefined();
    expect(parseMaxAgeSeconds("h")).toBeUndefined();
    expect(parseMaxAgeSeconds(-1)).toBeUndefined();
  });
});

describe("parseIsoTimestamp", () => {
  it("reads dates and date-times, offset-less ones as UTC", () => {
    expect(parseIsoTimestamp("2024-06-02")).toBe(Date.parse("2024-06-02T00:00:00Z"));
    expect(parseIsoTimestamp("2024-06-02 10:30")).toBe(Date.parse("2024-06-02T10:30:00Z"));
    expect(parseIsoTimestamp("2024-06-02T10:30:00.250+02:00")).toBe(Date.parse("2024-06-02T08:30:00.250Z"));
    expect(parseIsoTimestamp("2024-06-02T10:30:00-0130")).toBe(Date.parse("2024-06-02T12:00:00Z"));
  });

  it("agrees with Date.parse on valid UTC timestamps across leap years, centuries and before 1970", () => {
    for (const text of [
      "1900-03-01T00:00:00Z",
      "1969-12-31T23:59:59.999Z",
      "2000-02-29T12:34:56Z",
      "2100-12-31T00:00:00Z",
      "2024-02-29T23:59:00Z",
      "2024-03-01T00:00:00.5Z",
    ]) {
      expect(parseIsoTimestamp(text)).toBe(Date.parse(text));
    }
  });

  it("rejects impossible dates and non-ISO text", () => {
    expect(parseIsoTimestamp("2024-02-30")).toBeUndefined();
    expect(parseIsoTimestamp("2023-02-29")).toBeUndefined();
    expect(parseIsoTimestamp("1900-02-29")).toBeUndefined();
    expect(parseIsoTimestamp("06/02/2024")).toBeUndefined();
    expect(parseIsoTimestamp("2024-06-02T10:61")).toBeUndefined();
  });
});

describe("expect_column_values_to_be_fresh", () => {
  it("passes when the newest timestamp is within max_age and reports it", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_fresh",
      { column: "ts", max_age: "24h" },
      { ts: ["2024-05-01T00:00:00Z", "2024-06-01T13:00:00Z", null, "2024-05-20"] },
      { now },
    );
    expect(result.success).toBe(true);
    expect(result.result.observed_value).toBe("2024-06-01T13:00:00.000Z");
    expect(result.result.missing_count).toBe(1);
    expect(result.result.details).toEqual({
      oldest_allowed: "2024-06-01T12:00:00.000Z",
      age_seconds: 82_800,
    });
  });

  it("fails when the newest timestamp is older than max_age in seconds", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_fresh",
      { column: "ts", max_age: 3600 },
      { ts: ["2024-06-02T10:59:59Z"] },
      { now },
    );
    expect(result.success).toBe(false);
  });

  it("counts unparseable timestamps as unexpected, judged against mostly", async () => {
    const data = { ts: ["2024-06-02T11:00:00Z", "soon", "2024-06-02T11:30:00Z", "2024-13-01"] };
    const strict = await validateOne(
      "expect_column_values_to_be_fresh",
      { column: "ts", max_age: "2h" },
      data,
      { now },
    );
    expect(strict.success).toBe(false);
    expect(strict.result.partial_unexpected_list).toEqual(["soon", "2024-13-01"]);
    expect(strict.result.partial_unexpected_index_list).toEqual([2, 4]);
    const lenient = await validateOne(
      "expect_column_values_to_be_fresh",
      { column: "ts", max_age: "2h", mostly: 0.5 },
      data,
      { now },
    );
    expect(lenient.success).toBe(true);
  });

  it("fails a column with no timestamp at all", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_fresh",
      { column: "ts", max_age: "7d" },
      { ts: [null] },
      { now },
    );
    expect(result.success).toBe(false);
    expect(result.result.observed_value).toBeNull();
  });
});
