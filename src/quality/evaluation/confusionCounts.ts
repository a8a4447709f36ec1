/**
 * Confusion counts keyed by (true id, predicted id), for labels discovered while rows arrive. A square
 * Float64Array grows when a new label appears (counts stay exact up to 2^53 rows).
 */
import type { LabelIds } from "./labelIds.js";

export class ConfusionCounts {
  private capacity = 8;
  private counts = new Float64Array(this.capacity * this.capacity);

  add(trueId: number, predId: number): void {
    const needed = Math.max(trueId, predId) + 1;
    if (needed > this.capacity) this.grow(needed);
    this.counts[trueId * this.capacity + predId]! += 1;
  }

  /** The matrix in sorted label order: rows are true labels, columns predicted labels. */
  matrix(labels: LabelIds): { labels: string[]; matrix: number[][] } {
    const { sorted, positionOf } = labels.sortedPositions();
    const size = sorted.length;
    const matrix = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    for (let t = 0; t < labels.size; t++) {
      for (let p = 0; p < labels.size; p++) {
        const count = this.counts[t * this.capacity + p] ?? 0;
        if (count !== 0) matrix[positionOf[t] as number]![positionOf[p] as number] = count;
      }
    }
    return { labels: sorted, matrix };
  }

  private grow(needed: number): void {
    let capacity = this.capacity;
    while (capacity < needed) capacity *= 2;
    const next = new Float64Array(capacity * capacity);
    for (let row = 0; row < this.capacity; row++) {
      next.set(this.counts.subarray(row * this.capacity, (row + 1) * this.capacity), row * capacity);
    }
    this.capacity = capacity;
    this.counts = next;
  }
}
