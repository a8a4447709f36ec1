/**
 * What PyYAML's emitter and ruamel's (a fork of it) have in common, for ruamelYaml.ts and
 * tracking/pyyamlDump.ts: the column and whitespace state, indicators, indents and line breaks, and the
 * single- and double-quoted scalar writers (`write_single_quoted`, `write_double_quoted` of emitter.py).
 * They differ in two places, which the writer subclasses set: whether characters past `~` are written as
 * they are (`allow_unicode`), and ruamel's choice to fold some double-quoted lines without a backslash.
 */
import { BEST_WIDTH, BREAKS } from "./ruamelScalarAnalysis.js";

const ESCAPES: Readonly<Record<string, string>> = {
  "\0": "0",
  "\x07": "a",
  "\x08": "b",
  "\t": "t",
  "\n": "n",
  "\x0B": "v",
  "\x0C": "f",
  "\r": "r",
  "\x1B": "e",
  '"': '"',
  "\\": "\\",
  "\x85": "N",
  "\xA0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

export class YamlScalarEmitter {
  out = "";
  column = 0;
  whitespace = true;
  indention = true;
  /** The indent continuation lines of the current scalar start at. */
  indent = 0;

  constructor(private readonly allowUnicode: boolean) {}

  write(data: string): void {
    this.out += data;
    this.column += [...data].length;
  }

  writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    this.write(this.whitespace || !needWhitespace ? indicator : ` ${indicator}`);
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
  }

  writeLineBreak(data = "\n"): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.out += data;
  }

  writeIndent(): void {
    const indent = this.indent;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.writeLineBreak();
    }
    if (this.column < indent) {
      this.whitespace = true;
      this.write(" ".repeat(indent - this.column));
    }
  }

  /** The line breaks `chars[start, end)` inside a scalar; a leading "\n" takes an extra one, as a fold eats one. */
  protected writeBreaks(chars: readonly string[], start: number, end: number): void {
    if (chars[start] === "\n") this.writeLineBreak();
    for (const br of chars.slice(start, end)) this.writeLineBreak(br);
    this.writeIndent();
  }

  writeSingleQuoted(chars: readonly string[], split: boolean): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (spaces) {
        if (ch !== " ") {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== chars.length) {
            this.writeIndent();
          } else {
            this.write(chars.slice(start, end).join(""));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !BREAKS.includes(ch)) {
          this.writeBreaks(chars, start, end);
          start = end;
        }
      } else if (ch === undefined || ` ${BREAKS}'`.includes(ch)) {
        if (start < end) {
          this.write(chars.slice(start, end).join(""));
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === " ";
        breaks = BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  writeDoubleQuoted(chars: readonly string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (ch === undefined || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !this.printable(ch)) {
        if (start < end) {
          this.write(chars.slice(start, end).join(""));
          start = end;
        }
        if (ch !== undefined) {
          this.write(`\\${ESCAPES[ch] ?? hexEscape(ch.codePointAt(0)!)}`);
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < chars.length - 1 &&
        (ch === " " || start >= end) &&
        this.column + (end - start) > BEST_WIDTH &&
        split
      ) {
        const backslash = this.foldKeepsBackslash(chars, start, end);
        this.write(chars.slice(start, end).join("") + (backslash ? "\\" : ""));
        if (start < end) start = end;
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (chars[start] === " ") {
          if (backslash) this.write("\\");
          else start += 1;
        }
      }
    }
    this.writeIndicator('"', false);
  }

  /** Whether a double-quoted line folded before `chars[end]` ends in a backslash: always, in PyYAML. */
  protected foldKeepsBackslash(_chars: readonly string[], _start: number, _end: number): boolean {
    return true;
  }

  private printable(ch: string): boolean {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) return true;
    return (
      this.allowUnicode &&
      ((code >= 0xa0 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000)
    );
  }
}

function hexEscape(code: number): string {
  const hex = code.toString(16).toUpperCase();
  if (code <= 0xff) return `x${hex.padStart(2, "0")}`;
  if (code <= 0xffff) return `u${hex.padStart(4, "0")}`;
  return `U${hex.padStart(8, "0")}`;
}
