/**
 * Strict ISO 8601 timestamps for the datetime type check and the freshness expectation. `Date.parse` alone
 * accepts "2024-02-30" (rolling over to March 1st) and reads offset-less date-times as local time, so the
 * fields are checked here and a timestamp without an offset is read as UTC, making results independent of
 * the machine's time zone.
 */

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Milliseconds since the epoch, or undefined when `text` is not an ISO 8601 date or date-time. */
export function parseIsoTimestamp(text: string): number | undefined {
  const t = text.trim();
  // The pattern checks the layout; fields are then read at fixed positions, which avoids allocating the
  // match's substrings (this runs once per value of a timestamp column).
  if (!ISO_8601.test(t)) return undefined;
  const year = digitsAt(t, 0, 4);
  const month = digitsAt(t, 5, 2);
  const day = digitsAt(t, 8, 2);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let at = 10;
  if (t.length > 10) {
    hour = digitsAt(t, 11, 2);
    minute = digitsAt(t, 14, 2);
    at = 16;
    if (t[16] === ":") {
      second = digitsAt(t, 17, 2);
      at = 19;
      if (t[19] === "." || t[19] === ",") {
        let scale = 100;
        for (at = 20; at < t.length && isDigit(t.charCodeAt(at)); at += 1) {
          millis += (t.charCodeAt(at) - 48) * scale;
          scale /= 10;
        }
      }
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // 24:00:00 is ISO's end of day; 60 seconds would be a leap second, which JS dates cannot hold.
  if (hour > 24 || minute > 59 || second > 59 || (hour === 24 && (minute > 0 || second > 0)))
    return undefined;
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return seconds * 1000 + millis - offsetMinutes(t.slice(at).trim()) * 60_000;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`); plain
 *  arithmetic, because building a Date per value dominated validating a timestamp column. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function offsetMinutes(offset: string): number {
  if (offset === "" || offset === "Z" || offset === "z") return 0;
  const sign = offset.startsWith("-") ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0"));
}
