import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { loadExpectationSuite, parseExpectationSuite, suiteColumns } from "./expectationSuite.js";

const SUITE_YAML = `name: churn-input
expectations:
  - expect_table_columns_to_match_set: { column_set: [a, b], exact_match: true }
  - expect_table_columns_to_match_ordered_list: { column_list: [a, b] }
  - expect_table_row_count_to_be_between: { min_value: 1, max_value: 1000000 }
  - expect_column_to_exist: { column: a }
  - expect_column_values_to_be_of_type: { column: a, type_: int }
  - expect_column_values_to_not_be_null: { column: a, mostly: 0.99 }
  - expect_column_values_to_be_between: { column: a, min_value: 0, max_value: 1, strict_min: false, strict_max: true, mostly: 1 }
  - expect_column_values_to_be_in_set: { column: c, value_set: [x, y] }
  - expect_column_values_to_be_unique: { column: id }
  - expect_column_values_to_match_regex: { column: email, regex: "@" }
  - expect_column_value_lengths_to_be_between: { column: name, min_value: 1, max_value: 64 }
  - expect_column_mean_to_be_between: { column: a, min_value: 0, max_value: 10 }
  - expect_column_median_to_be_between: { column: a, min_value: 0, max_value: 10 }
  - expect_column_stdev_to_be_between: { column: a, min_value: 0, max_value: 10 }
  - expect_column_values_to_be_fresh: { column: ts, max_age: 24h }
`;

function parseError(text: string, file = "suite.yaml"): FlowOpsError {
  try {
    parseExpectationSuite(text, file);
  } catch (error) {
    if (error instanceof FlowOpsError) return error;
    throw error;
  }
  throw new Error("the suite parsed without error");
}

describe("parseExpectationSuite", () => {
  it("reads every expectation of the design's example suite in the short form", () => {
    const suite = parseExpectationSuite(SUITE_YAML, "suite.yaml");
    expect(suite.name).toBe("churn-input");
    expect(suite.expectations).toHaveLength(15);
    expect(suite.expectations[6]).toEqual({
      type: "expect_column_values_to_be_between",
      kwargs: { column: "a", min_value: 0, max_value: 1, strict_min: false, strict_max: true, mostly: 1 },
    });
    expect(suiteColumns(suite)).toEqual(["a", "c", "id", "email", "name", "ts"]);
  });

  it("reads GX's JSON form with type, kwargs and meta", () => {
    const suite = parseExpectationSuite(
      JSON.stringify({
        name: "gx",
        expectations: [
          { type: "expect_column_to_exist", kwargs: { column: "a" }, meta: { owner: "data" } },
          { expectation_type: "expect_column_values_to_be_unique", kwargs: { column: "id" } },
        ],
      }),
      "suite.json",
    );
    expect(suite.expectations).toEqual([
      { type: "expect_column_to_exist", kwargs: { column: "a" }, meta: { owner: "data" } },
      { type: "expect_column_values_to_be_unique", kwargs: { column: "id" } },
    ]);
  });

  it("names the file, line and index of an unknown expectation type and lists the known ones", () => {
    const error = parseError(
      "name: s\nexpectations:\n  - expect_column_to_exist: { column: a }\n  - expect_foo: { column: a }\n",
    );
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toMatch(
      /^suite\.yaml:4: expectations\[1\]: unknown expectation type "expect_foo"; known types: /,
    );
    expect(error.message).toContain("expect_column_values_to_be_fresh");
  });

  it("names a missing required kwarg", () => {
    const error = parseError(
      "name: s\nexpectations:\n  - expect_column_values_to_be_between:\n      min_value: 0\n",
    );
    expect(error.message).toBe(
      'suite.yaml:3: expectations[0] (expect_column_values_to_be_between): missing required field "column"',
    );
  });

  it("names an unknown kwarg at its own line and lists the accepted ones", () => {
    const error = parseError(
      "name: s\nexpectations:\n  - expect_column_values_to_be_between:\n      column: a\n      min_val: 0\n",
    );
    expect(error.message).toBe(
      'suite.yaml:5: expectations[0] (expect_column_values_to_be_between): unknown field "min_val"; ' +
        "known fields: column, min_value, max_value, strict_min, strict_max, mostly",
    );
  });

  it("rejects kwargs of the wrong type, naming the field and the value", () => {
    const error = parseError(
      'name: s\nexpectations:\n  - expect_column_values_to_be_between: { column: a, min_value: "x" }\n',
    );
    expect(error.message).toMatch(
      /^suite\.yaml:3: expectations\[0\] .*field "min_value": .*expected number.*\(got "x"\)$/,
    );
  });

  it.each([
    [
      "a range without bounds",
      "expect_column_values_to_be_between: { column: a }",
      /give min_value or max_value/,
    ],
    ["mostly above 1", "expect_column_values_to_not_be_null: { column: a, mostly: 2 }", /field "mostly"/],
    [
      "an unknown type_",
      "expect_column_values_to_be_of_type: { column: a, type_: integer }",
      /one of int, float, str, bool, datetime/,
    ],
    [
      "an invalid regex",
      'expect_column_values_to_match_regex: { column: a, regex: "(" }',
      /invalid regular expression "\("/,
    ],
    [
      "an unsupported inline flag",
      'expect_column_values_to_match_regex: { column: a, regex: "(?x)a" }',
      /inline flag 'x'/,
    ],
    [
      "a max_age that is not a duration",
      "expect_column_values_to_be_fresh: { column: a, max_age: 1 day }",
      /field "max_age": must be a duration/,
    ],
    ["kwargs that are a list", "expect_column_values_to_not_be_null: [a]", /kwargs must be a mapping/],
    [
      "no kwargs where a column is required",
      "expect_column_values_to_not_be_null:",
      /missing required field "column"/,
    ],
  ])("rejects %s", (_name, line, pattern) => {
    expect(parseError(`name: s\nexpectations:\n  - ${line}\n`).message).toMatch(pattern);
  });

  it("rejects an item that is neither form, a missing name and a missing list", () => {
    expect(parseError("name: s\nexpectations:\n  - a: 1\n    b: 2\n").message).toMatch(
      /^suite\.yaml:3: expectations\[0\]: expected a mapping/,
    );
    expect(parseError("expectations: []\n").message).toMatch(/`name` must be a non-empty string/);
    expect(parseError("name: s\n").message).toMatch(/`expectations` must be a list/);
    expect(parseError("").message).toMatch(/is a mapping with `name` and `expectations`/);
  });

  it("reports YAML and JSON syntax errors with their line", () => {
    expect(parseError("name: s\nexpectations:\n  - [unclosed\n").message).toMatch(
      /^suite\.yaml:\d+: invalid YAML/,
    );
    expect(parseError('{"name": "s",\n "expectations": [}\n', "suite.json").message).toMatch(
      /^suite\.json:\d+: invalid YAML/,
    );
  });
});

describe("loadExpectationSuite", () => {
  it("reads a suite file and reports a missing one as not found", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-suite-"));
    try {
      const path = join(dir, "suite.yaml");
      await writeFile(path, SUITE_YAML);
      expect((await loadExpectationSuite(path)).expectations).toHaveLength(15);
      await expect(loadExpectationSuite(join(dir, "absent.yaml"))).rejects.toMatchObject({
        code: "RESOURCE_DOES_NOT_EXIST",
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
