import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { parseLoggedModelFilter } from "./searchFilter.js";

const value = (filter: string) => parseLoggedModelFilter(filter)[0]?.value;

/**
 * Answers recorded from mlflow server 3.17.2 (POST /api/2.0/mlflow/logged-models/search) against models
 * tagged k with each of: a, 1, 01, 1.0, "a", it''s, it's, a\'b, (x). Its parser takes `value.strip("'")` for
 * a string column and `ast.literal_eval` for an IN list.
 */
describe("logged-model filter values for string columns", () => {
  it.each([
    ["tags.k = 1", "1"], // matched the tag 1 only
    ["tags.k = 01", "01"], // matched 01, not 1
    ["tags.k = 1.0", "1.0"], // matched 1.0 only
    ["tags.k = a", "a"],
    ["name = m1", "m1"],
    ["experiment_id = 5", "5"], // matched every model of experiment 5
    ['tags.k = "a"', '"a"'], // matched the tag "a" (with its quotes), not a
    ["tags.k = 'it''s'", "it''s"], // matched it''s, not it's
    ["tags.k = 'a\\'b'", "a\\'b"], // matched a\'b
    ["tags.k = '(x)'", "(x)"],
    ["tags.k != 1", "1"], // matched all but 1
    ["tags.k = -1", "-1"], // matched nothing
    ["tags.k = NULL", "NULL"], // matched nothing
  ])("%s compares with %s", (filter, expected) => {
    expect(value(filter)).toBe(expected);
  });

  it("reads an IN list as Python literals: numbers as their text, backslash escapes undone", () => {
    expect(value("tags.k IN (1, 'a')")).toEqual(["1", "a"]); // matched 1 and a
    expect(value("tags.k IN ('it\\'s')")).toEqual(["it's"]); // matched it's
  });

  it("keeps numbers for numeric columns and metrics", () => {
    expect(value("creation_timestamp > 5")).toBe(5);
    expect(value("metrics.acc >= 0.5")).toBe(0.5);
  });

  it("quotes the filter as sent in an error", () => {
    let error: unknown;
    try {
      parseLoggedModelFilter("name = m1 OR tags.k = 1");
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).message).toContain("'name = m1 OR tags.k = 1'");
  });
});
