/**
 * Text as Python's `float()` and `int()` read it, which is what pandas applies to an object or str column when
 * it casts one to float64 or int64 (read_json does so for every such column): surrounding whitespace, a sign,
 * underscores between digits (`1_000`), `inf`, `infinity` and `nan` in any letter case. Unlike JavaScript's
 * Number, "" and "0x10" are not numbers and "inf" is. Non-ASCII digits, which Python also reads, are not numbers
 * here.
 */

/** Digits with single underscores between them; each digit is matched one way only, so no backtracking. */
const DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT_TEXT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:e[+-]?${DIGITS})?|inf|infinity|nan)$`,
  "i",
);
const INTEGER_TEXT = new RegExp(String.raw`^[+-]?${DIGITS}$`);

/** `float(text)`, or undefined where Python raises ValueError. */
export function pythonFloat(text: string): number | undefined {
  const trimmed = text.trim();
  if (!FLOAT_TEXT.test(trimmed)) return undefined;
  const bare = trimmed.replace(/^[+-]/, "").toLowerCase();
  if (bare === "nan") return Number.NaN;
  if (bare.startsWith("inf")) return trimmed.startsWith("-") ? -Infinity : Infinity;
  return Number(trimmed.replaceAll("_", ""));
}

/** `int(text)`, or undefined where Python raises ValueError (`int("1.0")` does). */
export function pythonInt(text: string): bigint | undefined {
  const trimmed = text.trim();
  return INTEGER_TEXT.test(trimmed) ? BigInt(trimmed.replaceAll("_", "")) : undefined;
}
