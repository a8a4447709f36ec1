/**
 * The shared shape of GX's column map expectations: every present value gets a verdict, nulls are left
 * out of the denominator, and success is (present - unexpected) / present >= mostly, so an empty or
 * all-null column passes. Subclasses say only which present value is unexpected.
 */
import type { CellValue, TableChunk } from "../../tables/tableChunk.js";
import { isMissing, type PresentValue } from "./cellInterpretation.js";
import type {
  ExpectationAccumulator,
  ExpectationOutcome,
  ValidationContext,
} from "./expectationAccumulator.js";
import { PARTIAL_UNEXPECTED_COUNT, type ExpectationResultDetail } from "./validationResult.js";

/** The unexpected values with the smallest row numbers, at most `limit` of them, in row order. */
export class PartialUnexpected {
  private readonly rows: number[] = [];
  private readonly values: CellValue[] = [];

  constructor(private readonly limit = PARTIAL_UNEXPECTED_COUNT) {}

  /** Rows may arrive out of order (uniqueness finds a first occurrence late); the smallest are kept. */
  add(fileRow: number, value: CellValue): void {
    const last = this.rows[this.rows.length - 1];
    if (this.rows.length >= this.limit && last !== undefined && fileRow >= last) return;
    let at = this.rows.length;
    while (at > 0 && (this.rows[at - 1] ?? 0) > fileRow) at -= 1;
    this.rows.splice(at, 0, fileRow);
    this.values.splice(at, 0, value);
    if (this.rows.length > this.limit) {
      this.rows.pop();
      this.values.pop();
    }
  }

  /** 1-based data row numbers, as the result documents give them. */
  rowNumbers(): number[] {
    return this.rows.map((row) => row + 1);
  }

  unexpectedValues(): CellValue[] {
    return [...this.values];
  }
}

export interface MapCounts {
  readonly elementCount: number;
  readonly missingCount: number;
  readonly unexpectedCount: number;
}

const percent = (part: number, whole: number): number | null => (whole > 0 ? (part / whole) * 100 : null);

/** GX's `_format_map_output` at BASIC, and the `mostly` verdict over present values. */
export function mapOutcome(
  counts: MapCounts,
  partial: PartialUnexpected,
  mostly: number,
): { success: boolean; result: ExpectationResultDetail } {
  const present = counts.elementCount - counts.missingCount;
  const success = present === 0 || (present - counts.unexpectedCount) / present >= mostly;
  const unexpectedPercent = percent(counts.unexpectedCount, present);
  return {
    success,
    result: {
      element_count: counts.elementCount,
      missing_count: counts.missingCount,
      missing_percent: percent(counts.missingCount, counts.elementCount),
      unexpected_count: counts.unexpectedCount,
      unexpected_percent: unexpectedPercent,
      unexpected_percent_total: percent(counts.unexpectedCount, counts.elementCount),
      unexpected_percent_nonmissing: unexpectedPercent,
      partial_unexpected_list: partial.unexpectedValues(),
      partial_unexpected_index_list: partial.rowNumbers(),
    },
  };
}

/** Values of `column` in `chunk`; a chunk without the column contributes nulls. */
export function columnValues(chunk: TableChunk, column: string): readonly CellValue[] | undefined {
  return chunk.columns.includes(column) ? chunk.column(column) : undefined;
}

export abstract class ColumnMapAccumulator implements ExpectationAccumulator {
  protected elementCount = 0;
  protected missingCount = 0;
  protected unexpectedCount = 0;
  protected readonly partial = new PartialUnexpected();

  constructor(
    protected readonly column: string,
    protected readonly mostly: number,
    protected readonly context: ValidationContext,
  ) {}

  /** Whether a present value breaks the expectation. */
  protected abstract isUnexpected(value: PresentValue): boolean;

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
      } else if (this.isUnexpected(value)) {
        this.unexpectedCount += 1;
        this.partial.add(chunk.startRow + i, value);
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
