/**
 * The text a JSON Lines cell holding a nested value (an array or object) is read as: the value's own text in
 * the line, compacted as `JSON.stringify` writes it, but keeping what Python's reader (and pandas' ujson, which
 * gives a model without a signature lists and dicts) tells apart and `JSON.parse` loses: a whole number written
 * as a float stays one (`1.0`, `1e2` as `100.0`), `-0.0` keeps its sign, a float beyond the doubles (`1e400`,
 * Python's inf) stays as written where `JSON.stringify` writes null, and an object's keys stay in the file's
 * order, repeated ones included (`JSON.parse` puts integer-like keys first). Integers keep their digits, past 2^53
 * too; strings are `JSON.stringify`'s. So Python's `json.loads` of the text is the value pandas holds, and a
 * value without such numbers or keys reads exactly as `JSON.stringify` wrote it before.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

/**
 * Per top-level key of `source`, a JSON object's text that `JSON.parse` accepted, whose value is an array or
 * an object: that value's text as the reader keeps it. A repeated key gives its last value, as `JSON.parse` does.
 */
export function nestedValueTexts(source: string): Map<string, string> {
  const texts = new Map<string, string>();
  let at = skipSpace(source, source.indexOf("{") + 1);
  while (source.charCodeAt(at) === QUOTE) {
    const keyEnd = stringEnd(source, at);
    const key = JSON.parse(source.slice(at, keyEnd)) as string;
    const start = skipSpace(source, skipSpace(source, keyEnd) + 1);
    const first = source.charCodeAt(start);
    let end: number;
    if (first === OPEN_BRACE || first === OPEN_BRACKET) {
      const nested = new NestedText(source, start);
      texts.set(key, nested.text);
      end = nested.end;
    } else {
      texts.delete(key);
      end = first === QUOTE ? stringEnd(source, start) : literalEnd(source, start);
    }
    at = skipSpace(source, end);
    if (source.charCodeAt(at) !== 44) break;
    at = skipSpace(source, at + 1);
  }
  return texts;
}

/** The array or object starting at `start` of valid JSON text: its text as the reader keeps it, and its end. */
class NestedText {
  text = "";
  /** Past the value's closing bracket or brace. */
  end: number;
  /** Where the text not yet in `text`, kept as it is, starts: runs go out in one slice each. */
  private run: number;

  constructor(
    private readonly source: string,
    start: number,
  ) {
    this.run = start;
    let depth = 0;
    let at = start;
    do {
      const c = source.charCodeAt(at);
      if (c === QUOTE) at = this.string(at);
      else if (c === MINUS || (c >= ZERO && c <= NINE)) at = this.number(at);
      else if (c === 32 || c === 9 || c === 10 || c === 13) {
        this.keep(at, at);
        at = skipSpace(source, at);
        this.run = at;
      } else {
        if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
        at++;
      }
    } while (depth > 0 && at < source.length);
    this.end = at;
    this.keep(at, at);
  }

  /** Appends the run up to `at`, then the text `source[at, next)` becomes `replacement` (none: kept). */
  private keep(at: number, next: number, replacement = ""): void {
    this.text += this.source.slice(this.run, at) + replacement;
    this.run = next;
  }

  /** A string: kept, or as JSON.stringify writes it where it has escapes. */
  private string(at: number): number {
    const source = this.source;
    let close = at + 1;
    let escaped = false;
    for (; close < source.length; close++) {
      const c = source.charCodeAt(close);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        close++;
      }
    }
    close++;
    if (escaped) this.keep(at, close, JSON.stringify(JSON.parse(source.slice(at, close))));
    return close;
  }

  private number(at: number): number {
    const source = this.source;
    let i = at;
    if (source.charCodeAt(i) === MINUS) i++;
    const digitsStart = i;
    i = digitsEnd(source, i);
    let point = -1;
    if (source.charCodeAt(i) === DOT) {
      point = i;
      i = digitsEnd(source, i + 1);
    }
    const c = source.charCodeAt(i);
    if (c === LOWER_E || c === UPPER_E) {
      i++;
      const sign = source.charCodeAt(i);
      if (sign === MINUS || sign === 43) i++;
      i = digitsEnd(source, i);
      this.keepNumber(at, i);
    } else if (point < 0) {
      // An integer as written, but for -0, which JSON.stringify writes 0 (Python's int 0 either way).
      if (i - at === 2 && digitsStart === at + 1 && source.charCodeAt(digitsStart) === ZERO)
        this.keep(at, i, "0");
    } else if (!plainShortest(source, digitsStart, point, i)) {
      this.keepNumber(at, i);
    }
    return i;
  }

  private keepNumber(at: number, end: number): void {
    const literal = this.source.slice(at, end);
    const text = floatText(literal);
    if (text !== literal) this.keep(at, end, text);
  }
}

/**
 * Whether the float literal whose digits start at `start`, with its point at `point`, ending at `end` (no
 * exponent) is the text `String` gives its value, so needs no parsing: no more than 15 digits (which a double
 * keeps, so none shorter names it), the last not 0 (so not whole either), and not below 1e-6 (`String` writes
 * an exponent there).
 */
function plainShortest(source: string, start: number, point: number, end: number): boolean {
  if (end - start - 1 > 15 || source.charCodeAt(end - 1) === ZERO) return false;
  return !(
    point === start + 1 &&
    source.charCodeAt(start) === ZERO &&
    source.startsWith("000000", point + 1)
  );
}

/**
 * A float literal as the reader keeps it: as `JSON.stringify` writes its value, a whole one with `.0` (Python's
 * float), `-0.0` with its sign, and one beyond the doubles as written (`JSON.stringify` would write null).
 */
function floatText(literal: string): string {
  const value = Number(literal);
  if (!Number.isFinite(value)) return literal;
  if (!Number.isInteger(value)) return String(value);
  if (Object.is(value, -0)) return "-0.0";
  const text = String(value);
  return text.includes("e") ? text : `${text}.0`;
}

function digitsEnd(text: string, at: number): number {
  for (;;) {
    const c = text.charCodeAt(at);
    if (c < ZERO || c > NINE) return at;
    at++;
  }
}

function skipSpace(text: string, at: number): number {
  for (;;) {
    const c = text.charCodeAt(at);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return at;
    at++;
  }
}

/** Where the string starting at the quote `at` ends, past its closing quote. */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return text.length;
}

/** Where a number, true, false or null starting at `at` ends. */
function literalEnd(text: string, at: number): number {
  let i = at;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === CLOSE_BRACE || c === 32 || c === 9 || c === 10 || c === 13) break;
  }
  return i;
}
