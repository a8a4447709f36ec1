/**
 * read_json's dates: each expectation is the dtype and values pandas 3.1.1's `pd.read_json(path, lines=True)`
 * gives for a column of that name holding these values (batchPredictUntypedText.test.ts checks the same through
 * the real Python worker against the venv's pandas).
 */
import { describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { isPandasDateName, pandasJsonDates } from "./pandasJsonDates.js";
import type { CellValue } from "./tableChunk.js";

const naive = (unit: string) => ({ kind: "datetime", unit, utcOffsetMinutes: null });
const dates = (cells: readonly CellValue[]) => pandasJsonDates("created_at", cells, 1);

describe("isPandasDateName", () => {
  it("follows pandas' keep_default_dates names, in any letter case", () => {
    for (const name of [
      "created_at",
      "x_AT",
      "_at",
      "a_time",
      "timestamp",
      "TIMESTAMPX",
      "modified",
      "Date",
      "datetime",
    ])
      expect(isPandasDateName(name), name).toBe(true);
    for (const name of ["dates", "time", "at", "created", "my_timestamp", "date_x"])
      expect(isPandasDateName(name), name).toBe(false);
  });
});

describe("pandasJsonDates", () => {
  it("reads epoch numbers in the first unit that keeps every value within datetime64[ns]", () => {
    expect(dates([1577836800, null])).toEqual({
      values: ["2020-01-01T00:00:00.000000000", null],
      dtype: naive("us"),
    });
    expect(dates([1577836800000, 1577836800001])?.values).toEqual([
      "2020-01-01T00:00:00.000000000",
      "2020-01-01T00:00:00.001000000",
    ]);
    expect(dates(["1577836800000000001", 1577836800000000000])).toEqual({
      values: ["2020-01-01T00:00:00.000000001", "2020-01-01T00:00:00.000000000"],
      dtype: naive("ns"),
    });
    expect(dates([9000000000])?.values).toEqual(["2255-03-14T16:00:00.000000000"]);
  });

  it("makes fractional epochs datetime64[ns], rounding the fraction as pandas does", () => {
    // The double the file's text reads as, which pandas rounds too.
    expect(dates([Number("1577836800.123456789"), 1577836801])).toEqual({
      values: ["2020-01-01T00:00:00.123456717", "2020-01-01T00:00:01.000000000"],
      dtype: naive("ns"),
    });
  });

  it("leaves numbers at or below a year of seconds, or negative, to be typed as numbers", () => {
    expect(dates([31536000])).toBeUndefined();
    expect(dates([1, 1577836800000])).toBeUndefined();
    expect(dates(["31536000"])).toBeUndefined();
    expect(dates([-1577836800000, 1577836800000])).toBeUndefined();
  });

  it("reads ISO 8601 text, with one offset for the column or none", () => {
    expect(dates(["2020-01-02T03:04:05Z", "2021-06-07T08:09:10+00:00", null])).toEqual({
      values: ["2020-01-02T03:04:05.000000000+00:00", "2021-06-07T08:09:10.000000000+00:00", null],
      dtype: { kind: "datetime", unit: "us", utcOffsetMinutes: 0 },
    });
    expect(dates(["2020-01-02T03:04:05-01:30", "2021-06-07 08:09:10.1234567-0130"])).toEqual({
      values: ["2020-01-02T03:04:05.000000000-01:30", "2021-06-07T08:09:10.123456700-01:30"],
      dtype: { kind: "datetime", unit: "ns", utcOffsetMinutes: -90 },
    });
    expect(dates(["2020-01-02", "2021-06", "2020-01-02t03", "2020-01-02T03:04"])).toEqual({
      values: [
        "2020-01-02T00:00:00.000000000",
        "2021-06-01T00:00:00.000000000",
        "2020-01-02T03:00:00.000000000",
        "2020-01-02T03:04:00.000000000",
      ],
      dtype: naive("us"),
    });
  });

  it("keeps text that is no date, or mixes offsets, as text", () => {
    expect(dates(["2020-02-30", "2020-01-01"])).toBeUndefined();
    expect(dates(["2019-02-29"])).toBeUndefined();
    expect(dates(["2020-01-02T03:04:60"])).toBeUndefined();
    expect(dates(["2020-01-02T03:04:05+02:00", "2020-01-02T03:04:05Z"])).toBeUndefined();
    expect(dates(["2020-01-02T03:04:05", "2020-01-02T03:04:05Z"])).toBeUndefined();
    expect(dates(["x", null])).toBeUndefined();
    expect(dates([1577836800000, "x"])).toBeUndefined();
    expect(dates([true, null])).toBeUndefined();
  });

  it("makes a column of nulls only datetime64[s] of NaT", () => {
    expect(dates([null, null])).toEqual({ values: [null, null], dtype: naive("s") });
  });

  it("refuses date text pandas reads with dateutil, naming the column and row", () => {
    for (const [cells, row, value] of [
      [["2020-01-02", "Jan 5 2020"], 11, "Jan 5 2020"],
      [["01/02/2020"], 10, "01/02/2020"],
      [[null, "now"], 11, "now"],
      [[1577836800000, "2020-01-02"], 11, "2020-01-02"],
      // With a null, numeric text is no integer column: dateutil reads "20200102" as a date, "12" not.
      [["20200102", null], 10, "20200102"],
    ] as const) {
      const call = () => pandasJsonDates("created_at", cells, 10);
      expect(call).toThrow(FlowOpsError);
      expect(call).toThrow(`column 'created_at' row ${row}: ${JSON.stringify(value)} is not ISO 8601`);
    }
  });
});
