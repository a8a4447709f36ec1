/**
 * The quickstart's step log: each step is announced, timed and summarised in one line, and kept for the
 * final table and `--json`. A failing step is recorded with its error before the error goes on.
 */
export interface StepRecord {
  name: string;
  seconds: number;
  summary: string;
  ok: boolean;
}

export class QuickstartSteps {
  readonly records: StepRecord[] = [];
  private readonly started = Date.now();

  constructor(private readonly log: (line: string) => void) {}

  /** Runs one step; `work` returns the summary line and the step's value. */
  async run<T>(name: string, work: () => Promise<{ summary: string; value: T }>): Promise<T> {
    const index = this.records.length + 1;
    this.log(`[${index}] ${name} ...`);
    const start = performance.now();
    try {
      const { summary, value } = await work();
      const seconds = (performance.now() - start) / 1000;
      this.records.push({ name, seconds, summary, ok: true });
      this.log(`    ${summary} (${seconds.toFixed(1)} s)`);
      return value;
    } catch (error) {
      const seconds = (performance.now() - start) / 1000;
      const message = error instanceof Error ? error.message : String(error);
      this.records.push({ name, seconds, summary: message, ok: false });
      this.log(`    failed after ${seconds.toFixed(1)} s: ${message}`);
      throw error;
    }
  }

  /** Seconds since the quickstart began. */
  elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}
