/**
 * One pass over a table that counts, per combination of sensitive values (Fairlearn's intersections of
 * several sensitive features), how often each (y_true, y_pred) label pair occurs. The positive label may
 * only be known once every row is seen (the default is the greater label), so counts are kept by label
 * index and turned into a confusion matrix afterwards.
 */

import { invalidParameter } from "../../errors.js";
import type { TableChunk } from "../../tables/tableChunk.js";
import { labelColumn } from "../../tables/numericColumn.js";
import { BinaryLabelSet } from "./binaryLabels.js";
import type { ConfusionCounts } from "./confusionRates.js";

export interface TallyColumns {
  yTrue: string;
  yPred: string;
  sensitive: readonly string[];
}

export interface TalliedGroup {
  /** Sensitive values in the order of `TallyColumns.sensitive`. */
  readonly values: readonly string[];
  /** Occurrences of (y_true label index t, y_pred label index p) at `t * 2 + p`. */
  readonly pairs: [number, number, number, number];
}

export class GroupTally {
  readonly labels = new BinaryLabelSet();
  /** Keyed by the JSON array of values, which, unlike "a=x,b=y", cannot collide for values holding , or =. */
  readonly groups = new Map<string, TalliedGroup>();
  rows = 0;

  constructor(
    private readonly path: string,
    private readonly columns: TallyColumns,
  ) {}

  observe(chunk: TableChunk): void {
    const yTrue = labelColumn(chunk, this.columns.yTrue);
    const yPred = labelColumn(chunk, this.columns.yPred);
    const sensitive = this.columns.sensitive.map((name) => labelColumn(chunk, name));
    for (let row = 0; row < chunk.rowCount; row++) {
      const t = this.labelIndex(yTrue[row] ?? null, this.columns.yTrue, chunk, row);
      const p = this.labelIndex(yPred[row] ?? null, this.columns.yPred, chunk, row);
      const values = sensitive.map((column, index) => {
        const value = column[row] ?? null;
        if (value === null) {
          const name = this.columns.sensitive[index] as string;
          // Fairlearn's MetricFrame refuses missing sensitive values rather than grouping them.
          throw invalidParameter(
            `${this.describe(name, chunk, row)}: sensitive value is missing; Fairlearn does not group missing values, ` +
              "so fill them with a category of their own or drop those rows",
          );
        }
        return value;
      });
      const key = JSON.stringify(values);
      let group = this.groups.get(key);
      if (group === undefined) {
        group = { values, pairs: [0, 0, 0, 0] };
        this.groups.set(key, group);
      }
      const pair = t * 2 + p;
      group.pairs[pair] = (group.pairs[pair] ?? 0) + 1;
    }
    this.rows += chunk.rowCount;
  }

  private labelIndex(label: string | null, column: string, chunk: TableChunk, row: number): number {
    if (label === null) {
      throw invalidParameter(
        `${this.describe(column, chunk, row)}: label is missing; scikit-learn and Fairlearn reject missing labels`,
      );
    }
    const index = this.labels.indexOf(label);
    return index >= 0 ? index : this.labels.add(label, this.describe(column, chunk, row));
  }

  private describe(column: string, chunk: TableChunk, row: number): string {
    return `${this.path}: column '${column}', ${chunk.describeRow(chunk.startRow + row)}`;
  }
}

/** The confusion counts of `group` once the positive label's index (-1 when it never occurs) is known. */
export function confusionCounts(group: TalliedGroup, positiveIndex: number): ConfusionCounts {
  const counts: ConfusionCounts = {
    truePositives: 0,
    falsePositives: 0,
    trueNegatives: 0,
    falseNegatives: 0,
  };
  group.pairs.forEach((occurrences, pair) => {
    const actual = Math.floor(pair / 2) === positiveIndex;
    const predicted = pair % 2 === positiveIndex;
    if (actual && predicted) counts.truePositives += occurrences;
    else if (predicted) counts.falsePositives += occurrences;
    else if (actual) counts.falseNegatives += occurrences;
    else counts.trueNegatives += occurrences;
  });
  return counts;
}
