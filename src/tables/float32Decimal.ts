/**
 * The digits of a float32's shortest decimal form, found with arithmetic instead of strings. `numberText` defines
 * that form by a search over `toPrecision(d)`: the fewest digits d whose rounding of the value reads back as the
 * same float32 (walking down from 8, or up to 9). Each step there formats a string and parses it back, which made
 * formatting predictions the costliest part of writing them. Here the same search runs on the value scaled to 9
 * integer digits.
 *
 * The answers are the same, not just close. A d-digit rounding is taken from the value scaled to 9 integer
 * digits, which is exact for values from 1e-4 up to 10^9 (see EXACT_SCALING), so rounding it is rounding the
 * value, and whether it reads back is a comparison with the float32's rounding interval, scaled exactly too
 * (see float32Digits). Checked against the previous search, which read each rounding back through `Math.fround`,
 * on every non-integer float32 from 1e-5 to 2e9. Outside that range the scaled value is off by less than 1e-6 of
 * a unit, which changes a rounding only within that distance of a half: such values, and those whose scaling or
 * reading back would take a power of ten beyond 10^22 (which doubles do not hold exactly), return false and the
 * caller takes the strings. Reading back there is `digits * 10^k` or `digits / 10^-k` with both operands exact,
 * one correctly rounded operation, hence the double that `Number(text)` gives (Clinger's fast path), before
 * `Math.fround` as there.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const INVERSE_POWERS_OF_TEN = POWERS_OF_TEN.map((power) => 1 / power);
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
  if (exponent > 0 || -exponent > EXACT_SCALING) return searchInexact(magnitude, scaled, exponent, out);

  // Scaled exactly: a rounding, and whether it reads back, are exact integer and bound comparisons. The
  // bounds: halfway to the float32 on each side, closer below a power of two. A midpoint has 25 significant
  // bits and 10^12 under 29 bits of odd factor (5^12), so both scaled bounds are exact doubles. Reading a
  // decimal back is `Number` then `Math.fround`, two roundings; the first cannot carry a decimal onto or
  // across a bound, since a scaled decimal and a bound differ by 0 or by more than 2 of a double's half units
  // there (2^29 / 5^12). So a rounding reads back when it lies inside, or on a bound of a float32 with an even
  // mantissa (`Math.fround` sends a tie to the even one).
  exponentBits[0] = magnitude;
  const lowWord = exponentWords[1 - HIGH_WORD] as number;
  const highWord = exponentWords[HIGH_WORD] as number;
  const power = POWERS_OF_TWO[highWord >>> 20] as number;
  const half = power * 2 ** -24;
  const factor = POWERS_OF_TEN[-exponent] as number;
  const lowBound = (magnitude - (magnitude === power ? half / 2 : half)) * factor;
  const highBound = (magnitude + half) * factor;
  // A float32's last mantissa bit is bit 29 of the double's low word.
  const evenMantissa = ((lowWord >>> 29) & 1) === 0;
  const whole = Math.floor(scaled);
  const fraction = scaled - whole;

  if (magnitude !== power) {
    // The bounds are symmetric about the value, and the rounding to a length is the multiple of its unit
    // nearest the value (a tie, rounded up, is as near as the other), so it reads back exactly when some
    // multiple of that unit lies within the bounds. The scaled integers that read back run from `first` to
    // `last`; the shortest length is the one whose unit, the largest power of ten with a multiple there, is
    // found by dropping the digits in which `first - 1` and `last` differ. No search, and one rounding.
    const first = evenMantissa ? Math.ceil(lowBound) : Math.floor(lowBound) + 1;
    const last = evenMantissa ? Math.floor(highBound) : Math.ceil(highBound) - 1;
    let below = first - 1;
    let top = last;
    let shift = 0;
    while (shift < 8) {
      const nextBelow = (below / 10) | 0;
      const nextTop = (top / 10) | 0;
      if (nextBelow === nextTop) break;
      below = nextBelow;
      top = nextTop;
      shift++;
    }
    out.digits = roundedAt(whole, fraction, shift);
    out.exponent = exponent + shift;
    return true;
  }

  // A power of two has a narrower interval below it than above, where a multiple of a unit can lie within the
  // bounds while the rounding does not: its lengths are tried as `numberText` tries them, from 8 down while
  // shorter roundings read back, else 9.
  let length = 8;
  let kept = roundedAt(whole, fraction, 1);
  if (!readsBackAt(kept * 10, lowBound, highBound, evenMantissa)) {
    out.digits = roundedAt(whole, fraction, 0);
    out.exponent = exponent;
    return true;
  }
  while (length > 1) {
    const digits = roundedAt(whole, fraction, 10 - length);
    if (!readsBackAt(digits * (POWERS_OF_TEN[10 - length] as number), lowBound, highBound, evenMantissa))
      break;
    kept = digits;
    length--;
  }
  out.digits = kept;
  out.exponent = exponent + 9 - length;
  return true;
}

/**
 * The value (scaled to 9 integer digits, as `whole` and its `fraction`) rounded to the digits above its last
 * `shift`, ties up as `toPrecision` rounds. The rest below the kept digits is exact (under 2^50).
 */
function roundedAt(whole: number, fraction: number, shift: number): number {
  const unit = POWERS_OF_TEN[shift] as number;
  // The reciprocal's product is within one of the quotient; the integer checks settle which.
  let quotient = Math.floor(whole * (INVERSE_POWERS_OF_TEN[shift] as number));
  if (quotient * unit > whole) quotient--;
  else if (whole - quotient * unit >= unit) quotient++;
  const rest = whole - quotient * unit + fraction;
  return rest >= unit / 2 ? quotient + 1 : quotient;
}

/** Whether a scaled rounding reads back: inside the bounds, or on one where ties go to this float32. */
function readsBackAt(candidate: number, lowBound: number, highBound: number, evenMantissa: boolean): boolean {
  return (
    (candidate > lowBound && candidate < highBound) ||
    ((candidate === lowBound || candidate === highBound) && evenMantissa)
  );
}

/**
 * The search for values scaled inexactly (below 1e-4, or of 10 integer digits and more), as `numberText`'s:
 * from 8 digits down while shorter roundings read back, else up to 9.
 */
function searchInexact(magnitude: number, scaled: number, exponent: number, out: DecimalDigits): boolean {
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
/** 2^(e - 1023) at each biased exponent e of a positive double. */
const POWERS_OF_TWO = Float64Array.from({ length: 2048 }, (_, biased) => 2 ** (biased - 1023));

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
 * Whether the value, scaled inexactly, rounded to `length` digits reads back as the same float32, with that
 * rounding left in `out`; undefined when the rounding or the reading back is not certain: a scaled value off
 * by a rounding cannot tell a tie from a near one, and declines both.
 */
function roundTrips(
  magnitude: number,
  scaled: number,
  exponent: number,
  length: number,
  out: DecimalDigits,
): boolean | undefined {
  const shift = 9 - length;
  const part = scaled / (POWERS_OF_TEN[shift] as number);
  const whole = Math.floor(part);
  const fraction = part - whole;
  if (Math.abs(fraction - 0.5) < TIE_MARGIN) return undefined;
  const digits = fraction > 0.5 ? whole + 1 : whole;
  const value = decimalValue(digits, exponent + shift);
  if (Number.isNaN(value)) return undefined;
  out.digits = digits;
  out.exponent = exponent + shift;
  return Math.fround(value) === magnitude;
}
