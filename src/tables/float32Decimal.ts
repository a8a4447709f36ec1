/**
 * The digits of a float32's shortest decimal form, found with arithmetic instead of strings. `numberText` defines
 * that form by a search over `toPrecision(d)`: the fewest digits d whose rounding of the value reads back as the
 * same float32 (walking down from 8, or up to 9). Each step there formats a string and parses it back, which made
 * formatting predictions the costliest part of writing them. Here the same search runs on the value scaled to 9
 * integer digits, so a step is a multiplication, a rounding and `Math.fround`.
 *
 * The answers are the same, not just close. A d-digit rounding is taken from the value scaled to 9 integer
 * digits, which is exact for values from 1e-4 up (see EXACT_SCALING), so rounding it is rounding the value. Below,
 * it is off by less than 1e-6 of a unit, which changes a rounding only within that distance of a half: such
 * values, and those whose scaling or reading back would take a power of ten beyond 10^22 (which doubles do not
 * hold exactly), return false and the caller takes the strings. Reading back is `digits * 10^k` or
 * `digits / 10^-k` with both operands exact, one correctly rounded operation, hence the double that
 * `Number(text)` gives (Clinger's fast path), before `Math.fround` as there.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_EXACT_POWER = 22;
/**
 * A float32's 24 significant bits times 10^k (5^k has under 29 bits up to k = 12) fit a double's 53: scaling up
 * by at most 10^12 is exact, so values from 1e-4 up are rounded exactly, ties included.
 */
const EXACT_SCALING = 12;
/** Above the error of a scaled value that is not exact (< 3e-7 at 9 digits): a half closer is taken as a tie. */
const TIE_MARGIN = 1e-6;

/** A positive decimal `digits * 10^exponent`, `digits` an integer of at most 9 digits. */
export interface DecimalDigits {
  digits: number;
  exponent: number;
}

/**
 * Sets `out` to the shortest decimal that `numberText(magnitude, true)` writes, for a positive finite float32
 * that is not an integer; false (and `out` unspecified) where the arithmetic cannot be sure of the answer.
 */
export function float32Digits(magnitude: number, out: DecimalDigits): boolean {
  let exponent = decimalExponent(magnitude) - 8;
  let scaled = decimalValue(magnitude, -exponent);
  // The estimate can be one below the value's power of ten (and log10 would land one off next to one).
  if (scaled < 1e8) {
    exponent -= 1;
    scaled = decimalValue(magnitude, -exponent);
  } else if (scaled >= 1e9) {
    exponent += 1;
    scaled = decimalValue(magnitude, -exponent);
  }
  if (Number.isNaN(scaled)) return false;
  let digits = 8;
  let found = roundTrips(magnitude, scaled, exponent, digits, out);
  if (found === undefined) return false;
  if (found) {
    // Each try leaves its rounding in `out`: keep the shortest that read back, not the last one tried.
    let keptDigits = out.digits;
    let keptExponent = out.exponent;
    while (digits > 1) {
      const shorter = roundTrips(magnitude, scaled, exponent, digits - 1, out);
      if (shorter === undefined) return false;
      if (!shorter) break;
      digits--;
      keptDigits = out.digits;
      keptExponent = out.exponent;
    }
    out.digits = keptDigits;
    out.exponent = keptExponent;
    return true;
  }
  while (digits < 9) {
    found = roundTrips(magnitude, scaled, exponent, ++digits, out);
    if (found === undefined) return false;
    if (found) break;
  }
  return true;
}

const exponentBits = new Float64Array(1);
/** The 32 bits of a double holding its sign, exponent and the top of its mantissa (the machine's byte order). */
const exponentWords = new Int32Array(exponentBits.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LOG10_2 = Math.log10(2);

/**
 * floor(log10(magnitude)), or one below it, for a positive normal double: from its binary exponent, since
 * Math.log10 cost a sixth of the whole search. 2^e <= magnitude < 2^(e+1) puts log10 between e*log10(2) and
 * that plus 0.302.
 */
export function decimalExponent(magnitude: number): number {
  exponentBits[0] = magnitude;
  const binary = ((exponentWords[HIGH_WORD] as number) >>> 20) - 1023;
  return Math.floor(binary * LOG10_2);
}

/**
 * `digits * 10^exponent` as the nearest double (as `Number` reads its text, for integer `digits` below 2^53) in one
 * correctly rounded operation; NaN beyond the powers of ten a double holds exactly.
 */
export function decimalValue(digits: number, exponent: number): number {
  if (exponent >= 0) {
    return exponent <= MAX_EXACT_POWER ? digits * (POWERS_OF_TEN[exponent] as number) : Number.NaN;
  }
  return -exponent <= MAX_EXACT_POWER ? digits / (POWERS_OF_TEN[-exponent] as number) : Number.NaN;
}

/**
 * Whether the value rounded to `length` digits reads back as the same float32, with that rounding left in `out`;
 * undefined when the rounding or the reading back is not certain. `toPrecision` rounds a tie up (away from
 * zero for the magnitude), so an exactly scaled value does too; a scaled value off by a rounding cannot tell a
 * tie from a near one, and declines both.
 */
function roundTrips(
  magnitude: number,
  scaled: number,
  exponent: number,
  length: number,
  out: DecimalDigits,
): boolean | undefined {
  const shift = 9 - length;
  const unit = POWERS_OF_TEN[shift] as number;
  let digits: number;
  if (exponent <= 0 && -exponent <= EXACT_SCALING) {
    // Integer and fraction parts are exact, and so is the rest below the kept digits (under 2^50).
    const whole = Math.floor(scaled);
    const kept = Math.floor(whole / unit);
    const rest = whole - kept * unit + (scaled - whole);
    digits = rest >= unit / 2 ? kept + 1 : kept;
  } else {
    const part = scaled / unit;
    const whole = Math.floor(part);
    const fraction = part - whole;
    if (Math.abs(fraction - 0.5) < TIE_MARGIN) return undefined;
    digits = fraction > 0.5 ? whole + 1 : whole;
  }
  const value = decimalValue(digits, exponent + shift);
  if (Number.isNaN(value)) return undefined;
  out.digits = digits;
  out.exponent = exponent + shift;
  return Math.fround(value) === magnitude;
}
