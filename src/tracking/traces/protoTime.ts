/**
 * Protobuf JSON for `google.protobuf.Timestamp` and `Duration`, which the v3 trace messages use for the
 * request time and execution duration. Output follows protobuf's own formatter (Python's
 * `ToJsonString`): no fraction when whole, else 3, 6 or 9 digits; FlowOps stores milliseconds, so 3.
 */
import { invalidParameter } from "../../errors.js";

export function formatProtoTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return epochMs % 1000 === 0 ? iso.replace(/\.000Z$/, "Z") : iso;
}

export function formatProtoDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const abs = Math.abs(ms);
  const seconds = Math.floor(abs / 1000);
  const millis = abs % 1000;
  return millis === 0 ? `${sign}${seconds}s` : `${sign}${seconds}.${String(millis).padStart(3, "0")}s`;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 as protobuf accepts it, to epoch milliseconds (sub-millisecond digits are dropped). */
export function parseProtoTimestamp(text: string, field: string): number {
  const match = TIMESTAMP.exec(text);
  if (match === null)
    throw invalidParameter(`Invalid value for '${field}': '${text}' is not an RFC 3339 timestamp.`);
  const [, year, month, day, hour, minute, second, fraction = "", zone = "Z"] = match;
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  let epoch = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    millis,
  );
  if (zone !== "Z") {
    const offset = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
    epoch += zone.startsWith("-") ? offset : -offset;
  }
  if (!Number.isFinite(epoch)) throw invalidParameter(`Invalid value for '${field}': '${text}'.`);
  return epoch;
}

const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

/** `"4.322s"` to milliseconds, truncating like protobuf's `ToMilliseconds`. */
export function parseProtoDuration(text: string, field: string): number {
  const match = DURATION.exec(text);
  if (match === null) throw invalidParameter(`Invalid value for '${field}': '${text}' is not a duration.`);
  const [, negative, seconds = "0", fraction = ""] = match;
  const ms = Number(seconds) * 1000 + Number(fraction.padEnd(3, "0").slice(0, 3));
  return negative === undefined ? ms : -ms;
}
