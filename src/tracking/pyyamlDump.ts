/**
 * `yaml.safe_dump(mapping, default_flow_style=False)` as PyYAML writes it, for the YAML files MLflow's server
 * writes itself (a prompt-engineering run's MLmodel and parameters.yaml). The `yaml` package picks other
 * quoting styles and folds lines elsewhere, and these files hold user text (prompt templates), so the choice
 * of style, the escapes and the folding at 80 columns follow PyYAML's emitter (yaml/emitter.py) step by step.
 * Only what those files need: mappings (keys sorted) of strings, booleans, null and nested mappings.
 */

import { analyzeScalar, type Analysis } from "../pipelines/ruamelScalarAnalysis.js";

export type PyyamlValue = string | boolean | null | PyyamlMapping;
export interface PyyamlMapping {
  readonly [key: string]: PyyamlValue;
}

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
const LINE_BREAKS = "\n\x85\u2028\u2029";

/** PyYAML's implicit resolvers: a plain scalar matching one would read back as something other than a str. */
const IMPLICIT_RESOLVERS: readonly RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
  /^(?:!|&|\*)$/,
];

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

export function pyyamlDump(mapping: PyyamlMapping): string {
  const emitter = new Emitter();
  emitter.mapping(mapping, 0);
  return emitter.out.endsWith("\n") ? emitter.out : `${emitter.out}\n`;
}

/** Python's `re.match(...$)`: `$` also matches before one final newline. */
function resolvesToNonString(text: string): boolean {
  const candidate = text.endsWith("\n") ? text.slice(0, -1) : text;
  return IMPLICIT_RESOLVERS.some((pattern) => pattern.test(candidate));
}

/** Code points, as Python iterates a str. */
function codePoints(text: string): string[] {
  return Array.from(text);
}

function byCodePoint(a: string, b: string): number {
  const x = codePoints(a);
  const y = codePoints(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** `Emitter.analyze_scalar` with allow_unicode off, as safe_dump's default. */
function analyze(chars: readonly string[]): Analysis {
  return analyzeScalar(chars.join(""), { allowUnicode: false });
}

class Emitter {
  out = "";
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = 0;

  mapping(mapping: PyyamlMapping, indent: number): void {
    const keys = Object.keys(mapping).sort(byCodePoint);
    for (const key of keys) {
      this.indent = indent;
      this.writeIndent();
      const chars = codePoints(key);
      const analysis = analyze(chars);
      const simple = chars.length < 128 && !analysis.empty && !analysis.multiline;
      if (simple) {
        this.scalar(key, chars, analysis, true);
        this.writeIndicator(":", false);
      } else {
        this.writeIndicator("?", true, false, true);
        this.indent = indent + BEST_INDENT;
        this.scalar(key, chars, analysis, false);
        this.indent = indent;
        this.writeIndent();
        this.writeIndicator(":", true, false, true);
      }
      const value = mapping[key]!;
      if (value !== null && typeof value === "object" && Object.keys(value).length === 0) {
        this.writeIndicator("{", true, true);
        this.writeIndicator("}", false);
      } else if (value !== null && typeof value === "object") {
        this.mapping(value, indent + BEST_INDENT);
      } else {
        this.indent = indent + BEST_INDENT;
        if (value === null) this.writePlain(["n", "u", "l", "l"]);
        else if (typeof value === "boolean") this.writePlain(codePoints(String(value)));
        else this.scalar(value, codePoints(value), analyze(codePoints(value)), false);
      }
    }
  }

  /** `choose_scalar_style`, then the writer it picks; a simple key is never folded. */
  private scalar(text: string, chars: string[], analysis: Analysis, simpleKey: boolean): void {
    const implicit = !resolvesToNonString(text);
    const plainFits = !(simpleKey && (analysis.empty || analysis.multiline)) && analysis.allowBlockPlain;
    const split = !simpleKey;
    if (implicit && plainFits) this.writePlain(chars, split);
    else if (analysis.allowSingleQuoted && !(simpleKey && analysis.multiline))
      this.writeSingleQuoted(chars, split);
    else this.writeDoubleQuoted(chars, split);
  }

  private write(data: string): void {
    this.column += codePoints(data).length;
    this.out += data;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    whitespace = false,
    indention = false,
  ): void {
    this.write(this.whitespace || !needWhitespace ? indicator : ` ${indicator}`);
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
  }

  private writeIndent(): void {
    if (!this.indention || this.column > this.indent || (this.column === this.indent && !this.whitespace)) {
      this.writeLineBreak();
    }
    if (this.column < this.indent) {
      this.whitespace = true;
      this.write(" ".repeat(this.indent - this.column));
    }
  }

  private writeLineBreak(data = "\n"): void {
    this.whitespace = true;
    this.indention = true;
    this.out += data;
    this.column = 0;
  }

  private writePlain(chars: readonly string[], split = true): void {
    if (chars.length === 0) return;
    if (!this.whitespace) this.write(" ");
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (spaces) {
        if (ch !== " ") {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(chars.slice(start, end).join(""));
          }
          start = end;
        }
      } else if (ch === undefined || ` ${LINE_BREAKS}`.includes(ch)) {
        this.write(chars.slice(start, end).join(""));
        start = end;
      }
      if (ch !== undefined) spaces = ch === " ";
    }
  }

  private writeSingleQuoted(chars: readonly string[], split: boolean): void {
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
        if (ch === undefined || !LINE_BREAKS.includes(ch)) {
          if (chars[start] === "\n") this.writeLineBreak();
          for (const br of chars.slice(start, end)) this.writeLineBreak(br);
          this.writeIndent();
          start = end;
        }
      } else if (ch === undefined || ` ${LINE_BREAKS}'`.includes(ch)) {
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
        breaks = LINE_BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  private writeDoubleQuoted(chars: readonly string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (ch === undefined || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !(ch >= " " && ch <= "~")) {
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
        this.write(`${chars.slice(start, end).join("")}\\`);
        if (start < end) start = end;
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (chars[start] === " ") this.write("\\");
      }
    }
    this.writeIndicator('"', false);
  }
}

function hexEscape(code: number): string {
  const hex = code.toString(16).toUpperCase();
  if (code <= 0xff) return `x${hex.padStart(2, "0")}`;
  if (code <= 0xffff) return `u${hex.padStart(4, "0")}`;
  return `U${hex.padStart(8, "0")}`;
}
