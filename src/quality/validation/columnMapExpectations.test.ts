import { describe, expect, it } from "vitest";
import { validateOne } from "./validationTestTable.js";

describe("expect_column_values_to_not_be_null", () => {
  it("passes when every value is present", async () => {
    const result = await validateOne(
      "expect_column_values_to_not_be_null",
      { column: "a" },
      { a: ["1", "2"] },
    );
    expect(result.success).toBe(true);
    expect(result.result.unexpected_count).toBe(0);
  });

  it("fails on nulls, reports them with their 1-based rows and counts percentages over all values", async () => {
    const result = await validateOne(
      "expect_column_values_to_not_be_null",
      { column: "a" },
      { a: ["1", null, "3", null] },
    );
    expect(result.success).toBe(false);
    expect(result.result).toMatchObject({
      element_count: 4,
      unexpected_count: 2,
      unexpected_percent: 50,
      partial_unexpected_list: [null, null],
      partial_unexpected_index_list: [2, 4],
    });
    expect(result.result.missing_count).toBeUndefined();
  });

  it("passes with nulls under the mostly fraction and fails above it", async () => {
    const data = { a: ["1", "2", "3", null] };
    const kwargs = { column: "a" };
    expect(
      (await validateOne("expect_column_values_to_not_be_null", { ...kwargs, mostly: 0.75 }, data)).success,
    ).toBe(true);
    expect(
      (await validateOne("expect_column_values_to_not_be_null", { ...kwargs, mostly: 0.8 }, data)).success,
    ).toBe(false);
  });

  it("treats NaN in a typed file as null", async () => {
    const result = await validateOne(
      "expect_column_values_to_not_be_null",
      { column: "a" },
      { a: [1, Number.NaN] },
      { format: "jsonl" },
    );
    expect(result.result.unexpected_count).toBe(1);
  });

  it("passes an empty column", async () => {
    const result = await validateOne("expect_column_values_to_not_be_null", { column: "a" }, { a: [] });
    expect(result.success).toBe(true);
    expect(result.result.unexpected_percent).toBeNull();
  });
});

describe("expect_column_values_to_be_of_type", () => {
  const cases: Array<[string, string[], string[]]> = [
    ["int", ["1", "-2", "+30"], ["1.5", "x", "1e3"]],
    ["float", ["1", "1.5", "-2e-3", ".5"], ["abc", "inf", "0x10"]],
    ["bool", ["true", "False", "True"], ["yes", "1", "TRUE"]],
    [
      "datetime",
      ["2024-01-01", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00.123456+02:00"],
      ["2024-02-30", "yesterday", "2024-01-01T25:00"],
    ],
    ["str", ["anything", "1"], []],
  ];
  for (const [type, good, bad] of cases) {
    it(`infers ${type} per value in CSV text, with the non-${type} values unexpected`, async () => {
      const result = await validateOne(
        "expect_column_values_to_be_of_type",
        { column: "a", type_: type },
        { a: [...good, ...bad, null] },
      );
      expect(result.success).toBe(bad.length === 0);
      expect(result.result.partial_unexpected_list).toEqual(bad);
      expect(result.result.missing_count).toBe(1);
    });
  }

  it("uses the JavaScript type in typed files, so a numeric string is not an int", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_of_type",
      { column: "a", type_: "int" },
      { a: [1, 2.5, "3", true] },
      { format: "jsonl" },
    );
    expect(result.result.partial_unexpected_list).toEqual([2.5, "3", true]);
  });

  it("accepts typed booleans and strings for bool and str", async () => {
    const bools = await validateOne(
      "expect_column_values_to_be_of_type",
      { column: "a", type_: "bool" },
      { a: [true, false, "true"] },
      { format: "parquet" },
    );
    expect(bools.result.partial_unexpected_list).toEqual(["true"]);
    const strings = await validateOne(
      "expect_column_values_to_be_of_type",
      { column: "a", type_: "str" },
      { a: ["x", 1] },
      { format: "parquet" },
    );
    expect(strings.result.partial_unexpected_list).toEqual([1]);
  });
});

