/**
 * Writes a generated table's lines to a stream in batches, waiting for drain, so that a 10 million-row file
 * is never held in memory by the benchmark itself.
 */
export class BatchedLineWriter {
  private batch: string[] = [];

  constructor(private readonly out: NodeJS.WritableStream) {}

  async push(line: string): Promise<void> {
    this.batch.push(line);
    if (this.batch.length === 20_000) await this.flush();
  }

  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((done, fail) => {
      this.out.once("error", fail);
      this.out.end(() => done());
    });
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const text = this.batch.join("\n") + "\n";
    this.batch = [];
    if (!this.out.write(text)) await new Promise<void>((done) => this.out.once("drain", () => done()));
  }
}
