import { describe, expect, it } from "vitest";

import type { SchemaElement } from "hyparquet-writer";

import {
  pandasCsvCells,
  pandasJsonCells,
  pythonDecimalText,
  storedCells,
  timeOfDayText,
  timestampText,
} from "./parquetStoredText.js";

const naiveMicros: SchemaElement = {
  name: "ts",
  type: "INT64",
  logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MICROS" },
};
const utcMillis: SchemaElement = {
  name: "tz",
  type: "INT64",
  logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
};
const date: SchemaElement = {
  name: "d",
  type: "INT32",
  converted_type: "DATE",
  logical_type: { type: "DATE" },
};
const decimal: SchemaElement = {
  name: "x",
  type: "FIXED_LEN_BYTE_ARRAY",
  type_length: 9,
  converted_type: "DECIMAL",
  scale: 2,
  precision: 20,
};

describe("timestampText", () => {
  it("floors instants before 1970 instead of rounding them toward it", () => {
    expect(timestampText(-1n, "MICROS", " ", 6)).toBe("1969-12-31 23:59:59.999999");
    expect(timestampText(5n, "NANOS", "T", 9)).toBe("1970-01-01T00:00:00.000000005");
  });

  it("writes dates of any year, leap days included", () => {
    expect(timestampText(-3527n, "DAYS", " ", -1)).toBe("1960-05-06");
    expect(timestampText(BigInt(Date.UTC(2024, 1, 29) / 86_400_000), "DAYS", " ", -1)).toBe("2024-02-29");
    expect(timestampText(2_932_896n, "DAYS", " ", -1)).toBe("9999-12-31");
  });
});

const timeMillis: SchemaElement = {
  name: "t",
  type: "INT32",
  logical_type: { type: "TIME", isAdjustedToUTC: false, unit: "MILLIS" },
};
const smallDecimal: SchemaElement = {
  name: "s",
  type: "INT64",
  converted_type: "DECIMAL",
  scale: 10,
  precision: 18,
};

describe("timeOfDayText", () => {
  it("writes what Python's time.isoformat gives: microseconds only when they are not zero", () => {
    expect(timeOfDayText(45_296_789n, "MILLIS")).toBe("12:34:56.789000");
    expect(timeOfDayText(45_296_000n, "MILLIS")).toBe("12:34:56");
    expect(timeOfDayText(0n, "MICROS")).toBe("00:00:00");
    expect(timeOfDayText(86_399_999_999n, "MICROS")).toBe("23:59:59.999999");
    expect(timeOfDayText(3_600_000_001_000n, "NANOS")).toBe("01:00:00.000001");
  });

  it("keeps a nanosecond time's nine digits, which pandas cannot read at all", () => {
    expect(timeOfDayText(45_296_789_012_345n, "NANOS")).toBe("12:34:56.789012345");
  });
});

describe("pythonDecimalText", () => {
  it("writes what str(Decimal) gives for pyarrow's decimals", () => {
    expect(pythonDecimalText(123n, 2)).toBe("1.23");
    expect(pythonDecimalText(100n, 2)).toBe("1.00");
    expect(pythonDecimalText(-9_999_999_999_999_999_999n, 2)).toBe("-99999999999999999.99");
    expect(pythonDecimalText(-1n, 6)).toBe("-0.000001");
    expect(pythonDecimalText(1n, 7)).toBe("1E-7");
    expect(pythonDecimalText(0n, 10)).toBe("0E-10");
    expect(pythonDecimalText(1n, -2)).toBe("1E+2");
  });
});

describe("pandasCsvCells", () => {
  it("gives a naive timestamp column the fraction digits its finest value needs, and no timezone", () => {
    expect(pandasCsvCells(naiveMicros, [1_704_103_200_123_456n, null, 1_704_103_200_000_000n])).toEqual([
      "2024-01-01 10:00:00.123456",
      null,
      "2024-01-01 10:00:00.000000",
    ]);
    expect(pandasCsvCells(naiveMicros, [1_704_103_205_000_000n])).toEqual(["2024-01-01 10:00:05"]);
  });

  it("writes a naive column of midnights as dates, and a UTC one with its offset", () => {
    expect(pandasCsvCells(naiveMicros, [1_704_067_200_000_000n, null])).toEqual(["2024-01-01", null]);
    expect(pandasCsvCells(utcMillis, [1_704_067_200_000n, 1_704_103_200_123n])).toEqual([
      "2024-01-01 00:00:00.000+00:00",
      "2024-01-01 10:00:00.123+00:00",
    ]);
  });

  it("writes TIME columns, legacy TIME_MILLIS included, as times of day", () => {
    expect(pandasCsvCells(timeMillis, [45_296_789, null, 0])).toEqual(["12:34:56.789000", null, "00:00:00"]);
    expect(pandasCsvCells({ name: "l", type: "INT32", converted_type: "TIME_MILLIS" }, [1])).toEqual([
      "00:00:00.001000",
    ]);
  });

  it("writes decimals as str(Decimal), in exponent form below 1E-6", () => {
    expect(pandasCsvCells(smallDecimal, [1n, 0n, -12_345_678_901n])).toEqual([
      "1E-10",
      "0E-10",
      "-1.2345678901",
    ]);
  });

  it("writes dates as dates and decimals exactly", () => {
    expect(pandasCsvCells(date, [19_724, null])).toEqual(["2024-01-02", null]);
    expect(pandasCsvCells(decimal, [123n, null, -9_999_999_999_999_999_999n])).toEqual([
      "1.23",
      null,
      "-99999999999999999.99",
    ]);
  });
});

describe("pandasJsonCells", () => {
  it("writes timestamps as ISO text at their own unit, with Z only when they are UTC", () => {
    expect(pandasJsonCells(naiveMicros, [1_704_103_200_123_456n, null])).toEqual([
      "2024-01-01T10:00:00.123456",
      null,
    ]);
    expect(pandasJsonCells(utcMillis, [1_704_103_200_123n])).toEqual(["2024-01-01T10:00:00.123Z"]);
    expect(pandasJsonCells(date, [19_724])).toEqual(["2024-01-02T00:00:00.000"]);
  });

  it("writes times of day as to_csv does", () => {
    expect(pandasJsonCells(timeMillis, [45_296_789, null, 45_296_000])).toEqual([
      "12:34:56.789000",
      null,
      "12:34:56",
    ]);
  });

  it("writes decimals as fixed-point text, as pandas 3 writes Decimal objects, never in exponent form", () => {
    expect(pandasJsonCells(smallDecimal, [1n, 0n, null, -12_345_678_901n])).toEqual([
      "0.0000000001",
      "0.0000000000",
      null,
      "-1.2345678901",
    ]);
    expect(pandasJsonCells(decimal, [123n])).toEqual(["1.23"]);
  });
});

describe("storedCells", () => {
  it("gives the cells readers gave before: ISO text in milliseconds, numbers, exact digits past 2^53", () => {
    expect(storedCells(naiveMicros, [1_704_103_200_123_456n, null])).toEqual([
      "2024-01-01T10:00:00.123Z",
      null,
    ]);
    expect(storedCells(date, [19_724])).toEqual(["2024-01-02T00:00:00.000Z"]);
    expect(storedCells(decimal, [123n])).toEqual([1.23]);
    expect(storedCells({ name: "n", type: "INT64" }, [1n, 2n ** 60n, null])).toEqual([
      1,
      "1152921504606846976",
      null,
    ]);
    expect(storedCells({ name: "f", type: "FLOAT" }, [0.5, null])).toEqual([0.5, null]);
  });
});
