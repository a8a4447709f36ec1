/**
 * Small integer ids for class labels in order of first appearance, so rows are counted in typed arrays
 * instead of maps of objects. The sorted order (labelOrder.ts) is applied once, at the end.
 */
import { sortLabels } from "../labelOrder.js";

export class LabelIds {
  private readonly ids = new Map<string, number>();
  readonly labels: string[] = [];

  idOf(label: string): number {
    let id = this.ids.get(label);
    if (id === undefined) {
      id = this.labels.length;
      this.ids.set(label, id);
      this.labels.push(label);
    }
    return id;
  }

  get size(): number {
    return this.labels.length;
  }

  /** For each id, its position in sortLabels order; and the sorted labels. */
  sortedPositions(): { sorted: string[]; positionOf: Int32Array } {
    const sorted = sortLabels(this.labels);
    const positionOf = new Int32Array(this.labels.length);
    sorted.forEach((label, position) => {
      positionOf[this.ids.get(label) as number] = position;
    });
    return { sorted, positionOf };
  }
}
