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
import { YamlScalarEmitter } from "./yamlScalarEmitter.js";

class Emitter extends YamlScalarEmitter {
  constructor() {
    super(true);
  }

  /** Starts a new line at `indent` (the start of a mapping key or a sequence dash). */
  newLine(indent: number): void {
    if (this.out !== "") this.writeLineBreak();
    this.write(" ".repeat(indent));
    this.whitespace = true;
    this.indention = true;
  }

  /**
   * Starts a mapping entry or a sequence item at `indent`: on a line of its own, or, for the first one of a
   * collection that is itself a sequence item, on the line of that item's dash.
   */
  startEntry(indent: number, onDashLine: boolean): void {
    if (onDashLine) {
      this.indent = indent;
      this.writeIndent();
    } else {
      this.newLine(indent);
    }
  }

  scalar(text: string, plainAllowed: boolean, simpleKey: boolean, continuationIndent: number): void {
    this.indent = continuationIndent;
    const split = !simpleKey;
    const style = scalarStyle(text, plainAllowed, simpleKey);
    if (style === "plain") this.writePlain(text, split);
    else if (style === "single") this.writeSingleQuoted([...text], split);
    else this.writeDoubleQuoted([...text], split);
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
          this.writeBreaks(text, start, end);
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

  /**
   * ruamel, unlike PyYAML, folds some double-quoted lines without the backslash, at a space that the line
   * break then reads back as; these are its conditions for it, as write_double_quoted tests them.
   */
  protected override foldKeepsBackslash(text: readonly string[], start: number, end: number): boolean {
    const spacePos = text.indexOf(" ", end);
    if (spacePos === -1) return true;
    const newline = text.slice(end, spacePos).indexOf("\n");
    const pos = newline === -1 ? spacePos : end + newline;
    if (text[pos] === "\n" && text[pos + 1] !== " ") return true;
    return !(
      !text.slice(end, pos).includes('"') &&
      !text.slice(end, pos).includes("'") &&
      pos + 1 < text.length &&
      !" \n".includes(text[pos + 1] ?? "") &&
      text.slice(end - 1, end + 1).join("") !== "  " &&
      start !== end
    );
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
  for (const [index, [key, value]] of Object.entries(obj).entries()) {
    e.startEntry(indent, index === 0 && sameLine);
    const { text, plain } = scalarText(key);
    e.scalar(text, plain, true, indent);
    e.writeIndicator(":", false);
    emitValue(e, value, indent, false);
  }
}

function emitSequence(e: Emitter, list: unknown[], indent: number, sameLine: boolean): void {
  for (const [index, item] of list.entries()) {
    e.startEntry(indent, index === 0 && sameLine);
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
