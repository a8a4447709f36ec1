import { describe, expect, it } from "vitest";
import { validateOne } from "./validationTestTable.js";

describe("expect_column_values_to_be_unique", () => {
  it("passes when no value repeats, ignoring nulls", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_unique",
      { column: "id" },
      { id: ["1", "2", null, null] },
    );
    expect(result.success).toBe(true);
    expect(result.result.missing_count).toBe(2);
  });

  it("marks every occurrence of a duplicated value unexpected, the first included, across chunks", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_unique",
      { column: "id" },
      { id: ["a", "b", "c", "d", "a", "e", "b", "a"] },
      { chunkRows: 2 },
    );
    expect(result.success).toBe(false);
    expect(result.result.unexpected_count).toBe(5);
    expect(result.result.partial_unexpected_index_list).toEqual([1, 2, 5, 7, 8]);
    expect(result.result.partial_unexpected_list).toEqual(["a", "b", "a", "b", "a"]);
  });

  it("lists the 20 smallest unexpected rows even when a first occurrence is found late", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `v${i}`);
    // Rows 1..30 are distinct; rows 31..60 repeat them in reverse, so row 1 is known to be a duplicate last.
    const result = await validateOne(
      "expect_column_values_to_be_unique",
      { column: "id" },
      { id: [...ids, ...[...ids].reverse()] },
      { chunkRows: 7 },
    );
    expect(result.result.unexpected_count).toBe(60);
    expect(result.result.partial_unexpected_index_list).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(result.result.partial_unexpected_list?.[0]).toBe("v0");
  });

  it("tells typed values of different types apart", async () => {
    const result = await validateOne(
      "expect_column_values_to_be_unique",
      { column: "id" },
      { id: [1, "1", true, "true", 1.0] },
      { format: "jsonl" },
    );
    expect(result.result.partial_unexpected_list).toEqual([1, 1]);
  });

  it("passes with mostly when few values repeat", async () => {
    const kwargs = { column: "id", mostly: 0.5 };
    const result = await validateOne("expect_column_values_to_be_unique", kwargs, {
      id: ["a", "a", "b", "c"],
    });
    expect(result.success).toBe(true);
    expect(result.result.unexpected_percent).toBe(50);
  });

  it("passes an empty column", async () => {
    expect(
      (await validateOne("expect_column_values_to_be_unique", { column: "id" }, { id: [] })).success,
    ).toBe(true);
  });
});
