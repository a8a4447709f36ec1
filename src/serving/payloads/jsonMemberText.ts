/**
 * The source text of one member of a JSON object, for the few places where JSON.parse loses what Python's
 * json.loads keeps: `5.0` and `5` are the same JavaScript number but a float and an int in Python, and MLflow
 * refuses a float for a `long` param. The text must already have passed JSON.parse.
 */

/** The text of the last `key` member of the top-level object (json.loads keeps the last), else undefined. */
export function topLevelMemberText(text: string, key: string): string | undefined {
  let at = skipSpace(text, 0);
  if (text.charCodeAt(at) !== OPEN_BRACE) return undefined;
  at = skipSpace(text, at + 1);
  let found: string | undefined;
  while (at < text.length && text.charCodeAt(at) === QUOTE) {
    const keyEnd = stringEnd(text, at);
    const name = text.slice(at, keyEnd);
    at = skipSpace(text, keyEnd);
    at = skipSpace(text, at + 1); // the colon
    const valueEnd = valueEndAt(text, at);
    if (memberName(name) === key) found = text.slice(at, valueEnd);
    at = skipSpace(text, valueEnd);
    if (text.charCodeAt(at) !== COMMA) break;
    at = skipSpace(text, at + 1);
  }
  return found;
}

/** True when a parsed value holds an integral number somewhere: only then can its source text say more. */
export function holdsIntegralNumber(value: unknown): boolean {
  if (typeof value === "number") return Number.isInteger(value);
  if (typeof value === "bigint") return true;
  if (Array.isArray(value)) return value.some(holdsIntegralNumber);
  if (typeof value === "object" && value !== null) return Object.values(value).some(holdsIntegralNumber);
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const COMMA = 0x2c;
const STRUCTURE = /["[\]{}]/g;
const PRIMITIVE_END = /[\s,\]}]/g;

function memberName(quoted: string): string {
  return quoted.includes("\\") ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
}

function skipSpace(text: string, at: number): number {
  for (;;) {
    const code = text.charCodeAt(at);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return at;
    at++;
  }
}

/** The index after the closing quote of the string opening at `at`. */
function stringEnd(text: string, at: number): number {
  let close = text.indexOf('"', at + 1);
  for (;;) {
    let slashes = 0;
    while (text.charCodeAt(close - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return close + 1;
    close = text.indexOf('"', close + 1);
  }
}

/** The index after the value starting at `at`. */
function valueEndAt(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return stringEnd(text, at);
  if (first !== OPEN_BRACE && first !== 0x5b) {
    PRIMITIVE_END.lastIndex = at;
    return PRIMITIVE_END.exec(text)?.index ?? text.length;
  }
  let depth = 0;
  STRUCTURE.lastIndex = at;
  for (let match = STRUCTURE.exec(text); match !== null; match = STRUCTURE.exec(text)) {
    const char = match[0];
    if (char === '"') {
      STRUCTURE.lastIndex = stringEnd(text, match.index);
    } else if (char === "{" || char === "[") {
      depth++;
    } else if (--depth === 0) {
      return match.index + 1;
    }
  }
  return text.length;
}
