/**
 * Progress for long data commands, on stderr so stdout stays parseable: an in-place bar with rate and ETA
 * on a terminal, a plain line at most every 2 s otherwise (CI logs), nothing at all when disabled (--json).
 * The data layer only calls `onProgress` callbacks; this is the one place that prints them.
 */

export interface ProgressSink {
  advance(n: number): void;
  done(): void;
}

export interface ProgressOptions {
  /** False for --json: a silent sink. */
  enabled?: boolean;
  /** Where to draw; process.stderr by default. */
  stream?: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** For tests: the clock in ms. */
  now?: () => number;
  /** Units shown: bytes are scaled (KiB, MiB...), counts are not. */
  unit?: "bytes" | "count";
}

const PLAIN_INTERVAL_MS = 2000;
const TTY_INTERVAL_MS = 100;
const BAR_WIDTH = 24;

export function formatAmount(n: number, unit: "bytes" | "count"): string {
  if (unit === "count") return String(Math.round(n));
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i += 1;
  }
  return `${i === 0 ? Math.round(value) : value.toFixed(1)}${units[i]}`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export function createProgress(label: string, total?: number, options: ProgressOptions = {}): ProgressSink {
  if (options.enabled === false) return { advance: () => undefined, done: () => undefined };
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const unit = options.unit ?? "bytes";
  const tty = stream.isTTY === true;
  const started = now();
  let count = 0;
  // Plain logs start only after one interval, so quick commands print nothing; a TTY bar draws at once.
  let lastDraw = tty ? -Infinity : started;
  let drawn = false;
  let finished = false;

  const describe = (): string => {
    const elapsed = Math.max((now() - started) / 1000, 1e-3);
    const rate = count / elapsed;
    const rateText = `${formatAmount(rate, unit)}/s`;
    if (total === undefined || total <= 0) return `${label}: ${formatAmount(count, unit)} (${rateText})`;
    const fraction = Math.min(count / total, 1);
    const eta = rate > 0 ? (total - count) / rate : Infinity;
    const bar = tty ? ` [${"#".repeat(Math.round(fraction * BAR_WIDTH)).padEnd(BAR_WIDTH, ".")}]` : "";
    return (
      `${label}:${bar} ${Math.floor(fraction * 100)}% ${formatAmount(count, unit)}/${formatAmount(total, unit)}` +
      ` (${rateText}, ETA ${formatDuration(eta)})`
    );
  };

  const draw = (force: boolean): void => {
    const t = now();
    if (!force && t - lastDraw < (tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS)) return;
    lastDraw = t;
    drawn = true;
    if (tty) {
      const line = describe().slice(0, Math.max((stream.columns ?? 80) - 1, 20));
      stream.write(`\r${line}\x1b[K`);
    } else {
      stream.write(`${describe()}\n`);
    }
  };

  return {
    advance(n: number): void {
      if (finished) return;
      count += n;
      draw(false);
    },
    done(): void {
      if (finished) return;
      finished = true;
      // A plain log gets a final line only when it printed progress before.
      if (tty) {
        draw(true);
        stream.write("\n");
      } else if (drawn) {
        draw(true);
      }
    },
  };
}
