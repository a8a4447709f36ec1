/**
 * The evaluation benchmark's input: a predictions CSV of a classifier with string labels, `y_true`,
 * `y_pred` and one probability column per class (three classes) or one column, P(greater label), for two.
 * Probabilities are written in millionths that sum to exactly 1 on each row, so scikit-learn's checks on
 * multiclass scores pass without tolerance games, and `y_pred` is the most probable class.
 */
import { createWriteStream } from "node:fs";
import { BatchedLineWriter } from "./batchedLineWriter.js";
import { mulberry32 as seededRandom } from "../../src/seededRandom.js";

export interface PredictionsLayout {
  /** Class labels in sorted order (as both tools sort them). */
  labels: string[];
  /** The score columns to pass as --y-score, in label order. */
  scoreColumns: string[];
}

export function predictionsLayout(classes: 2 | 3): PredictionsLayout {
  return classes === 2
    ? { labels: ["no", "yes"], scoreColumns: ["p_yes"] }
    : { labels: ["cat", "dog", "fox"], scoreColumns: ["p_cat", "p_dog", "p_fox"] };
}

const MILLION = 1_000_000;
/** Class prevalence, so weighted and macro averages differ. */
const PREVALENCE: Record<2 | 3, number[]> = { 2: [0.7, 0.3], 3: [0.5, 0.3, 0.2] };

function millionths(n: number): string {
  return n === MILLION ? "1.000000" : `0.${String(n).padStart(6, "0")}`;
}

export async function writePredictionsCsv(path: string, rows: number, classes: 2 | 3): Promise<void> {
  const { labels, scoreColumns } = predictionsLayout(classes);
  const random = seededRandom(20240611 + classes);
  const writer = new BatchedLineWriter(createWriteStream(path));
  await writer.push(["y_true", "y_pred", ...scoreColumns].join(","));
  const prevalence = PREVALENCE[classes];
  const weights = new Float64Array(classes);
  const parts = new Int32Array(classes);
  for (let row = 0; row < rows; row++) {
    let u = random();
    let truth = 0;
    while (truth < classes - 1 && u >= (prevalence[truth] as number)) u -= prevalence[truth++] as number;
    let total = 0;
    for (let k = 0; k < classes; k++) {
      // A noisy logit, lifted for the true class: roughly 70-80 % accuracy, AUCs around 0.85.
      const logit = 2.2 * (random() + random() - 1) + (k === truth ? 1.4 : 0);
      weights[k] = Math.exp(logit);
      total += weights[k] as number;
    }
    let assigned = 0;
    let best = 0;
    for (let k = 0; k < classes; k++) {
      const share =
        k === classes - 1
          ? MILLION - assigned
          : Math.max(
              1,
              Math.min(
                MILLION - assigned - (classes - 1 - k),
                Math.round((MILLION * (weights[k] as number)) / total),
              ),
            );
      parts[k] = share;
      assigned += share;
      if (share > (parts[best] as number)) best = k;
    }
    const scores =
      classes === 2 ? millionths(parts[1] as number) : Array.from(parts, (n) => millionths(n)).join(",");
    await writer.push(`${labels[truth]},${labels[best]},${scores}`);
  }
  await writer.end();
}
