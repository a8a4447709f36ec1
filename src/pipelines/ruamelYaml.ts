/**
 * A block-style YAML writer that produces the bytes DVC's writer (ruamel.yaml, round-trip mode, width 80,
 * mapping indent 2, sequences at the parent key's column) produces for plain data: the lock file must be
 * byte-identical so that `dvc` and FlowOps can share it without churn in Git. The scalar writers are ports of
 * ruamel's `Emitter.analyze_scalar`, `choose_scalar_style`, `write_plain`, `write_single_quoted` and
 * `write_double_quoted` (ruamel/yaml/emitter.py), including where long lines wrap.
 */
import { isPlainObject, pyFloatRepr, PyFloat, PyInt } from "./pythonValues.js";
import { resolvesAsString } from "./ruamelResolver.js";
import { analyzeScalar, BEST_WIDTH, BREAKS } from "./ruamelScalarAnalysis.js";

const ESCAPES: Record<string, string> = {
  "\0": "0",
  "\x07": "a",
  "\x08": "b",
  "\x09": "t",
  "\x0A": "n",
  "\x0B": "v",
  "\x0C": "f",
  "\x0D": "r",
  "\x1B": "e",
  '"': '"',
  "\\": "\\",
  "\x85": "N",
  "\xA0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

class Emitter {
  out = "";
  column = 0;
  whitespace = true;
  indention = true;
  /** The indent continuation lines of the current scalar start at. */
  indent = 0;

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

  /** Starts a new line at `indent` (the start of a mapping key or a sequence dash). */
  newLine(indent: number): void {
    if (this.out !== "") this.writeLineBreak();
    this.write(" ".repeat(indent));
    this.whitespace = true;
    this.indention = true;
  }

  scalar(text: string, plainAllowed: boolean, simpleKey: boolean, continuationIndent: number): void {
    this.indent = continuationIndent;
    const split = !simpleKey;
    const style = scalarStyle(text, plainAllowed, simpleKey);
    if (style === "plain") this.writePlain(text, split);
    else if (style === "single") this.writeSingleQuoted(text, split);
    else this.writeDoubleQuoted(text, split);
  }

  writePlain(input: string, split: boolean): void {
    if (input === "") return;
    const text = [...input];
    if (!this.whitespace) this.write(" ");
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let breaks = false;
    let start = 0;
    let end = 0;
    while (end <= text.length) {
      const ch = end < text.length ? text[end] : undefined;
      if (spaces) {
        if (ch !== " ") {
          if (start + 1 === end && this.column >= BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(text.slice(start, end).join(""));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !BREAKS.includes(ch)) {
          if (text[start] === "\n") this.writeLineBreak();
          for (const br of text.slice(start, end)) this.writeLineBreak(br === "\n" ? "\n" : br);
          this.writeIndent();
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === undefined || ` ${BREAKS}`.includes(ch)) {
        const data = text.slice(start, end).join("");
        if ([...data].length + this.column > BEST_WIDTH && this.column > this.indent) this.writeIndent();
        this.write(data);
        start = end;
      }
      if (ch !== undefined) {
        spaces = ch === " ";
        breaks = BREAKS.includes(ch);
      }
      end += 1;
    }
  }

  writeSingleQuoted(input: string, split: boolean): void {
    const text = [...input];
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    let end = 0;
    while (end <= text.length) {
      const ch = end < text.length ? text[end] : undefined;
      if (spaces) {
        if (ch === undefined || ch !== " ") {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== text.length) {
            this.writeIndent();
          } else {
            this.write(text.slice(start, end).join(""));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !BREAKS.includes(ch)) {
          if (text[start] === "\n") this.writeLineBreak();
          for (const br of text.slice(start, end)) this.writeLineBreak(br === "\n" ? "\n" : br);
          this.writeIndent();
          start = end;
        }
      } else if (ch === undefined || ` ${BREAKS}`.includes(ch) || ch === "'") {
        if (start < end) {
          this.write(text.slice(start, end).join(""));
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
      end += 1;
    }
    this.writeIndicator("'", false);
  }

  writeDoubleQuoted(input: string, split: boolean): void {
    const text = [...input];
    this.writeIndicator('"', true);
    let start = 0;
    let end = 0;
    while (end <= text.length) {
      const ch = end < text.length ? text[end] : undefined;
      const code = ch === undefined ? 0 : (ch.codePointAt(0) ?? 0);
      const printable =
        ch !== undefined &&
        ((code >= 0x20 && code <= 0x7e) ||
          (code >= 0xa0 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) ||
          code >= 0x10000);
      if (ch === undefined || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !printable) {
        if (start < end) {
          this.write(text.slice(start, end).join(""));
          start = end;
        }
        if (ch !== undefined) {
          let data: string;
          const escape = ESCAPES[ch];
          if (escape !== undefined) data = `\\${escape}`;
          else if (code <= 0xff) data = `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
          else data = `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
          this.write(data);
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < text.length - 1 &&
        (ch === " " || start >= end) &&
        this.column + (end - start) > BEST_WIDTH &&
        split
      ) {
        let needBackslash = true;
        const spacePos = text.indexOf(" ", end);
        if (spacePos !== -1) {
          const newline = text.slice(end, spacePos).indexOf("\n");
          const pos = newline === -1 ? spacePos : end + newline;
          if (text[pos] === "\n" && text[pos + 1] !== " ") {
            // keep the backslash
          } else if (
            !text.slice(end, pos).includes('"') &&
            !text.slice(end, pos).includes("'") &&
            pos + 1 < text.length &&
            !" \n".includes(text[pos + 1] ?? "") &&
            text.slice(end - 1, end + 1).join("") !== "  " &&
            start !== end
          ) {
            needBackslash = false;
          }
        }
        const data = text.slice(start, end).join("") + (needBackslash ? "\\" : "");
        if (start < end) start = end;
        this.write(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === " ") {
          if (!needBackslash) start += 1;
          this.write(needBackslash ? "\\" : "");
        }
      }
      end += 1;
    }
    this.writeIndicator('"', false);
  }
}

/** ruamel's `choose_scalar_style` for a scalar that is not a block scalar; `plainAllowed` from its resolver. */
function scalarStyle(text: string, plainAllowed: boolean, simpleKey: boolean): "plain" | "single" | "double" {
  const analysis = analyzeScalar(text);
  if (plainAllowed && !(simpleKey && (analysis.empty || analysis.multiline)) && analysis.allowBlockPlain) {
    return "plain";
  }
  if (text.includes("'") || text.includes("\n")) return "double";
  if (analysis.allowSingleQuoted && !(simpleKey && analysis.multiline)) return "single";
  return "double";
}

/** How ruamel writes the string `text` as a mapping key (`simpleKey`) or a value. */
export function ruamelStringStyle(text: string, simpleKey: boolean): "plain" | "single" | "double" {
  return scalarStyle(text, resolvesAsString(text), simpleKey);
}

function scalarText(value: unknown): { text: string; plain: boolean } {
  if (value === null || value === undefined) return { text: "", plain: true };
  if (typeof value === "boolean") return { text: value ? "true" : "false", plain: true };
  if (value instanceof PyInt) return { text: value.value.toString(), plain: true };
  if (value instanceof PyFloat || typeof value === "number") {
    const n = value instanceof PyFloat ? value.value : value;
    if (Number.isNaN(n)) return { text: ".nan", plain: true };
    if (!Number.isFinite(n)) return { text: n > 0 ? ".inf" : "-.inf", plain: true };
    const isInt = !(value instanceof PyFloat) && Number.isInteger(n);
    return { text: isInt ? String(n) : pyFloatRepr(n).toLowerCase(), plain: true };
  }
  const text = String(value);
  return { text, plain: resolvesAsString(text) };
}

function isEmptyCollection(value: unknown): string | undefined {
  if (Array.isArray(value) && value.length === 0) return "[]";
  if (isPlainObject(value) && Object.keys(value).length === 0) return "{}";
  return undefined;
}

function emitValue(e: Emitter, value: unknown, indent: number, inSequence: boolean): void {
  const empty = isEmptyCollection(value);
  if (empty !== undefined) {
    e.writeIndicator(empty[0] ?? "", true, true);
    e.writeIndicator(empty[1] ?? "", false);
    return;
  }
  if (isPlainObject(value)) {
    emitMapping(e, value, inSequence ? indent + 2 : indent + 2, inSequence);
  } else if (Array.isArray(value)) {
    emitSequence(e, value, inSequence ? indent + 2 : indent, inSequence);
  } else {
    if (inSequence) {
      e.indent = indent + 2;
      e.writeIndent();
    }
    const { text, plain } = scalarText(value);
    e.scalar(text, plain, false, indent + 2);
  }
}

function emitMapping(e: Emitter, obj: Record<string, unknown>, indent: number, sameLine: boolean): void {
  let first = true;
  for (const [key, value] of Object.entries(obj)) {
    if (first && sameLine) {
      e.indent = indent;
      e.writeIndent();
    } else {
      e.newLine(indent);
    }
    first = false;
    const { text, plain } = scalarText(key);
    e.scalar(text, plain, true, indent);
    e.writeIndicator(":", false);
    emitValue(e, value, indent, false);
  }
}

function emitSequence(e: Emitter, list: unknown[], indent: number, sameLine: boolean): void {
  let first = true;
  for (const item of list) {
    if (first && sameLine) {
      e.indent = indent;
      e.writeIndent();
    } else {
      e.newLine(indent);
    }
    first = false;
    e.writeIndicator("-", true, false, true);
    emitValue(e, item, indent, true);
  }
}

/** `yaml.dump(data)` as DVC's ruamel writer does it, for a top-level mapping. */
export function dumpRuamelYaml(data: Record<string, unknown>): string {
  const e = new Emitter();
  emitMapping(e, data, 0, false);
  return `${e.out}\n`;
}

/**
 * `head` (a line up to and including a mapping key's `:`) followed by the plain scalar `value`, laid out as
 * ruamel's `write_plain` lays it at width 80: a word that would run past the width starts a new line at the
 * key's column + 2, and a space past the width becomes a line break.
 */
export function wrapPlainValue(head: string, value: string, keyColumn: number): string {
  const e = new Emitter();
  e.write(head);
  e.whitespace = false;
  e.indention = false;
  e.indent = keyColumn + 2;
  e.writePlain(value, true);
  return e.out;
}
