/**
 * JSON text whose integers may lie beyond 2^53: `JSON.parse` rounds 1234567890123456789 to
 * 1234567890123456800, which would silently change an id column on its way through a batch prediction. pandas
 * reads such integers exactly (int64), so we do too: integer literals that a double cannot hold are read as
 * BigInts (top-level values of an object) or kept as their digits (inside nested arrays and objects, which
 * become JSON text). Only lines holding a run of 16 digits take this path; the rest go to `JSON.parse` alone.
 */

/** Whether the text may hold an integer literal beyond 2^53 (which has 16 digits). */
export function mayHoldBigIntegers(text: string): boolean {
  return /\d{16}/.test(text);
}

/**
 * `JSON.parse`, with every integer literal that is not a safe integer kept exactly: a BigInt where it is a
 * top-level value of an object (or the whole text); a nested array or object becomes a BigIntegerText, which
 * writes its big integers' digits back into its JSON text.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  const marker = `\u0000big-${Math.random().toString(36).slice(2)}:`;
  const value: unknown = JSON.parse(markBigIntegers(text, marker));
  const restore = (item: unknown): unknown =>
    typeof item === "string" && item.startsWith(marker) ? BigInt(item.slice(marker.length)) : item;
  if (typeof value !== "object" || value === null) return restore(value);
  // An array is no table row; the caller refuses it before looking inside.
  if (Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (typeof item === "object" && item !== null) object[key] = new BigIntegerText(item, marker);
    else object[key] = restore(item);
  }
  return object;
}

/**
 * 16 digits (2^53 has 16) that follow neither a digit nor a decimal point: the start of an integer literal that
 * may lie beyond 2^53, where the 16-digit fractions of a float payload's numbers do not match. Spelled out
 * rather than `\d{16}`, which V8 runs about ten times slower over digit-dense text (a large INT32 payload).
 */
const LONG_INTEGER = new RegExp(`(?:^|[^.\\d])${"\\d".repeat(16)}`);

/** Whether the text may hold an integer literal beyond 2^53: the cheap test `parseJsonWithBigIntegers` starts with. */
export function mayHoldUnsafeIntegers(text: string): boolean {
  return LONG_INTEGER.test(text);
}

/**
 * `JSON.parse`, with every integer literal that is not a safe integer a BigInt wherever it is, for payloads whose
 * numbers become typed tensors (an INT64 id must reach the model as sent). Text without a 16-digit integer
 * literal goes to `JSON.parse` alone, so the common request pays only for that test (about a twentieth of
 * `JSON.parse`'s time). Malformed text throws `JSON.parse`'s error for the text as sent.
 */
export function parseJsonWithBigIntegers(text: string): unknown {
  if (!LONG_INTEGER.test(text)) {
    try {
      return JSON.parse(text);
    } catch (error) {
      // Python's json.loads (MLflow's server) also reads bare NaN, Infinity and -Infinity, which Python
      // clients send for numpy's non-finite floats (`json.dumps` writes them): so do we, after JSON.parse fails.
      if (!NON_FINITE.test(text)) throw error;
    }
  }
  const marker = `\u0000big-${Math.random().toString(36).slice(2)}:`;
  const marked = markBigIntegers(text, marker, true);
  if (marked === text) return JSON.parse(text);
  let value: unknown;
  try {
    value = JSON.parse(marked);
  } catch {
    // The marked text's error positions are not the sender's; its own parse gives theirs.
    return JSON.parse(text);
  }
  return restoreBigIntegers(value, marker);
}

/**
 * Replaces each marked string inside `value` (in place) by its BigInt. An explicit stack rather than recursion: a
 * body may nest deeper than the call stack goes, and the payload parsers refuse that with a 400 of their own.
 */
function restoreBigIntegers(value: unknown, marker: string): unknown {
  const restore = (item: unknown): unknown =>
    typeof item === "string" && item.startsWith(marker) ? markedValue(item.slice(marker.length)) : item;
  if (typeof value !== "object" || value === null) return restore(value);
  const pending: object[] = [value];
  for (let container = pending.pop(); container !== undefined; container = pending.pop()) {
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item: unknown = container[i];
        if (typeof item === "object" && item !== null) pending.push(item);
        else container[i] = restore(item);
      }
      continue;
    }
    const object = container as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const item = object[key];
      if (typeof item === "object" && item !== null) pending.push(item);
      else object[key] = restore(item);
    }
  }
  return value;
}

