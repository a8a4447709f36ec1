/**
 * A fixed-size uniform sample of (actual, predicted) pairs from a stream (Vitter's algorithm R) with a
 * seeded generator, so the points drawn for plots are the same on every run over the same file.
 */

export class PairReservoir {
  readonly first: Float64Array;
  readonly second: Float64Array;
  private seen = 0;
  private state: number;

  constructor(
    readonly capacity: number,
    seed = 0x5eed,
  ) {
    this.first = new Float64Array(capacity);
    this.second = new Float64Array(capacity);
    this.state = seed >>> 0;
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

  /** mulberry32: small, fast and good enough for sampling plot points. */
  private nextUniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
