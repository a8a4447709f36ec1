import { describe, expect, it } from "vitest";
import { validateOne } from "./validationTestTable.js";

// pandas 2: Series([2, 4, 4, 4, 5, 5, 7, 9, None, 1e-3]) -> mean 4.444555555555556, std 2.6032031764304873, median 4.0
const values = ["2", "4", "4", "4", "5", "5", "7", "9", null, "1e-3"];

describe("expect_column_mean_to_be_between", () => {
  it("reports the mean of the present values and passes within the bounds", async () => {
    const result = await validateOne(
      "expect_column_mean_to_be_between",
      { column: "a", min_value: 4, max_value: 5 },
      { a: values },
    );
    expect(result.success).toBe(true);
    expect(result.result.observed_value).toBeCloseTo(4.444555555555556, 12);
  });

  it("fails outside the bounds and at a strict bound", async () => {
    const outside = await validateOne(
      "expect_column_mean_to_be_between",
      { column: "a", max_value: 4 },
      { a: values },
    );
    expect(outside.success).toBe(false);
    const strict = await validateOne(
      "expect_column_mean_to_be_between",
      { column: "a", min_value: 2, strict_min: true },
      { a: ["1", "3"] },
    );
    expect(strict.result.observed_value).toBe(2);
    expect(strict.success).toBe(false);
  });

  it("stays exact on large offsets", async () => {
    const result = await validateOne(
      "expect_column_mean_to_be_between",
      { column: "a", min_value: 0 },
      { a: [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4] },
      { format: "parquet" },
    );
    expect(result.result.observed_value).toBe(1000000002.5);
  });

  it("fails an all-null column with no observed value", async () => {
    const result = await validateOne(
      "expect_column_mean_to_be_between",
      { column: "a", min_value: 0 },
      { a: [null, null] },
    );
    expect(result.success).toBe(false);
    expect(result.result.observed_value).toBeNull();
  });

  it("fails with an exception naming the first non-numeric value and its row", async () => {
    const result = await validateOne(
      "expect_column_mean_to_be_between",
      { column: "a", min_value: 0 },
      { a: ["1", "2", "3", "abc", "x"] },
    );
    expect(result.success).toBe(false);
    expect(result.exception_info.raised_exception).toBe(true);
    expect(result.exception_info.exception_message).toBe(
      'column "a" of data.csv, row 4 (line 5): "abc" is not a number',
    );
  });
});

describe("expect_column_median_to_be_between", () => {
  it("reports the exact median over all chunks", async () => {
    const result = await validateOne(
      "expect_column_median_to_be_between",
      { column: "a", min_value: 4, max_value: 4 },
      { a: values },
      { chunkRows: 2 },
    );
    expect(result.result.observed_value).toBe(4);
    expect(result.success).toBe(true);
  });

  it("averages the two middle values of an even count and fails outside the bounds", async () => {
    const result = await validateOne(
      "expect_column_median_to_be_between",
      { column: "a", min_value: 3 },
      { a: ["4", "1", "2", "3"] },
    );
    expect(result.result.observed_value).toBe(2.5);
    expect(result.success).toBe(false);
  });

  it("grows past its initial buffer", async () => {
    const many = Array.from({ length: 5001 }, (_, i) => 5000 - i);
    const result = await validateOne(
      "expect_column_median_to_be_between",
      { column: "a", min_value: 2500, max_value: 2500 },
      { a: many },
      { format: "jsonl", chunkRows: 1000 },
    );
    expect(result.result.observed_value).toBe(2500);
    expect(result.success).toBe(true);
  });
});

describe("expect_column_stdev_to_be_between", () => {
  it("reports the sample standard deviation (ddof 1, as pandas)", async () => {
    const result = await validateOne(
      "expect_column_stdev_to_be_between",
      { column: "a", min_value: 2, max_value: 3 },
      { a: values },
    );
    expect(result.result.observed_value).toBeCloseTo(2.6032031764304873, 12);
    expect(result.success).toBe(true);
    const offset = await validateOne(
      "expect_column_stdev_to_be_between",
      { column: "a", max_value: 1 },
      { a: [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4] },
      { format: "jsonl" },
    );
    expect(offset.result.observed_value).toBeCloseTo(1.2909944487358056, 9);
    expect(offset.success).toBe(false);
  });

  it("fails a column with a single value, whose sample deviation is undefined", async () => {
    const result = await validateOne(
      "expect_column_stdev_to_be_between",
      { column: "a", min_value: 0 },
      { a: ["3", null] },
    );
    expect(result.success).toBe(false);
    expect(result.result.observed_value).toBeNull();
  });
});
