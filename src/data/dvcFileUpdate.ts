/**
 * Rewrites an existing `.dvc` file the way dvc does (`serialize.to_single_stage_file`): the new state is applied
 * to the file's old text with dvc's `apply_diff`, so comments, key order, flow style and blank lines survive
 * a re-add; values that changed are replaced, keys that went are dropped and new keys are appended. As with
 * ruamel's round trip (which dvc uses without `preserve_quotes`), quoted strings come out plain where YAML
 * allows it and a trailing comment keeps its column.
 */
import type { Document, Lexer as LexerType, Node as YamlNode, YAMLMap, YAMLSeq } from "yaml";
import { yamlLibrary } from "../yamlLibrary.js";
import { dumpRuamelYaml, ruamelStringStyle } from "../pipelines/ruamelYaml.js";
import { wrapLongPlainLines } from "./ruamelLineWidth.js";

/** How dvc's ruamel dumper lays YAML out: block style, sequences not indented under their key. */
export const DVC_YAML_STRINGIFY = {
  indentSeq: false,
  nullStr: "",
  singleQuote: true,
  lineWidth: 0,
  flowCollectionPadding: false,
} as const;

/**
 * A mapping of plain data dumped as dvc's ruamel writer dumps it (block style, width 80), through the port of
 * ruamel's emitter that writes dvc.lock: it quotes what YAML 1.1 would read as something other than a string
 * (`2024-01-01`, `=`, `<<`, `0b101`, `1_000`), which a YAML 1.2 writer leaves plain and dvc then fails
 * to load, and escapes control characters.
 */
export function stringifyLikeRuamel(data: Record<string, unknown>): string {
  return dumpRuamelYaml(data);
}

/**
 * `state` (plain data, in dvc's key order) written over `oldText`; a fresh dump when the old text is not a
 * YAML mapping (dvc could not have loaded it either).
 */
export function updateDvcFileText(oldText: string, state: Record<string, unknown>): string {
  const yaml = yamlLibrary();
  const doc = yaml.parseDocument(oldText, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0 || !yaml.isMap(doc.contents)) return stringifyLikeRuamel(state);
  applyDiff(doc, state, doc.contents);
  return dumpLikeRuamel(oldText, doc);
}

/**
 * `state` written over the mapping at `keyPath` of `oldText` (one stage of a dvc.yaml: dvc's `apply_diff` of
 * `to_pipeline_file` onto the stage as read), or added at the end of its parent when there is none yet, the
 * rest dumped again as ruamel would; undefined when something else is there.
 */
export function updateYamlTextAt(
  oldText: string,
  keyPath: readonly string[],
  state: Record<string, unknown>,
): string | undefined {
  const yaml = yamlLibrary();
  const doc = yaml.parseDocument(oldText, { prettyErrors: false });
  if (doc.errors.length > 0 || !yaml.isMap(doc.contents)) return undefined;
  const node = doc.getIn(keyPath, true);
  if (yaml.isMap(node)) applyDiff(doc, state, node);
  else if (node === undefined || (yaml.isScalar(node) && node.value === null)) {
    // An empty parent (`stages:` with nothing under it) becomes a mapping first.
    for (let depth = 1; depth < keyPath.length; depth++) {
      const parent = doc.getIn(keyPath.slice(0, depth), true);
      if (yaml.isScalar(parent) && parent.value === null)
        doc.setIn(keyPath.slice(0, depth), doc.createNode({}));
    }
    doc.setIn(keyPath, doc.createNode(state));
  } else return undefined;
  return dumpLikeRuamel(oldText, doc);
}

/**
 * `text` loaded and dumped again as dvc's ruamel round trip does (its layout, quotes only where needed,
 * comments where they stood); the text itself when it is not YAML.
 */
export function redumpLikeRuamel(text: string): string {
  const doc = yamlLibrary().parseDocument(text, { prettyErrors: false });
  return doc.errors.length > 0 ? text : dumpLikeRuamel(text, doc);
}

