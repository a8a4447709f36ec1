/**
 * A fixed-size uniform sample of (actual, predicted) pairs from a stream (Vitter's algorithm R) with a
 * seeded generator, so the points drawn for plots are the same on every run over the same file.
 */
import { mulberry32 } from "../../seededRandom.js";

export class PairReservoir {
  readonly first: Float64Array;
  readonly second: Float64Array;
  private seen = 0;
  private readonly nextUniform: () => number;

  constructor(
    readonly capacity: number,
    seed = 0x5eed,
  ) {
    this.first = new Float64Array(capacity);
    this.second = new Float64Array(capacity);
    this.nextUniform = mulberry32(seed);
  }

  offer(a: number, b: number): void {
    const index = this.seen++;
    if (index < this.capacity) {
      this.first[index] = a;
      this.second[index] = b;
      return;
    }
    const slot = Math.floor(this.nextUniform() * (index + 1));
    if (slot < this.capacity) {
      this.first[slot] = a;
      this.second[slot] = b;
    }
  }

  /** The sampled pairs, in slot order. */
  pairs(): { first: number[]; second: number[] } {
    const size = Math.min(this.seen, this.capacity);
    return {
      first: Array.from(this.first.subarray(0, size)),
      second: Array.from(this.second.subarray(0, size)),
    };
  }
}
