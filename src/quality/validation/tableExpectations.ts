/**
 * GX's table-level expectations: the column list (as a set or in order), the row count, and one column's
 * existence. They read the file's columns from the validation context (the header, the first JSON
 * object's keys or the Parquet schema) and count rows as chunks pass; results carry `observed_value` and,
 * for column lists, GX's `details.mismatched`.
 */
import { z } from "zod";
import type { TableChunk } from "../../tables/tableChunk.js";
import { columnName, hasABound, isWithin, NO_BOUND_MESSAGE } from "./columnMapExpectations.js";
import {
  defineExpectation,
  type ExpectationAccumulator,
  type ExpectationOutcome,
} from "./expectationAccumulator.js";

/** Expectations decided by the column list alone. */
class ColumnListAccumulator implements ExpectationAccumulator {
  constructor(private readonly decide: () => ExpectationOutcome) {}

  observe(): void {}

  outcome(): ExpectationOutcome {
    return this.decide();
  }
}

export const columnsMatchSetExpectation = defineExpectation(
  "expect_table_columns_to_match_set",
  z.strictObject({ column_set: z.array(z.string()), exact_match: z.boolean().optional() }),
  (kwargs, context) =>
    new ColumnListAccumulator(() => {
      const actual = new Set(context.columns);
      const expected = new Set(kwargs.column_set);
      const missing = kwargs.column_set.filter((column) => !actual.has(column));
      const unexpected = context.columns.filter((column) => !expected.has(column));
      // exact_match false: the expected columns must be present; extra columns are allowed.
      const exact = kwargs.exact_match ?? true;
      const success = missing.length === 0 && (!exact || unexpected.length === 0);
      const mismatched = missing.length > 0 || (exact && unexpected.length > 0);
      return {
        success,
        result: {
          observed_value: [...context.columns],
          ...(mismatched ? { details: { mismatched: { unexpected, missing } } } : {}),
        },
      };
    }),
  { needsColumn: false },
);

export const columnsMatchOrderedListExpectation = defineExpectation(
  "expect_table_columns_to_match_ordered_list",
  z.strictObject({ column_list: z.array(z.string()) }),
  (kwargs, context) =>
    new ColumnListAccumulator(() => {
      const mismatched: Array<Record<string, unknown>> = [];
      const length = Math.max(kwargs.column_list.length, context.columns.length);
      for (let i = 0; i < length; i += 1) {
        const expected = kwargs.column_list[i] ?? null;
        const found = context.columns[i] ?? null;
        if (expected !== found) {
          mismatched.push({ "Expected Column Position": i, Expected: expected, Found: found });
        }
      }
      return {
        success: mismatched.length === 0,
        result: {
          observed_value: [...context.columns],
          ...(mismatched.length > 0 ? { details: { mismatched } } : {}),
        },
      };
    }),
  { needsColumn: false },
);

export const columnExistsExpectation = defineExpectation(
  "expect_column_to_exist",
  z.strictObject({ column: columnName, column_index: z.number().int().min(0).optional() }),
  (kwargs, context) =>
    new ColumnListAccumulator(() => {
      const success =
        kwargs.column_index === undefined
          ? context.columns.includes(kwargs.column)
          : context.columns[kwargs.column_index] === kwargs.column;
      // GX reports nothing here; the column list shows what the file has instead.
      return { success, result: { observed_value: [...context.columns] } };
    }),
  { needsColumn: false },
);

class RowCountAccumulator implements ExpectationAccumulator {
  private rows = 0;

  constructor(private readonly range: Parameters<typeof isWithin>[1]) {}

  observe(chunk: TableChunk): void {
    this.rows += chunk.rowCount;
  }

  outcome(): ExpectationOutcome {
    return { success: isWithin(this.rows, this.range), result: { observed_value: this.rows } };
  }
}

const rowBound = z.number().int().min(0).nullable().optional();

export const rowCountExpectation = defineExpectation(
  "expect_table_row_count_to_be_between",
  z
    .strictObject({
      min_value: rowBound,
      max_value: rowBound,
      strict_min: z.boolean().optional(),
      strict_max: z.boolean().optional(),
    })
    .refine(hasABound, { message: NO_BOUND_MESSAGE, path: ["min_value"] }),
  (kwargs) =>
    new RowCountAccumulator({
      min: kwargs.min_value ?? null,
      max: kwargs.max_value ?? null,
      strictMin: kwargs.strict_min ?? false,
      strictMax: kwargs.strict_max ?? false,
    }),
);
