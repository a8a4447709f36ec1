import { describe, expect, it } from "vitest";
import { validateOne } from "./validationTestTable.js";

const data = { a: ["1", "2"], b: ["x", "y"], c: [null, null] };

describe("expect_table_columns_to_match_set", () => {
  it("passes on the same columns in any order", async () => {
    const result = await validateOne(
      "expect_table_columns_to_match_set",
      { column_set: ["c", "a", "b"] },
      data,
    );
    expect(result.success).toBe(true);
    expect(result.result).toEqual({ observed_value: ["a", "b", "c"] });
  });

  it("fails on extra and missing columns with exact_match, reporting both", async () => {
    const result = await validateOne(
      "expect_table_columns_to_match_set",
      { column_set: ["a", "b", "d"], exact_match: true },
      data,
    );
    expect(result.success).toBe(false);
    expect(result.result.details).toEqual({ mismatched: { unexpected: ["c"], missing: ["d"] } });
  });

  it("allows extra columns without exact_match but not missing ones", async () => {
    const subset = await validateOne(
      "expect_table_columns_to_match_set",
      { column_set: ["a"], exact_match: false },
      data,
    );
    expect(subset.success).toBe(true);
    const missing = await validateOne(
      "expect_table_columns_to_match_set",
      { column_set: ["a", "z"], exact_match: false },
      data,
    );
    expect(missing.success).toBe(false);
  });
});

describe("expect_table_columns_to_match_ordered_list", () => {
  it("passes on the same columns in the same order", async () => {
    const result = await validateOne(
      "expect_table_columns_to_match_ordered_list",
      { column_list: ["a", "b", "c"] },
      data,
    );
    expect(result.success).toBe(true);
  });

  it("fails on another order, naming each mismatched position", async () => {
    const result = await validateOne(
      "expect_table_columns_to_match_ordered_list",
      { column_list: ["a", "c", "b", "d"] },
      data,
    );
    expect(result.success).toBe(false);
    expect(result.result.details).toEqual({
      mismatched: [
        { "Expected Column Position": 1, Expected: "c", Found: "b" },
        { "Expected Column Position": 2, Expected: "b", Found: "c" },
        { "Expected Column Position": 3, Expected: "d", Found: null },
      ],
    });
  });
});

describe("expect_table_row_count_to_be_between", () => {
  it("counts rows over all chunks and passes inside inclusive bounds", async () => {
    const rows = { a: Array.from({ length: 10 }, (_, i) => String(i)) };
    const result = await validateOne(
      "expect_table_row_count_to_be_between",
      { min_value: 10, max_value: 10 },
      rows,
    );
    expect(result.success).toBe(true);
    expect(result.result.observed_value).toBe(10);
  });

  it("fails outside the bounds and at a strict bound", async () => {
    expect((await validateOne("expect_table_row_count_to_be_between", { min_value: 3 }, data)).success).toBe(
      false,
    );
    const strict = await validateOne(
      "expect_table_row_count_to_be_between",
      { max_value: 2, strict_max: true },
      data,
    );
    expect(strict.success).toBe(false);
  });

  it("counts zero rows in an empty table", async () => {
    const result = await validateOne("expect_table_row_count_to_be_between", { min_value: 1 }, { a: [] });
    expect(result.result.observed_value).toBe(0);
    expect(result.success).toBe(false);
  });
});

describe("expect_column_to_exist", () => {
  it("passes for a present column, at its index when one is given", async () => {
    expect((await validateOne("expect_column_to_exist", { column: "b" }, data)).success).toBe(true);
    expect(
      (await validateOne("expect_column_to_exist", { column: "b", column_index: 1 }, data)).success,
    ).toBe(true);
  });

  it("fails for an absent column or one at another index", async () => {
    expect((await validateOne("expect_column_to_exist", { column: "zz" }, data)).success).toBe(false);
    expect(
      (await validateOne("expect_column_to_exist", { column: "b", column_index: 0 }, data)).success,
    ).toBe(false);
  });
});
