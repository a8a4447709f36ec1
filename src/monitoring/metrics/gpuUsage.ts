/**
 * GPU utilisation and memory as nvidia-smi reports them, for the server's /metrics. Read at most every
 * 10 s (a scrape every second must not spawn a process every second); a machine without nvidia-smi, or
 * one where it fails, has no GPU series and no error.
 */
import { execFile } from "node:child_process";

export interface GpuUsage {
  index: string;
  /** 0 to 1. */
  utilization: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
}

/** Runs nvidia-smi with `args` and resolves its stdout; rejects when it is absent or fails. */
export type GpuQuery = (args: readonly string[]) => Promise<string>;

export const NVIDIA_SMI_ARGS = [
  "--query-gpu=index,utilization.gpu,memory.used,memory.total",
  "--format=csv,noheader,nounits",
] as const;

const MIB = 1024 * 1024;

/** nvidia-smi's CSV rows; a row it could not fill (`[N/A]`) is skipped rather than reported as 0. */
export function parseNvidiaSmi(text: string): GpuUsage[] {
  const gpus: GpuUsage[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(",").map((field) => field.trim());
    if (fields.length !== 4) continue;
    const [index, utilization, used, total] = fields as [string, string, string, string];
    const numbers = [Number(utilization), Number(used), Number(total)];
    if (index === "" || numbers.some((n) => !Number.isFinite(n))) continue;
    gpus.push({
      index,
      utilization: (numbers[0] ?? 0) / 100,
      memoryUsedBytes: (numbers[1] ?? 0) * MIB,
      memoryTotalBytes: (numbers[2] ?? 0) * MIB,
    });
  }
  return gpus;
}

const runNvidiaSmi: GpuQuery = (args) =>
  new Promise((resolve, reject) => {
    execFile("nvidia-smi", [...args], { timeout: 5000 }, (error, stdout) => {
      if (error !== null) reject(error);
      else resolve(stdout);
    });
  });

export interface GpuUsageReaderOptions {
  query?: GpuQuery;
  now?: () => number;
  /** How long a reading is reused, in ms (10 s by default). */
  cacheMs?: number;
}

export class GpuUsageReader {
  private readonly query: GpuQuery;
  private readonly now: () => number;
  private readonly cacheMs: number;
  private cached: { at: number; gpus: GpuUsage[] } | undefined;
  private inFlight: Promise<GpuUsage[]> | undefined;

  constructor(options: GpuUsageReaderOptions = {}) {
    this.query = options.query ?? runNvidiaSmi;
    this.now = options.now ?? Date.now;
    this.cacheMs = options.cacheMs ?? 10_000;
  }

  /** The latest reading; empty when there is no GPU or nvidia-smi cannot tell. */
  async read(): Promise<GpuUsage[]> {
    const now = this.now();
    if (this.cached !== undefined && now - this.cached.at < this.cacheMs) return this.cached.gpus;
    this.inFlight ??= this.query(NVIDIA_SMI_ARGS)
      .then(parseNvidiaSmi, () => [])
      .then((gpus) => {
        this.cached = { at: now, gpus };
        return gpus;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
