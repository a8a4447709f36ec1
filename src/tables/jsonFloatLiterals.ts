/**
 * Which top-level values of a JSON object's text are numbers written as floats (`1.0`, `1e3`): Python's json
 * reader (and pandas' ujson) makes those floats, where `JSON.parse` gives 1 for both `1` and `1.0`. Only the
 * text's own spelling tells them apart, so this walks it, skipping strings and nested values whole.
 */

/** The keys of `text`, a valid JSON object (JSON.parse took it), whose value is a number with a fraction or exponent. */
export function floatLiteralKeys(text: string): Set<string> {
  const keys = new Set<string>();
  let at = skipSpace(text, text.indexOf("{") + 1);
  while (text[at] === '"') {
    const keyEnd = stringEnd(text, at);
    const key = JSON.parse(text.slice(at, keyEnd)) as string;
    const valueStart = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const valueEnd = valueEndAt(text, valueStart);
    // A later duplicate key is the one JSON.parse keeps.
    if (isFloatLiteral(text, valueStart, valueEnd)) keys.add(key);
    else keys.delete(key);
    at = skipSpace(text, valueEnd);
    if (text[at] !== ",") break;
    at = skipSpace(text, at + 1);
  }
  return keys;
}

function isFloatLiteral(text: string, start: number, end: number): boolean {
  const first = text[start] as string;
  if (first !== "-" && (first < "0" || first > "9")) return false;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === "." || c === "e" || c === "E") return true;
  }
  return false;
}

function skipSpace(text: string, at: number): number {
  while (
    at < text.length &&
    (text[at] === " " || text[at] === "\t" || text[at] === "\r" || text[at] === "\n")
  )
    at++;
  return at;
}

/** Where the string starting at the quote `at` ends, past its closing quote. */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

/** Where the value starting at `at` ends: past a string or a nested array or object, or at a literal's end. */
function valueEndAt(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return stringEnd(text, at);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const c = text[i];
      if (c === '"') i = stringEnd(text, i) - 1;
      else if (c === "{" || c === "[") depth++;
      else if ((c === "}" || c === "]") && --depth === 0) return i + 1;
    }
    return text.length;
  }
  let i = at;
  while (i < text.length && !/[\s,}\]]/.test(text[i] as string)) i++;
  return i;
}
