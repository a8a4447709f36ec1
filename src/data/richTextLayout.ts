/**
 * The layout that the `rich` library (which dvc prints through) gives plain text and a `Syntax` code line, for
 * the width of dvc's console: words wrapped as rich's `divide_line` wraps them, and a code line numbered,
 * indent-guided and padded as `Syntax(..., line_numbers=True, indent_guides=True, word_wrap=True)` draws it.
 * Colours are left out: dvc prints none when stderr is not a terminal, which is where output gets compared.
 */

/** rich's console width: $COLUMNS when it is a number, the terminal's width, else 80. */
export function richConsoleWidth(): number {
  const columns = process.env.COLUMNS;
  if (columns !== undefined && /^\d+$/.test(columns)) return Number(columns);
  if (process.stderr.isTTY && process.stderr.columns > 0) return process.stderr.columns;
  return 80;
}

/**
 * `text` broken into lines of at most `width` characters at spaces, a word longer than a line cut where the
 * line ends; the spaces at a break stay with the line before it, as far as they fit (rich's `rstrip_end`).
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.match(/\s*\S+\s*|\s+/g) ?? []) {
    if (line !== "" && [...(line + word).trimEnd()].length > width) {
      lines.push(fitted(line, width));
      line = word.trimStart();
    } else {
      line += word;
    }
    while ([...line.trimEnd()].length > width) {
      const chars = [...line];
      lines.push(chars.slice(0, width).join(""));
      line = chars.slice(width).join("");
    }
  }
  if (line !== "" || lines.length === 0) lines.push(fitted(line, width));
  return lines;
}

/** `line` without the trailing spaces that would run past `width`. */
function fitted(line: string, width: number): string {
  const chars = [...line];
  const kept = Math.max(width, [...line.trimEnd()].length);
  return chars.slice(0, kept).join("");
}

/** Python's `str.expandtabs(size)`. */
function expandTabs(text: string, size: number): string {
  let out = "";
  for (const ch of text) {
    if (ch === "\t") out += " ".repeat(size - ([...out].length % size));
    else out += ch;
  }
  return out;
}

/** rich's `Text.with_indent_guides(4)` for one line: each full indent of four spaces drawn as `│   `. */
function withIndentGuides(line: string): string {
  const match = /^( *)(.*)$/.exec(line);
  if (match === null || match[2] === "") return "";
  const indent = match[1] ?? "";
  const full = Math.floor(indent.length / TAB_SIZE);
  return `${"│   ".repeat(full)}${line.slice(full * TAB_SIZE)}`;
}

const TAB_SIZE = 4;

/** One source line as dvc's `Syntax` snippet draws it: `  <n> <code>`, wrapped and padded to `width`. */
export function richCodeLine(code: string, lineNumber: number, width: number): string[] {
  const numberWidth = String(lineNumber).length + 2;
  const codeWidth = Math.max(0, width - numberWidth - 1);
  const guided = withIndentGuides(expandTabs(code, TAB_SIZE));
  const pad = (part: string): string => part + " ".repeat(Math.max(0, codeWidth - [...part].length));
  return wrapWords(guided, codeWidth).map((part, index) =>
    index === 0 ? `  ${lineNumber} ${pad(part)}` : `${" ".repeat(numberWidth + 1)}${pad(part)}`,
  );
}
