/**
 * A set of a file's rows (counted from 0) as one bit each: what a first pass over a file remembers of rows it
 * cannot hold, such as which cells of a column were written as floats (1.0) where JSON's value is an integer.
 */
export class FileRowSet {
  private bits = new Uint8Array(1024);

  add(row: number): void {
    const byte = row >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (row & 7);
    this.bits[byte] = (this.bits[byte] as number) | mask;
  }

  has(row: number): boolean {
    const byte = row >>> 3;
    return byte < this.bits.length && ((this.bits[byte] as number) & (1 << (row & 7))) !== 0;
  }
}
