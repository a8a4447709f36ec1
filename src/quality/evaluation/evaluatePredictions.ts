/**
 * Model evaluation over a prediction table, with scikit-learn's metric definitions (the version used for the
 * reference fixtures is recorded in test/fixtures/quality/sklearn/expected.json). The table is read once in
 * chunks. Memory is bounded by the chunk size and the label count, except the per-row columns exact
 * statistics need: classification with y_score keeps 4 bytes per row plus 8 bytes per row per score column;
 * regression keeps 8 bytes per row for the exact median absolute error. This module does no I/O of its own
 * beyond the given TableSource and writes nothing; plots and logging are the callers' business.
 */
import { invalidParameter } from "../../errors.js";
import type { TableSource } from "../../tables/tableChunk.js";
import { ClassificationEvaluator } from "./classificationEvaluator.js";
import { RegressionEvaluator } from "./regressionEvaluator.js";
import type { ClassCurves } from "./scoreMetrics.js";
import type { PerClassMetrics } from "./confusionMetrics.js";

export interface EvaluationOptions {
  task: "classification" | "regression";
  yTrue: string;
  yPred: string;
  /** Classification: one column = P(greater label) for binary, or one per class of y_true in sorted label order. */
  yScore?: readonly string[];
  /** Binary classification: the label whose precision, recall and f1 are reported (default: the greater label). */
  posLabel?: string;
}

export interface ClassificationReport {
  task: "classification";
  rows: number;
  labels: string[];
  metrics: Record<string, number>;
  perClass: PerClassMetrics[];
  /** Rows are true labels, columns predicted labels, both in `labels` order. */
  confusionMatrix: number[][];
  curves?: ClassCurves;
  warnings: string[];
}

export interface RegressionReport {
  task: "regression";
  rows: number;
  metrics: Record<string, number>;
  /** At most 5000 points, reservoir-sampled with a fixed seed, for plots. */
  sample: { actual: number[]; predicted: number[] };
  warnings: string[];
}

export type EvaluationReport = ClassificationReport | RegressionReport;

export async function evaluatePredictions(
  source: TableSource,
  options: EvaluationOptions,
  hooks?: { onProgress?: (rows: number) => void },
): Promise<EvaluationReport> {
  const evaluator = createEvaluator(options);
  for await (const chunk of source.chunks()) {
    evaluator.observe(chunk);
    hooks?.onProgress?.(evaluator.rows);
  }
  if (evaluator.rows === 0) {
    throw invalidParameter(`${source.path} has no data rows: there is nothing to evaluate`);
  }
  return evaluator.report();
}

function createEvaluator(options: EvaluationOptions): ClassificationEvaluator | RegressionEvaluator {
  switch (options.task) {
    case "classification":
      return new ClassificationEvaluator(options);
    case "regression":
      if (options.yScore !== undefined && options.yScore.length > 0) {
        throw invalidParameter("y_score columns apply to classification only, not to task regression");
      }
      return new RegressionEvaluator(options.yTrue, options.yPred);
    default:
      throw invalidParameter(
        `task must be classification or regression, got '${String((options as { task: unknown }).task)}'`,
      );
  }
}
