/**
 * Durations in SLO configs and Prometheus rules: Prometheus' own units (`300ms`, `5m`, `6h`, `30d`, `1w`)
 * both ways, so what a config says is what the rendered rules say.
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Largest unit first; weeks are left out so a 30-day period reads `30d`, not `4w2d`. */
const UNITS_DESCENDING: readonly Unit[] = ["d", "h", "m", "s", "ms"];

/**
 * Milliseconds of a duration like `300ms`, `5m`, `1h30m` or `30d`; undefined when the text is not one.
 * A bare number is not accepted: `threshold: 300` could mean seconds or milliseconds.
 */
export function parseSloDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const part of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(part[1]) * UNIT_MS[(part[2] ?? "ms") as Unit];
  }
  return total;
}

/** A Prometheus duration for whole milliseconds: `3d`, `30m`, `1h30m`, `250ms`. */
export function formatPrometheusDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new RangeError(`expected a positive whole number of milliseconds, got ${ms}`);
  }
  let rest = ms;
  let text = "";
  for (const unit of UNITS_DESCENDING) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
