/**
 * The per-row data that probability metrics need: each row's true label id (4 bytes) and every score
 * column (8 bytes per row per column). Checks while rows arrive: a score must be finite (else an error naming
 * the column and row); the first row outside [0, 1] and the first row whose scores do not sum to 1 are
 * remembered for the warnings scikit-learn gives (log_loss) or the errors it raises (roc_auc multiclass).
 */
import { invalidParameter } from "../../errors.js";
import type { TableChunk } from "../../tables/tableChunk.js";
import { numericColumn } from "../../tables/numericColumn.js";
import { GrowableFloat64Array, GrowableInt32Array } from "./growableArrays.js";

/** scikit-learn's log_loss tolerance: isclose(sum, 1, rtol=sqrt(float64 eps), atol=1e-8). */
const LOG_LOSS_SUM_TOLERANCE = 1e-8 + Math.sqrt(2 ** -52);

export class ScoreRows {
  readonly trueIds = new GrowableInt32Array();
  readonly columns: GrowableFloat64Array[];
  /** Where the first score outside [0, 1] was seen, for the log_loss warning. */
  outOfRange: string | undefined;
  /** Where the first row not summing to 1 (log_loss's isclose) was seen. */
  notSummingToOne: string | undefined;
  /** Where the first row failing numpy's allclose(1, sum) was seen (roc_auc multiclass requires it). */
  notProbabilities: string | undefined;

  constructor(readonly names: readonly string[]) {
    this.columns = names.map(() => new GrowableFloat64Array());
  }

  observe(chunk: TableChunk, trueIds: Int32Array): void {
    const values = this.names.map((name) => numericColumn(chunk, name));
    values.forEach((column, j) => {
      for (let r = 0; r < column.length; r++) {
        const v = column[r] as number;
        if (!Number.isFinite(v)) {
          throw invalidParameter(
            `column ${this.names[j]}, ${chunk.describeRow(chunk.startRow + r)}: score ${v} is not a finite number`,
          );
        }
      }
    });
    const single = values.length === 1;
    for (let r = 0; r < chunk.rowCount; r++) {
      this.trueIds.push(trueIds[r] as number);
      let sum = 0;
      let outside = false;
      for (let j = 0; j < values.length; j++) {
        const v = (values[j] as Float64Array)[r] as number;
        (this.columns[j] as GrowableFloat64Array).push(v);
        if (v < 0 || v > 1) outside = true;
        sum += v;
      }
      if (single) sum = 1 - sum + sum;
      if (outside && this.outOfRange === undefined) this.outOfRange = chunk.describeRow(chunk.startRow + r);
      const gap = Math.abs(sum - 1);
      if (gap > LOG_LOSS_SUM_TOLERANCE && this.notSummingToOne === undefined) {
        this.notSummingToOne = chunk.describeRow(chunk.startRow + r);
      }
      if (gap > 1e-8 + 1e-5 * Math.abs(sum) && this.notProbabilities === undefined) {
        this.notProbabilities = chunk.describeRow(chunk.startRow + r);
      }
    }
  }
}
