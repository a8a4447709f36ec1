/**
 * Neumaier's compensated summation: a running sum whose error stays near one rounding however many terms
 * are added, so streamed sums over millions of rows agree with numpy's pairwise sums to ~1e-15.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const next = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - next + value;
    else this.compensation += value - next + this.sum;
    this.sum = next;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}
