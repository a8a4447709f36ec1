/**
 * Append-only typed arrays that double their capacity: per-row columns kept for exact statistics (median,
 * ROC/PR curves) cost 8 bytes per row (Float64) or 4 bytes per row (Int32) and no per-row objects.
 */

export class GrowableFloat64Array {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, this.length + 1, Float64Array);
    this.data[this.length++] = value;
  }

  /** A view of the values pushed so far (shares memory until the next push). */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export class GrowableInt32Array {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, this.length + 1, Int32Array);
    this.data[this.length++] = value;
  }

  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

function grow<T extends Float64Array | Int32Array>(
  data: T,
  needed: number,
  Kind: new (length: number) => T,
): T {
  const next = new Kind(Math.max(needed, data.length * 2));
  next.set(data);
  return next;
}
