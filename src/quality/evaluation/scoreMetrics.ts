/**
 * Metrics of predicted probabilities, as scikit-learn computes them without a `labels` argument: the score
 * classes are the sorted labels of y_true. log_loss clips to [eps, 1 - eps] with float64 eps and does not
 * renormalise rows (scikit-learn >= 1.5 warns instead); one column means P(greater label). roc_auc is binary
 * (greater label positive, the single column or the second of two) or one-vs-rest macro and weighted by
 * prevalence. Curves are per class: the positive class for binary, every class for multiclass.
 */
import { invalidParameter } from "../../errors.js";
import { sortLabels } from "../labelOrder.js";
import { rankBinary, type BinaryRanking } from "./binaryRanking.js";
import { CompensatedSum } from "./compensatedSum.js";
import type { LabelIds } from "./labelIds.js";
import type { ScoreRows } from "./scoreRows.js";

export interface ClassCurves {
  roc: Array<{ label: string; fpr: number[]; tpr: number[]; auc: number }>;
  pr: Array<{ label: string; recall: number[]; precision: number[]; averagePrecision: number }>;
}

export interface ScoreMetrics {
  metrics: Record<string, number>;
  curves?: ClassCurves;
  warnings: string[];
}

const EPS = 2 ** -52;
const clip = (p: number): number => (p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p);

export function scoreMetrics(scores: ScoreRows, labelIds: LabelIds): ScoreMetrics {
  const trueIds = scores.trueIds.view();
  const counts = new Float64Array(labelIds.size);
  for (let i = 0; i < trueIds.length; i++) counts[trueIds[i] as number]! += 1;
  const classes = sortLabels(labelIds.labels.filter((_, id) => (counts[id] as number) > 0));
  const rankOf = new Int32Array(labelIds.size).fill(-1);
  classes.forEach((label, rank) => (rankOf[labelIds.idOf(label)] = rank));
  const columns = scores.columns.map((column) => column.view());
  const warnings: string[] = [];

  if (classes.length < 2) {
    warnings.push(
      `y_true holds only the label ${classes.map((c) => `'${c}'`).join("")}: log_loss and ROC AUC are undefined ` +
        "and were not computed",
    );
    return { metrics: {}, warnings };
  }
  const binary = classes.length === 2;
  if (binary ? columns.length > 2 : columns.length !== classes.length) {
    throw invalidParameter(
      `y_score has ${columns.length} column(s) (${scores.names.join(", ")}) but y_true has ${classes.length} ` +
        `classes: ${classes.join(", ")}; give one probability column per class in this order` +
        (binary ? `, or one column with P(${classes[1]})` : ""),
    );
  }

  const metrics: Record<string, number> = {};
  if (scores.outOfRange !== undefined) {
    warnings.push(
      `y_score holds values outside [0, 1] (first at ${scores.outOfRange}): log_loss was not computed`,
    );
  } else {
    if (scores.notSummingToOne !== undefined) {
      warnings.push(
        `y_score rows do not sum to 1 (first at ${scores.notSummingToOne}); log_loss uses them as given, ` +
          "as scikit-learn does (it no longer renormalises)",
      );
    }
    metrics.log_loss = logLoss(trueIds, rankOf, columns);
  }

  const curves: ClassCurves = { roc: [], pr: [] };
  const addCurves = (label: string, ranking: BinaryRanking): void => {
    curves.roc.push({ label, fpr: ranking.roc.fpr, tpr: ranking.roc.tpr, auc: ranking.auc });
    curves.pr.push({
      label,
      precision: ranking.pr.precision,
      recall: ranking.pr.recall,
      averagePrecision: ranking.averagePrecision,
    });
  };
  if (binary) {
    const positive = classes[1]!;
    const ranking = rankOneVsRest(trueIds, labelIds.idOf(positive), columns[columns.length - 1]!, counts);
    metrics.roc_auc = ranking.auc;
    metrics.average_precision = ranking.averagePrecision;
    addCurves(positive, ranking);
  } else if (scores.notProbabilities !== undefined) {
    warnings.push(
      `y_score rows do not sum to 1 (first at ${scores.notProbabilities}): multiclass ROC AUC needs ` +
        "probabilities and was not computed",
    );
  } else {
    const n = trueIds.length;
    let macro = 0;
    let weighted = 0;
    classes.forEach((label, rank) => {
      const id = labelIds.idOf(label);
      const ranking = rankOneVsRest(trueIds, id, columns[rank]!, counts);
      macro += ranking.auc;
      weighted += (ranking.auc * (counts[id] as number)) / n;
      addCurves(label, ranking);
    });
    metrics.roc_auc_ovr_macro = macro / classes.length;
    metrics.roc_auc_ovr_weighted = weighted;
  }
  return { metrics, curves, warnings };
}

/** Mean of -ln(clipped probability of the true class); one column is P(greater), the other 1 - p. */
function logLoss(trueIds: Int32Array, rankOf: Int32Array, columns: Float64Array[]): number {
  const total = new CompensatedSum();
  if (columns.length === 1) {
    const p = columns[0]!;
    for (let i = 0; i < trueIds.length; i++) {
      const v = p[i] as number;
      total.add(-Math.log(clip(rankOf[trueIds[i] as number] === 1 ? v : 1 - v)));
    }
  } else {
    for (let i = 0; i < trueIds.length; i++) {
      total.add(-Math.log(clip(columns[rankOf[trueIds[i] as number] as number]![i] as number)));
    }
  }
  return total.value / trueIds.length;
}

function rankOneVsRest(
  trueIds: Int32Array,
  positiveId: number,
  column: Float64Array,
  counts: Float64Array,
): BinaryRanking {
  const positives = new Float64Array(counts[positiveId] as number);
  const negatives = new Float64Array(trueIds.length - positives.length);
  let p = 0;
  let q = 0;
  for (let i = 0; i < trueIds.length; i++) {
    if (trueIds[i] === positiveId) positives[p++] = column[i] as number;
    else negatives[q++] = column[i] as number;
  }
  positives.sort();
  negatives.sort();
  return rankBinary(positives, negatives);
}
