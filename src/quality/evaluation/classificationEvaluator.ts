/**
 * Streams a classification table: labels of y_true and y_pred become small ids counted in a confusion
 * matrix; with y_score columns, each row's true id and scores are kept for log loss and the ROC/PR curves
 * (4 bytes per row plus 8 bytes per row per score column). Everything else is bounded by the label count.
 */
import { invalidParameter } from "../../errors.js";
import type { TableChunk } from "../../tables/tableChunk.js";
import { labelColumn } from "../../tables/numericColumn.js";
import { ConfusionCounts } from "./confusionCounts.js";
import { confusionMetrics } from "./confusionMetrics.js";
import type { ClassificationReport, EvaluationOptions } from "./evaluatePredictions.js";
import { LabelIds } from "./labelIds.js";
import { scoreMetrics } from "./scoreMetrics.js";
import { ScoreRows } from "./scoreRows.js";

export class ClassificationEvaluator {
  private readonly labels = new LabelIds();
  private readonly counts = new ConfusionCounts();
  private readonly scores: ScoreRows | undefined;
  private trueIds = new Int32Array(0);
  rows = 0;

  constructor(private readonly options: EvaluationOptions) {
    const yScore = options.yScore ?? [];
    this.scores = yScore.length > 0 ? new ScoreRows(yScore) : undefined;
  }

  observe(chunk: TableChunk): void {
    const yTrue = labelColumn(chunk, this.options.yTrue);
    const yPred = labelColumn(chunk, this.options.yPred);
    if (this.trueIds.length < chunk.rowCount) this.trueIds = new Int32Array(chunk.rowCount);
    const trueIds = this.trueIds;
    for (let r = 0; r < chunk.rowCount; r++) {
      const t = yTrue[r];
      const p = yPred[r];
      if (t === null || t === undefined) throw this.missing(chunk, this.options.yTrue, r);
      if (p === null || p === undefined) throw this.missing(chunk, this.options.yPred, r);
      const trueId = this.labels.idOf(t);
      trueIds[r] = trueId;
      this.counts.add(trueId, this.labels.idOf(p));
    }
    this.scores?.observe(chunk, trueIds);
    this.rows += chunk.rowCount;
  }

  report(): ClassificationReport {
    const { labels, matrix } = this.counts.matrix(this.labels);
    const { metrics, perClass, warnings } = confusionMetrics(labels, matrix, this.options.posLabel);
    const report: ClassificationReport = {
      task: "classification",
      rows: this.rows,
      labels,
      metrics,
      perClass,
      confusionMatrix: matrix,
      warnings,
    };
    if (this.options.posLabel !== undefined && labels.length > 2) {
      warnings.push(
        `posLabel '${this.options.posLabel}' is ignored: there are ${labels.length} labels, so no binary ` +
          "precision, recall and f1 are reported",
      );
    }
    if (this.scores !== undefined) {
      const scored = scoreMetrics(this.scores, this.labels);
      Object.assign(metrics, scored.metrics);
      warnings.push(...scored.warnings);
      if (scored.curves !== undefined) report.curves = scored.curves;
    }
    return report;
  }

  private missing(chunk: TableChunk, column: string, r: number): Error {
    return invalidParameter(
      `column ${column}, ${chunk.describeRow(chunk.startRow + r)}: the label is missing`,
    );
  }
}
