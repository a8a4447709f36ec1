/**
 * `expect_column_values_to_be_unique`: every occurrence of a duplicated value is unexpected, the first one
 * included (pandas `duplicated(keep=False)`), found in one pass. Memory is O(distinct values) of this one
 * column: a Map from value to the row of its only occurrence so far, or DUPLICATED once seen again. Values
 * are compared by JavaScript equality, so in a CSV "1" and "1.0" are different values, and in a typed
 * file 1 and "1" are too.
 */
import { z } from "zod";
import type { TableChunk } from "../../tables/tableChunk.js";
import { isMissing, type PresentValue } from "./cellInterpretation.js";
import { columnValues, mapOutcome, PartialUnexpected } from "./columnMapAccumulator.js";
import { columnName, mostly } from "./columnMapExpectations.js";
import {
  defineExpectation,
  type ExpectationAccumulator,
  type ExpectationOutcome,
} from "./expectationAccumulator.js";

const DUPLICATED = -1;

class UniqueAccumulator implements ExpectationAccumulator {
  private readonly firstRows = new Map<PresentValue, number>();
  private elementCount = 0;
  private missingCount = 0;
  private unexpectedCount = 0;
  private readonly partial = new PartialUnexpected();

  constructor(
    private readonly column: string,
    private readonly mostly: number,
  ) {}

  observe(chunk: TableChunk): void {
    const values = columnValues(chunk, this.column);
    this.elementCount += chunk.rowCount;
    if (values === undefined) {
      this.missingCount += chunk.rowCount;
      return;
    }
    for (let i = 0; i < values.length; i += 1) {
      const value = values[i] ?? null;
      if (isMissing(value)) {
        this.missingCount += 1;
        continue;
      }
      const row = chunk.startRow + i;
      const firstRow = this.firstRows.get(value);
      if (firstRow === undefined) {
        this.firstRows.set(value, row);
      } else if (firstRow === DUPLICATED) {
        this.unexpectedCount += 1;
        this.partial.add(row, value);
      } else {
        // The first occurrence becomes unexpected only now that a second one shows up.
        this.unexpectedCount += 2;
        this.partial.add(firstRow, value);
        this.partial.add(row, value);
        this.firstRows.set(value, DUPLICATED);
      }
    }
  }

  outcome(): ExpectationOutcome {
    const counts = {
      elementCount: this.elementCount,
      missingCount: this.missingCount,
      unexpectedCount: this.unexpectedCount,
    };
    return mapOutcome(counts, this.partial, this.mostly);
  }
}

export const uniqueExpectation = defineExpectation(
  "expect_column_values_to_be_unique",
  z.strictObject({ column: columnName, mostly }),
  (kwargs) => new UniqueAccumulator(kwargs.column, kwargs.mostly ?? 1),
);
