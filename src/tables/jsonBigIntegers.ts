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

/** A nested array or object whose big integers are held as marked strings until it is written as JSON text. */
export class BigIntegerText {
  constructor(
    private readonly value: unknown,
    private readonly marker: string,
  ) {}

  /** The value as JSON text, each big integer as its exact digits. */
  toJSONText(): string {
    const inJson = JSON.stringify(this.marker).slice(1, -1);
    const escaped = inJson.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return JSON.stringify(this.value).replace(new RegExp(`"${escaped}(-?\\d+)"`, "g"), "$1");
  }
}

/** The text with each unsafe integer literal (outside strings) replaced by a string: marker + digits. */
function markBigIntegers(text: string, marker: string): string {
  let out = "";
  let copied = 0;
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