/**
 * `JSON.stringify`, writing each BigInt as its exact digits (a JSON integer), where `JSON.stringify` throws. A
 * value without BigInts costs what `JSON.stringify` costs: only its TypeError sends the value the slow way.
 */
export function stringifyJsonWithBigIntegers(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  const marker = `\u0000big-${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === "bigint" ? `${marker}${item.toString()}` : item,
  );
  return unmarkBigIntegers(text, marker);
}

/** The JSON text with each marked string (marker + digits) written as the bare integer. */
function unmarkBigIntegers(text: string, marker: string): string {
  const inJson = JSON.stringify(marker).slice(1, -1);
  const escaped = inJson.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text.replace(new RegExp(`"${escaped}(-?\\d+)"`, "g"), "$1");
}

/** A nested array or object whose big integers are held as marked strings until it is written as JSON text. */
export class BigIntegerText {
  constructor(
    private readonly value: unknown,
    private readonly marker: string,
  ) {}

  /** The value as JSON text, each big integer as its exact digits. */
  toJSONText(): string {
    return unmarkBigIntegers(JSON.stringify(this.value), this.marker);
  }
}

/** Python's non-finite literals, which JSON lacks. */
const NON_FINITE = /NaN|Infinity/;

/** A marked literal's value: a non-finite number, else a big integer. */
function markedValue(literal: string): number | bigint {
  if (literal === "NaN") return Number.NaN;
  if (literal === "Infinity") return Number.POSITIVE_INFINITY;
  if (literal === "-Infinity") return Number.NEGATIVE_INFINITY;
  return BigInt(literal);
}

/**
 * The text with each unsafe integer literal (outside strings) replaced by a string: marker + digits; with
 * `nonFinite`, bare NaN, Infinity and -Infinity too (marker + literal).
 */
function markBigIntegers(text: string, marker: string, nonFinite = false): string {
  let out = "";
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 34 /* " */) {
      i = endOfString(text, i);
      continue;
    }
    // N, I or - may start NaN, Infinity or -Infinity.
    if (nonFinite && (code === 78 || code === 73 || code === 45)) {
      const literal = ["NaN", "Infinity", "-Infinity"].find((word) => text.startsWith(word, i));
      if (literal !== undefined) {
        out += text.slice(copied, i) + JSON.stringify(marker + literal);
        i += literal.length;
        copied = i;
        continue;
      }
    }
    if (code === 45 /* - */ || (code >= 48 && code <= 57)) {
      const start = i;
      i++;
      while (i < text.length && isNumberChar(text.charCodeAt(i))) i++;
      const literal = text.slice(start, i);
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(copied, start) + JSON.stringify(marker + literal);
        copied = i;
      }
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Integer literals of 19 digits or more, where the first outside pandas.read_json's range can start. */
const INT64_DIGITS = /\d{19}/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The first integer literal of the JSON text, outside its strings and nested or not, below -2^63 or beyond
 * 2^64 - 1: pandas' JSON parser (ujson) refuses such a text ("Value is too big!", "Value is too small"), where
 * `JSON.parse` reads it. Text without a run of 19 digits is answered by that test alone.
 */
export function integerBeyondPandasJson(text: string): bigint | undefined {
  if (!INT64_DIGITS.test(text)) return undefined;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 34 /* " */) {
      i = endOfString(text, i);
      continue;
    }
    if (code === 45 /* - */ || (code >= 48 && code <= 57)) {
      const start = i;
      i++;
      while (i < text.length && isNumberChar(text.charCodeAt(i))) i++;
      const literal = text.slice(start, i);
      if (/^-?\d{19,}$/.test(literal)) {
        const value = BigInt(literal);
        if (value < INT64_MIN || value > UINT64_MAX) return value;
      }
      continue;
    }
    i++;
  }
  return undefined;
}

/** The index just past the string that opens at `start`, skipping escaped quotes. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 92 /* \ */) i += 2;
    else if (code === 34) return i + 1;
    else i++;
  }
  return i;
}

function isNumberChar(code: number): boolean {
  // digits, '.', 'e', 'E', '+', '-'
  return (
    (code >= 48 && code <= 57) || code === 46 || code === 101 || code === 69 || code === 43 || code === 45
  );
}
