import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openTable } from "../../tables/openTable.js";
import { FLOWOPS_VERSION } from "../../version.js";
import { parseExpectationSuite } from "./expectationSuite.js";
import { validateTable } from "./validateTable.js";
import { formatValidationResult } from "./validationResult.js";
import { testTable } from "./validationTestTable.js";

const now = new Date("2024-06-02T12:00:00Z");

const suite = parseExpectationSuite(
  `name: orders
expectations:
  - expect_table_row_count_to_be_between: { min_value: 1, max_value: 100 }
  - expect_column_values_to_be_between: { column: amount, min_value: 0, max_value: 100 }
  - expect_column_values_to_be_unique: { column: id }
  - expect_column_to_exist: { column: id }
  - expect_column_values_to_not_be_null: { column: discount }
  - expect_column_mean_to_be_between: { column: amount, min_value: 0, max_value: 100 }
  - expect_column_values_to_be_fresh: { column: ts, max_age: 24h }
`,
  "orders.yaml",
);

const orders = {
  id: ["1", "2", "3", "3", "5"],
  amount: ["10", "250", "30", null, "-1"],
  ts: ["2024-06-01T00:00:00Z", "2024-06-02T08:00:00Z", "2024-05-30", "bad", "2024-06-02"],
};

describe("validateTable", () => {
  it("evaluates every expectation in one pass over the chunks", async () => {
    const source = testTable(orders, { chunkRows: 2 });
    const progress: number[] = [];
    const result = await validateTable(source, suite, { now, onProgress: (rows) => progress.push(rows) });
    expect(source.chunkPasses).toBe(1);
    expect(progress).toEqual([2, 4, 5]);
    expect(result.results.map((r) => r.success)).toEqual([true, false, false, true, false, true, false]);
    expect(result.statistics).toEqual({
      evaluated_expectations: 7,
      successful_expectations: 3,
      unsuccessful_expectations: 4,
      success_percent: (3 / 7) * 100,
    });
    expect(result.success).toBe(false);
    expect(result.suite_name).toBe("orders");
    expect(result.meta).toEqual({
      data_path: "data.csv",
      rows: 5,
      validation_time: "2024-06-02T12:00:00.000Z",
      flowops_version: FLOWOPS_VERSION,
    });
  });

  it("fails an expectation on a missing column with a message naming it, while the others run", async () => {
    const result = await validateTable(testTable(orders), suite, { now });
    const notNull = result.results[4];
    expect(notNull?.success).toBe(false);
    expect(notNull?.exception_info).toEqual({
      raised_exception: true,
      exception_traceback: null,
      exception_message: 'column "discount" does not exist in data.csv; its columns are: id, amount, ts',
    });
    expect(result.results[2]?.result.partial_unexpected_index_list).toEqual([3, 4]);
  });

  it("writes results in GX's BASIC format", async () => {
    const result = await validateTable(testTable(orders), suite, { now });
    expect(result.results[1]).toEqual({
      success: false,
      expectation_config: {
        type: "expect_column_values_to_be_between",
        kwargs: { column: "amount", min_value: 0, max_value: 100 },
        meta: {},
      },
      result: {
        element_count: 5,
        missing_count: 1,
        missing_percent: 20,
        unexpected_count: 2,
        unexpected_percent: 50,
        unexpected_percent_total: 40,
        unexpected_percent_nonmissing: 50,
        partial_unexpected_list: ["250", "-1"],
        partial_unexpected_index_list: [2, 5],
      },
      meta: {},
      exception_info: { raised_exception: false, exception_traceback: null, exception_message: null },
    });
  });

  it("passes an empty suite and reports no success percent", async () => {
    const result = await validateTable(testTable(orders), { name: "empty", expectations: [] }, { now });
    expect(result.success).toBe(true);
    expect(result.statistics.success_percent).toBeNull();
  });

  it("rejects a suite built in code with invalid kwargs before reading", async () => {
    const source = testTable(orders);
    const bad = { name: "bad", expectations: [{ type: "expect_column_values_to_be_unique", kwargs: {} }] };
    await expect(validateTable(source, bad)).rejects.toThrow(
      'suite "bad" expectations[0] (expect_column_values_to_be_unique): missing required field "column"',
    );
    expect(source.chunkPasses).toBe(0);
  });
});

describe("formatValidationResult", () => {
  it("lists each expectation with its verdict, observed value and first unexpected rows", async () => {
    const text = formatValidationResult(await validateTable(testTable(orders), suite, { now }));
    const lines = text.split("\n");
    expect(lines[0]).toBe("Suite orders on data.csv: FAILED, 3 of 7 expectations passed (42.86%), 5 rows");
    expect(text).toContain(
      "✓ expect_table_row_count_to_be_between min_value=1 max_value=100\n    observed: 5\n",
    );
    expect(text).toContain(
      '✗ expect_column_values_to_be_between column="amount" min_value=0 max_value=100\n' +
        "    2 unexpected of 4 non-missing values (50%), 1 missing\n" +
        '      row 2: "250"\n' +
        '      row 5: "-1"\n',
    );
    expect(text).toContain(
      '✗ expect_column_values_to_not_be_null column="discount"\n' +
        '    error: column "discount" does not exist in data.csv; its columns are: id, amount, ts\n',
    );
    expect(text).toContain('    observed: "2024-06-02T08:00:00.000Z"\n');
  });

  it("says how many unexpected values are not listed", async () => {
    const ids = Array.from({ length: 25 }, () => "x");
    const result = await validateTable(
      testTable({ id: ids }),
      {
        name: "dup",
        expectations: [{ type: "expect_column_values_to_be_unique", kwargs: { column: "id" } }],
      },
      { now },
    );
    const text = formatValidationResult(result);
    expect(text).toContain('      row 20: "x"\n      ... and 5 more\n');
    expect(text).not.toContain("row 21:");
  });
});

describe("validateTable on a CSV file through openTable", () => {
  it("reads the file in chunks and reports CSV rows and values", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-validate-"));
    try {
      const path = join(dir, "orders.csv");
      const rows = ["id,amount,ts"];
      for (let i = 0; i < 50; i += 1) rows.push(`${i % 45},${i === 7 ? "abc" : i},2024-06-0${1 + (i % 2)}`);
      await writeFile(path, `${rows.join("\n")}\n`);
      const csvSuite = parseExpectationSuite(
        `name: csv
expectations:
  - expect_table_columns_to_match_ordered_list: { column_list: [id, amount, ts] }
  - expect_column_values_to_be_of_type: { column: amount, type_: int }
  - expect_column_values_to_be_unique: { column: id }
  - expect_column_median_to_be_between: { column: amount, min_value: 0 }
  - expect_column_values_to_be_fresh: { column: ts, max_age: 1d }
`,
        "csv.yaml",
      );
      const result = await validateTable(openTable(path, { chunkRows: 8 }), csvSuite, { now });
      expect(result.meta.rows).toBe(50);
      expect(result.results.map((r) => r.success)).toEqual([true, false, false, false, true]);
      expect(result.results[1]?.result.partial_unexpected_list).toEqual(["abc"]);
      expect(result.results[1]?.result.partial_unexpected_index_list).toEqual([8]);
      expect(result.results[2]?.result.unexpected_count).toBe(10);
      expect(result.results[3]?.exception_info.exception_message).toBe(
        `column "amount" of ${path}, row 8 (line 9): "abc" is not a number`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
