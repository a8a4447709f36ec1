/**
 * Streams a regression table into scikit-learn's regression metrics: MAE, MSE, RMSE, MAPE (divided by
 * max(|y|, float64 eps), a fraction) and R2 (1 - SS_res / SS_tot, with force_finite: 1 for a perfect fit of a
 * constant y_true, else 0). Sums are compensated; SS_tot merges each chunk's exact two-pass mean and sum of
 * squares (Chan et al.), so results agree with numpy to ~1e-12. The exact median absolute error keeps one
 * Float64Array of absolute errors (8 bytes per row); 5000 (actual, predicted) pairs are reservoir-sampled.
 */
import { invalidParameter } from "../../errors.js";
import type { TableChunk } from "../../tables/tableChunk.js";
import { numericColumn } from "../../tables/numericColumn.js";
import { CompensatedSum } from "./compensatedSum.js";
import type { RegressionReport } from "./evaluatePredictions.js";
import { GrowableFloat64Array } from "./growableArrays.js";
import { medianInPlace } from "./medianSelect.js";
import { PairReservoir } from "./reservoirSample.js";

const EPS = 2 ** -52;
export const REGRESSION_SAMPLE_SIZE = 5000;

export class RegressionEvaluator {
  private readonly absoluteError = new CompensatedSum();
  private readonly squaredError = new CompensatedSum();
  private readonly percentageError = new CompensatedSum();
  private readonly absoluteErrors = new GrowableFloat64Array();
  private readonly sample = new PairReservoir(REGRESSION_SAMPLE_SIZE);
  private nearZero = 0;
  private mean = 0;
  private sumSquares = 0;
  rows = 0;

  constructor(
    private readonly yTrue: string,
    private readonly yPred: string,
  ) {}

  observe(chunk: TableChunk): void {
    const actual = this.finiteColumn(chunk, this.yTrue);
    const predicted = this.finiteColumn(chunk, this.yPred);
    const n = chunk.rowCount;
    if (n === 0) return;
    for (let r = 0; r < n; r++) {
      const y = actual[r] as number;
      const yHat = predicted[r] as number;
      const error = Math.abs(yHat - y);
      const scale = Math.abs(y);
      this.absoluteError.add(error);
      this.squaredError.add((y - yHat) * (y - yHat));
      if (scale < EPS) this.nearZero++;
      this.percentageError.add(error / (scale > EPS ? scale : EPS));
      this.absoluteErrors.push(error);
      this.sample.offer(y, yHat);
    }
    this.mergeChunkMoments(actual);
    this.rows += n;
  }

  report(): RegressionReport {
    const n = this.rows;
    const mse = this.squaredError.value / n;
    const residual = this.squaredError.value;
    const r2 = this.sumSquares === 0 ? (residual === 0 ? 1 : 0) : 1 - residual / this.sumSquares;
    const warnings: string[] = [];
    if (this.sumSquares === 0) {
      warnings.push(`y_true is constant: r2 is ${r2} (scikit-learn's force_finite)`);
    }
    if (this.nearZero > 0) {
      warnings.push(
        `${this.nearZero} y_true value(s) are 0 or below float64 eps in magnitude: mape divides their error by eps`,
      );
    }
    const { first, second } = this.sample.pairs();
    return {
      task: "regression",
      rows: n,
      metrics: {
        mae: this.absoluteError.value / n,
        mse,
        rmse: Math.sqrt(mse),
        r2,
        mape: this.percentageError.value / n,
        median_absolute_error: medianInPlace(this.absoluteErrors.view()),
      },
      sample: { actual: first, predicted: second },
      warnings,
    };
  }

  /** Chan et al.'s pairwise update with the chunk's own two-pass mean and sum of squared deviations. */
  private mergeChunkMoments(values: Float64Array): void {
    const n = values.length;
    const sum = new CompensatedSum();
    let min = Infinity;
    let max = -Infinity;
    for (let r = 0; r < n; r++) {
      const v = values[r] as number;
      sum.add(v);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // A constant chunk has exactly its value as mean and no spread; rounding must not invent one (r2's
    // force_finite case depends on SS_tot being exactly 0).
    const chunkMean = min === max ? min : sum.value / n;
    const squares = new CompensatedSum();
    if (min !== max) {
      for (let r = 0; r < n; r++) {
        const d = (values[r] as number) - chunkMean;
        squares.add(d * d);
      }
    }
    if (this.rows === 0) {
      this.mean = chunkMean;
      this.sumSquares = squares.value;
      return;
    }
    const total = this.rows + n;
    const delta = chunkMean - this.mean;
    this.sumSquares += squares.value + (delta * delta * this.rows * n) / total;
    this.mean += (delta * n) / total;
  }

  private finiteColumn(chunk: TableChunk, name: string): Float64Array {
    const values = numericColumn(chunk, name);
    for (let r = 0; r < values.length; r++) {
      if (!Number.isFinite(values[r] as number)) {
        throw invalidParameter(
          `column ${name}, ${chunk.describeRow(chunk.startRow + r)}: ${values[r]} is not a finite number`,
        );
      }
    }
    return values;
  }
}