function dumpLikeRuamel(oldText: string, doc: Document): string {
  const { isPair, visit } = yamlLibrary();
  visit(doc, {
    Scalar(key, node, path) {
      if (typeof node.value === "string" && node.type !== "BLOCK_LITERAL" && node.type !== "BLOCK_FOLDED") {
        // ruamel's choice, not the `yaml` library's: under YAML 1.2 it would leave `2024-01-01` or `=` plain,
        // which dvc's YAML 1.1 loader reads as a date or a tag. A block scalar stays one, as ruamel keeps it.
        const style = ruamelStringStyle(node.value, key === "key");
        if (style === "plain") delete node.type;
        else node.type = style === "single" ? "QUOTE_SINGLE" : "QUOTE_DOUBLE";
        return;
      }
      if (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") delete node.type;
      if (node.value !== null) return;
      // ruamel writes a null as nothing in block style (`key:`, `- `), whatever spelled it, and as `null`
      // inside a flow collection.
      const parent = path[path.length - 1];
      const collection = (isPair(parent) ? path[path.length - 2] : parent) as { flow?: boolean } | undefined;
      node.source = collection?.flow === true ? "null" : "";
    },
  });
  return wrapLongPlainLines(keepCommentColumns(oldText, doc.toString(DVC_YAML_STRINGIFY)));
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

/** dvc's `is_same_type` for containers: a list meets a sequence, a mapping a mapping. */
function sameContainerType(value: Container, node: unknown): node is YAMLMap | YAMLSeq {
  const { isMap, isSeq } = yamlLibrary();
  return Array.isArray(value) ? isSeq(node) : isMap(node);
}

/** `dest` made equal to `src`, touching only what differs (dvc's `utils.collections.apply_diff`). */
function applyDiff(doc: Document, src: Container, dest: YAMLMap | YAMLSeq): void {
  const { isMap, isScalar } = yamlLibrary();
  const replace = (current: unknown, value: unknown): unknown => {
    if (isContainer(value) && sameContainerType(value, current)) {
      applyDiff(doc, value, current);
      return current;
    }
    const currentValue = isScalar(current) ? current.value : (current as YamlNode | null)?.toJSON();
    if (current !== null && current !== undefined && equalValues(value, currentValue)) return current;
    // A changed scalar keeps its node, and with it the comment on its line.
    if (isScalar(current) && !isContainer(value)) {
      current.value = value;
      delete current.type;
      return current;
    }
    return doc.createNode(value);
  };
  if (Array.isArray(src)) {
    const seq = dest as YAMLSeq;
    if (seq.items.length !== src.length) seq.items = src.map((value) => doc.createNode(value));
    else seq.items = seq.items.map((item, index) => replace(item, src[index]));
    return;
  }
  if (!isMap(dest)) return;
  for (const [key, value] of Object.entries(src)) {
    if (value === undefined) continue;
    const pair = dest.items.find((item) => keyName(item.key) === key);
    if (pair === undefined) dest.add(doc.createPair(key, value));
    else pair.value = replace(pair.value, value) as YamlNode;
  }
  dest.items = dest.items.filter((item) => Object.hasOwn(src, keyName(item.key) ?? ""));
}

function keyName(key: unknown): string | undefined {
  const { isScalar } = yamlLibrary();
  const value = isScalar(key) ? key.value : key;
  return value === null || value === undefined ? undefined : String(value);
}

/** Python's `==` on the scalars a `.dvc` file holds (numbers, strings, booleans, null). */
function equalValues(a: unknown, b: unknown): boolean {
  if (isContainer(a) || isContainer(b)) return JSON.stringify(a) === JSON.stringify(b);
  if (typeof a === "boolean" || typeof b === "boolean")
    return Number(a) === Number(b) && typeof a !== "string";
  return a === b;
}

interface CommentAt {
  text: string;
  line: number;
  column: number;
  /** What precedes the comment on its line, trimmed; "" for a comment on a line of its own. */
  before: string;
}

/**
 * The yaml library writes a trailing comment one space after its value and a comment after `key:` on a line of
 * its own; ruamel keeps each where it stood. When the new text holds the same comments in the same order,
 * each trailing comment goes back to its old column (or one space after a longer value) and onto its key's line,
 * and a comment line gets no blank line before it that it did not have.
 */
function keepCommentColumns(oldText: string, newText: string): string {
  const { Lexer } = yamlLibrary();
  const before = commentsOf(oldText, Lexer);
  const after = commentsOf(newText, Lexer);
  if (before.length !== after.length || before.some((comment, i) => comment.text !== after[i]!.text))
    return newText;
  const lines = newText.split("\n");
  const oldLines = oldText.split("\n");
  for (let i = after.length - 1; i >= 0; i--) {
    const old = before[i]!;
    const now = after[i]!;
    if (old.before === "") {
      // The library puts a blank line before a document's last comment, and drops one before a mapping's
      // trailing comment; ruamel keeps the lines as they were.
      const blankNow = now.before === "" && now.line > 0 && lines[now.line - 1]!.trim() === "";
      const blankBefore = old.line > 0 && oldLines[old.line - 1]!.trim() === "";
      if (blankNow && !blankBefore) lines.splice(now.line - 1, 1);
      else if (!blankNow && blankBefore && now.before === "" && now.line > 0) lines.splice(now.line, 0, "");
      continue;
    }
    const line = lines[now.line]!;
    if (now.before !== "") {
      const content = line.slice(0, now.column).trimEnd();
      lines[now.line] = `${content}${" ".repeat(Math.max(1, old.column - content.length))}${now.text}`;
    } else if (now.line > 0 && lines[now.line - 1]!.trim() === old.before) {
      const content = lines[now.line - 1]!.trimEnd();
      lines[now.line - 1] = `${content}${" ".repeat(Math.max(1, old.column - content.length))}${now.text}`;
      lines.splice(now.line, 1);
    }
  }
  return lines.join("\n");
}

/** The lexer's marks of structure (document, flow end, scalar), which hold no source text. */
const CONTROL_TOKENS = new Set(["\x02", "\x18", "\x1f"]);

/** Every comment of `text`, found by the YAML lexer (a `#` inside a quoted string is not one). */
function commentsOf(text: string, Lexer: new () => LexerType): CommentAt[] {
  const comments: CommentAt[] = [];
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (CONTROL_TOKENS.has(token)) continue;
    if (token.startsWith("#")) {
      const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
      comments.push({
        text: token,
        line: countNewlines(text, lineStart),
        column: offset - lineStart,
        before: text.slice(lineStart, offset).trim(),
      });
    }
    offset += token.length;
  }
  return comments;
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1 && at < end; at = text.indexOf("\n", at + 1)) count++;
  return count;
}
