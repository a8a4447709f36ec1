/**
 * ROC and precision-recall curves of one binary ranking, as scikit-learn's roc_curve, roc_auc_score,
 * precision_recall_curve and average_precision_score compute them: thresholds are the distinct scores in
 * decreasing order, so tied scores move both counts at once and ROC AUC counts ties as 1/2 (trapezoid rule).
 * Input is the scores of positives and of negatives, each sorted ascending; no per-row objects are made.
 * Curves longer than `maxPoints` are thinned evenly (the first and last points kept); AUC and average
 * precision always use every threshold.
 */

export interface BinaryRanking {
  auc: number;
  averagePrecision: number;
  roc: { fpr: number[]; tpr: number[] };
  pr: { precision: number[]; recall: number[] };
}

export const DEFAULT_MAX_CURVE_POINTS = 2000;

/** Walks the distinct thresholds from the highest score down, calling `visit(tps, fps)` after each. */
function walkThresholds(
  positives: Float64Array,
  negatives: Float64Array,
  visit: (tps: number, fps: number) => void,
): void {
  let p = positives.length - 1;
  let q = negatives.length - 1;
  let tps = 0;
  let fps = 0;
  while (p >= 0 || q >= 0) {
    const sp = p >= 0 ? (positives[p] as number) : -Infinity;
    const sn = q >= 0 ? (negatives[q] as number) : -Infinity;
    const threshold = sp >= sn ? sp : sn;
    while (p >= 0 && (positives[p] as number) === threshold) {
      tps++;
      p--;
    }
    while (q >= 0 && (negatives[q] as number) === threshold) {
      fps++;
      q--;
    }
    visit(tps, fps);
  }
}

export function rankBinary(
  positives: Float64Array,
  negatives: Float64Array,
  maxPoints = DEFAULT_MAX_CURVE_POINTS,
): BinaryRanking {
  const totalPositives = positives.length;
  const totalNegatives = negatives.length;
  let auc = 0;
  let averagePrecision = 0;
  let lastFpr = 0;
  let lastTpr = 0;
  let lastRecall = 0;
  let thresholds = 0;
  const tpsAt: number[] = [];
  const fpsAt: number[] = [];
  walkThresholds(positives, negatives, (tps, fps) => {
    const fpr = fps / totalNegatives;
    const tpr = tps / totalPositives;
    auc += ((fpr - lastFpr) * (tpr + lastTpr)) / 2;
    const recall = tps / totalPositives;
    averagePrecision += (recall - lastRecall) * (tps / (tps + fps));
    lastFpr = fpr;
    lastTpr = tpr;
    lastRecall = recall;
    thresholds++;
    if (thresholds <= maxPoints) {
      tpsAt.push(tps);
      fpsAt.push(fps);
    }
  });
  if (thresholds > maxPoints) thinnedCounts(positives, negatives, thresholds, maxPoints, tpsAt, fpsAt);
  return {
    auc,
    averagePrecision: Math.max(0, averagePrecision),
    roc: rocPoints(tpsAt, fpsAt, totalPositives, totalNegatives, thresholds <= maxPoints),
    pr: prPoints(tpsAt, fpsAt, totalPositives),
  };
}

/** Every `stride`-th threshold's counts plus the last one, so a long curve keeps its shape in bounded size. */
function thinnedCounts(
  positives: Float64Array,
  negatives: Float64Array,
  thresholds: number,
  maxPoints: number,
  tpsAt: number[],
  fpsAt: number[],
): void {
  tpsAt.length = 0;
  fpsAt.length = 0;
  const stride = Math.ceil(thresholds / (maxPoints - 1));
  let index = 0;
  walkThresholds(positives, negatives, (tps, fps) => {
    if (index % stride === 0 || index === thresholds - 1) {
      tpsAt.push(tps);
      fpsAt.push(fps);
    }
    index++;
  });
}

/** roc_curve: drop collinear intermediate points (drop_intermediate=True), then prepend the (0, 0) point. */
function rocPoints(
  tpsAt: number[],
  fpsAt: number[],
  totalPositives: number,
  totalNegatives: number,
  dropIntermediate: boolean,
): { fpr: number[]; tpr: number[] } {
  const n = tpsAt.length;
  const fpr = [0];
  const tpr = [0];
  for (let i = 0; i < n; i++) {
    if (dropIntermediate && n > 2 && i > 0 && i < n - 1) {
      const fpsCorner = (fpsAt[i + 1] as number) - 2 * (fpsAt[i] as number) + (fpsAt[i - 1] as number);
      const tpsCorner = (tpsAt[i + 1] as number) - 2 * (tpsAt[i] as number) + (tpsAt[i - 1] as number);
      if (fpsCorner === 0 && tpsCorner === 0) continue;
    }
    fpr.push((fpsAt[i] as number) / totalNegatives);
    tpr.push((tpsAt[i] as number) / totalPositives);
  }
  return { fpr, tpr };
}

/** precision_recall_curve: recall decreasing, ending at precision 1, recall 0. */
function prPoints(
  tpsAt: number[],
  fpsAt: number[],
  totalPositives: number,
): { precision: number[]; recall: number[] } {
  const precision: number[] = [];
  const recall: number[] = [];
  for (let i = tpsAt.length - 1; i >= 0; i--) {
    const tps = tpsAt[i] as number;
    const predicted = tps + (fpsAt[i] as number);
    precision.push(predicted === 0 ? 0 : tps / predicted);
    recall.push(tps / totalPositives);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall };
}
