/**
 * The syntax of a `${...}` expression, as dvc's pyparsing grammar reads it (dvc/parsing/interpolate.py:
 * `word + ZeroOrMore(attr ^ idx)`, a word being characters other than `.`, `[` and `]`), and dvc's report
 * of a failure: the expression, a caret under where parsing stopped, and pyparsing's `explain` line.
 */

const isWordChar = (char: string): boolean => char !== "." && char !== "[" && char !== "]";

/** How far a run of word characters from `start` reaches (`start` itself when there is none). */
function wordEnd(inner: string, start: number): number {
  let end = start;
  while (end < inner.length && isWordChar(inner[end]!)) end += 1;
  return end;
}

/** Where the grammar stops matching `inner`: its length when all of it parses, -1 when no word starts it. */
function parsedLength(inner: string): number {
  let at = wordEnd(inner, 0);
  if (at === 0) return -1;
  for (;;) {
    const opener = inner[at];
    const word = opener === "." || opener === "[" ? wordEnd(inner, at + 1) : at + 1;
    if (opener === "." && word > at + 1) at = word;
    else if (opener === "[" && word > at + 1 && inner[word] === "]") at = word + 1;
    else return at;
  }
}

/** dvc's message for an expression that does not parse, undefined for one that does. */
export function expressionSyntaxError(inner: string): string | undefined {
  const parsed = parsedLength(inner);
  if (parsed === inner.length) return undefined;
  const shown = `\${${inner}}`;
  // dvc reports positions in the expression with its `${` put back.
  const at = Math.max(parsed, 0) + 2;
  const expected = parsed < 0 ? "!W:(.[])" : "end of text";
  return [
    shown,
    `${" ".repeat(at)}^`,
    `ParseException: Expected ${expected}, found '${shown[at]}'  (at char ${at}), (line:1, col:${at + 1})`,
  ].join("\n");
}
