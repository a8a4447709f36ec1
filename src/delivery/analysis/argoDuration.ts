/**
 * Durations as Argo Rollouts reads them (`DurationString.Duration()`): a bare integer is seconds, anything
 * else is Go's `time.ParseDuration` (`30s`, `5m`, `1h30m`, `1.5h`, `250ms`). Negative durations are refused:
 * no interval, delay or window in an analysis can run backwards.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of an Argo duration, or undefined when `text` is not one. */
export function parseArgoDuration(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isInteger(text) && text >= 0 ? text * 1000 : undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (trimmed === "0") return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let position = 0;
  while (position < trimmed.length) {
    part.lastIndex = position;
    const match = part.exec(trimmed);
    if (match === null) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    position = part.lastIndex;
  }
  return position === 0 ? undefined : total;
}

/**
 * Milliseconds in Argo's notation, the inverse of `parseArgoDuration`: whole seconds as the bare number Argo
 * reads as seconds, anything finer in milliseconds.
 */
export function formatArgoDuration(ms: number): string | number {
  return ms % 1000 === 0 ? ms / 1000 : `${ms}ms`;
}

/** The message shown when a duration does not parse, naming the accepted forms. */
export const DURATION_FORMS = "a duration like 30s, 5m, 1h30m or a whole number of seconds";