describe("expect_column_values_to_be_between", () => {
  const data = { a: ["0", "0.5", "1", "2", null] };

  it("includes both bounds by default", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_between",
      { column: "a", min_value: 0, max_value: 1 },
      data,
    );
    expect(result.success).toBe(false);
    expect(result.result).toMatchObject({
      element_count: 5,
      missing_count: 1,
      missing_percent: 20,
      unexpected_count: 1,
      unexpected_percent: 25,
      unexpected_percent_total: 20,
      unexpected_percent_nonmissing: 25,
      partial_unexpected_list: ["2"],
      partial_unexpected_index_list: [4],
    });
  });

  it("excludes a bound made strict", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_between",
      { column: "a", min_value: 0, max_value: 2, strict_min: true, strict_max: true },
      data,
    );
    expect(result.result.partial_unexpected_list).toEqual(["0", "2"]);
  });

  it("leaves a null bound open", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_between",
      { column: "a", min_value: null, max_value: 0.5 },
      data,
    );
    expect(result.result.partial_unexpected_list).toEqual(["1", "2"]);
    const onlyMin = await validateOne(
      "expect_column_values_to_be_between",
      { column: "a", min_value: 1 },
      data,
    );
    expect(onlyMin.result.partial_unexpected_list).toEqual(["0", "0.5"]);
  });

  it("counts values that are not numbers as unexpected", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_between",
      { column: "a", min_value: 0, max_value: 10 },
      { a: ["1", "abc", "NaN", "0x1"] },
    );
    expect(result.result.partial_unexpected_list).toEqual(["abc", "NaN", "0x1"]);
    const typed = await validateOne(
      "expect_column_values_to_be_between",
      { column: "a", min_value: 0, max_value: 10 },
      { a: [1, "2", true] },
      { format: "jsonl" },
    );
    expect(typed.result.partial_unexpected_list).toEqual(["2", true]);
  });

  it("passes with mostly when enough values are in range", async () => {
    const kwargs = { column: "a", min_value: 0, max_value: 1, mostly: 0.75 };
    expect((await validateOne("expect_column_values_to_be_between", kwargs, data)).success).toBe(true);
  });

  it("passes an all-null column vacuously", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_between",
      { column: "a", min_value: 0 },
      { a: [null, null] },
    );
    expect(result.success).toBe(true);
    expect(result.result.unexpected_percent).toBeNull();
    expect(result.result.missing_percent).toBe(100);
  });
});

describe("expect_column_values_to_be_in_set", () => {
  it("matches CSV text against the set's strings, numbers and booleans", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_in_set",
      { column: "c", value_set: ["x", 1, true] },
      { c: ["x", "1", "1.0", "True", "y", "2", null] },
    );
    expect(result.success).toBe(false);
    expect(result.result.partial_unexpected_list).toEqual(["y", "2"]);
    expect(result.result.partial_unexpected_index_list).toEqual([5, 6]);
  });

  it("matches typed values by type, so the string '1' is not the number 1", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_in_set",
      { column: "c", value_set: [1, "x"] },
      { c: [1, 1.0, "1", "x"] },
      { format: "jsonl" },
    );
    expect(result.result.partial_unexpected_list).toEqual(["1"]);
  });

  it("passes with mostly", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_in_set",
      { column: "c", value_set: ["x"], mostly: 0.5 },
      { c: ["x", "y"] },
    );
    expect(result.success).toBe(true);
  });
});

describe("expect_column_values_to_match_regex", () => {
  it("searches rather than matching the whole value, as GX", async () => {
    const result = await validateOne(
      "expect_column_values_to_match_regex",
      { column: "email", regex: "@" },
      { email: ["a@b.c", "no-at", "x@y", null] },
    );
    expect(result.result.partial_unexpected_list).toEqual(["no-at"]);
    expect(result.result.missing_count).toBe(1);
  });

  it("honours anchors and Python's named groups and inline flags", async () => {
    const result = await validateOne(
      "expect_column_values_to_match_regex",
      { column: "code", regex: "(?i)^(?P<p>[a-z]{2})-(?P=p)$" },
      { code: ["AB-ab", "ab-ab", "ab-cd", "xab-ab"] },
    );
    expect(result.result.partial_unexpected_list).toEqual(["ab-cd", "xab-ab"]);
  });

  it("passes with mostly", async () => {
    const result = await validateOne(
      "expect_column_values_to_match_regex",
      { column: "a", regex: "^\\d+$", mostly: 0.6 },
      { a: ["1", "2", "x"] },
    );
    expect(result.success).toBe(true);
  });
});

describe("expect_column_value_lengths_to_be_between", () => {
  it("measures lengths in code points with inclusive bounds", async () => {
    const result = await validateOne(
      "expect_column_value_lengths_to_be_between",
      { column: "name", min_value: 1, max_value: 3 },
      { name: ["a", "abc", "abcd", "😀😀😀", " "] },
    );
    expect(result.result.partial_unexpected_list).toEqual(["abcd"]);
  });

  it("treats typed non-strings as unexpected and accepts a single bound", async () => {
    const result = await validateOne(
      "expect_column_value_lengths_to_be_between",
      { column: "name", max_value: 2 },
      { name: ["ab", 12, "abc"] },
      { format: "jsonl" },
    );
    expect(result.result.partial_unexpected_list).toEqual([12, "abc"]);
    expect(result.success).toBe(false);
  });

  it("passes with mostly", async () => {
    const result = await validateOne(
      "expect_column_value_lengths_to_be_between",
      { column: "name", min_value: 2, mostly: 0.5 },
      { name: ["ab", "a"] },
    );
    expect(result.success).toBe(true);
  });
});
