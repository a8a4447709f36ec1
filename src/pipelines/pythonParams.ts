/**
 * Python params files (`params.py`) as DVC reads them (`dvc/utils/serialize/_py.py`), without running
 * Python: module-level assignments, class bodies as nested mappings (`TrainConfig.EPOCHS`), and `self.x`
 * assignments directly in an `__init__` body. Each value must be what `ast.literal_eval` accepts; anything
 * else (an expression, a call, `a = b = 1`, `x, y = ...`) is skipped, as DVC skips it. Tuples become lists,
 * as DVC writes them. Sets, bytes, complex numbers and `...` parse, but DVC cannot record them (its
 * run-cache hash is JSON), so they are reported where a stage uses them (`unrecordableParams`).
 * This file is the statement and literal parser; syntax is checked only at the token level
 * (pythonTokens.ts: strings, numbers, brackets, indentation), so a file Python would reject for grammar
 * alone may still be read here.
 */
import { malformedFile } from "../data/yamlFile.js";
import { PyFloat, pyFloat, pyFloatRepr, type PyValue } from "./pythonValues.js";
import { tokenize, type Token } from "./pythonTokens.js";

type ParamsObject = Record<string, PyValue>;

/** A value DVC parses but cannot put in dvc.lock, by dotted key path. */
export interface UnrecordableParam {
  kind: "set" | "bytes" | "complex" | "ellipsis";
  line: number;
}

export interface PythonParams {
  values: ParamsObject;
  unrecordable: Map<string, UnrecordableParam>;
}

/** A value outside `ast.literal_eval`'s subset: the assignment is skipped, as DVC skips it. */
class NotLiteral extends Error {}

interface Literal {
  value: PyValue;
  /** Unrecordable values inside, by key path relative to this value. */
  unrecordable: { path: string[]; kind: UnrecordableParam["kind"] }[];
}

/** Parses `tokens` as one literal (a bare `a, b` is a tuple, as on the right of `=`). */
function parseLiteral(tokens: readonly Token[]): Literal {
  let pos = 0;
  const peek = (offset = 0): Token | undefined => tokens[pos + offset];
  const isOp = (text: string, offset = 0): boolean =>
    peek(offset)?.kind === "op" && peek(offset)?.text === text;
  const expectOp = (text: string): void => {
    if (!isOp(text)) throw new NotLiteral();
    pos++;
  };
  const unrecordable = (kind: UnrecordableParam["kind"]): Literal => ({
    value: null,
    unrecordable: [{ path: [], kind }],
  });
  const scalar = (value: PyValue): Literal => ({ value, unrecordable: [] });
  const nested = (items: Literal[], keys: string[]): Literal["unrecordable"] =>
    items.flatMap((item, index) =>
      item.unrecordable.map((u) => ({ ...u, path: [keys[index] ?? String(index), ...u.path] })),
    );

  const number = (): Literal => {
    const token = peek();
    if (token?.kind !== "number") throw new NotLiteral();
    pos++;
    return numberLiteral(token.text);
  };
  const signedNumber = (): Literal => {
    if (isOp("-") || isOp("+")) {
      const negative = isOp("-");
      pos++;
      const operand = number();
      const value = operand.value;
      if (value instanceof PyFloat) return scalar(new PyFloat(negative ? -value.value : value.value));
      return typeof value === "number" ? scalar(negative ? -value : value) : operand;
    }
    return number();
  };
  const sequence = (close: string): Literal[] => {
    const items: Literal[] = [];
    while (!isOp(close)) {
      items.push(element());
      if (!isOp(",")) break;
      pos++;
    }
    expectOp(close);
    return items;
  };
  const list = (items: Literal[]): Literal => ({
    value: items.map((item) => item.value),
    unrecordable: nested(items, []),
  });
  const element = (): Literal => {
    const token = peek();
    if (token === undefined) throw new NotLiteral();
    if (token.kind === "string") return strings();
    if (token.kind === "number" || isOp("-") || isOp("+")) {
      const left = signedNumber();
      // literal_eval's one binary form: a real number plus or minus an imaginary one.
      if ((isOp("+") || isOp("-")) && left.unrecordable.length === 0) {
        pos++;
        const right = number();
        if (right.unrecordable[0]?.kind !== "complex") throw new NotLiteral();
        return unrecordable("complex");
      }
      return left;
    }
    if (token.kind === "name") {
      pos++;
      if (token.text === "True") return scalar(true);
      if (token.text === "False") return scalar(false);
      if (token.text === "None") return scalar(null);
      if (token.text === "set" && isOp("(") && isOp(")", 1)) {
        pos += 2;
        return unrecordable("set");
      }
      throw new NotLiteral();
    }
    if (isOp("...")) {
      pos++;
      return unrecordable("ellipsis");
    }
    if (isOp("(")) {
      pos++;
      if (isOp(")")) {
        pos++;
        return list([]);
      }
      const first = element();
      if (isOp(")")) {
        pos++;
        return first;
      }
      expectOp(",");
      return list([first, ...sequence(")")]);
    }
    if (isOp("[")) {
      pos++;
      return list(sequence("]"));
    }
    if (isOp("{")) {
      pos++;
      return braces();
    }
    throw new NotLiteral();
  };
  const braces = (): Literal => {
    if (isOp("}")) {
      pos++;
      return scalar({});
    }
    const firstKey = element();
    if (!isOp(":")) {
      if (isOp(",")) pos++;
      // A set: its items are parsed only to check that they are literals.
      sequence("}");
      return unrecordable("set");
    }
    const out: Record<string, PyValue> = {};
    const inner: Literal["unrecordable"] = [];
    let key: Literal = firstKey;
    for (;;) {
      expectOp(":");
      const value = element();
      const name = dictKey(key);
      out[name] = value.value;
      inner.push(...value.unrecordable.map((u) => ({ ...u, path: [name, ...u.path] })));
      if (!isOp(",")) break;
      pos++;
      if (isOp("}")) break;
      key = element();
    }
    expectOp("}");
    return { value: out, unrecordable: inner };
  };
  const strings = (): Literal => {
    let value = "";
    let bytes: boolean | undefined;
    while (peek()?.kind === "string") {
      const token = peek() as Token;
      pos++;
      if (token.prefix?.includes("f") === true) throw new NotLiteral();
      const isBytes = token.prefix?.includes("b") === true;
      if (bytes !== undefined && bytes !== isBytes) throw new NotLiteral();
      bytes = isBytes;
      value += token.value ?? "";
    }
    return bytes === true ? unrecordable("bytes") : scalar(value);
  };

  const first = element();
  let result = first;
  if (isOp(",")) {
    pos++;
    const rest: Literal[] = [];
    while (pos < tokens.length) {
      rest.push(element());
      if (!isOp(",")) break;
      pos++;
    }
    result = list([first, ...rest]);
  }
  if (pos !== tokens.length) throw new NotLiteral();
  return result;
}

/** Mapping keys as DVC's YAML shows them; non-string keys become their Python `str`. */
function dictKey(key: Literal): string {
  const value = key.value;
  if (key.unrecordable.length > 0) throw new NotLiteral();
  if (typeof value === "string") return value;
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  // A list or dict key is unhashable: Python fails on it.
  throw new NotLiteral();
}

function numberLiteral(text: string): Literal {
  const clean = text.replaceAll("_", "");
  if (/[jJ]$/.test(clean)) return { value: null, unrecordable: [{ path: [], kind: "complex" }] };
  if (/^0[xXoObB]/.test(clean)) return { value: Number(clean.toLowerCase()), unrecordable: [] };
  if (/[.eE]/.test(clean)) return { value: pyFloat(Number(clean)), unrecordable: [] };
  return { value: Number(clean), unrecordable: [] };
}

const COMPOUND = new Set(["if", "elif", "else", "for", "while", "try", "except", "finally", "with", "async"]);

/** Reads a params.py file's values; errors name the file and line. */
export function parsePythonParams(path: string, text: string): PythonParams {
  const tokens = tokenize(path, text);
  const indentedBlockAfter = (header: Token | undefined): void => {
    if (peek().kind !== "indent") {
      throw malformedFile(path, header?.line, "invalid Python: expected an indented block after this line");
    }
  };
  const unrecordable = new Map<string, UnrecordableParam>();
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { kind: "end", text: "", line: 0 };

  /** The tokens of one logical line, up to (not including) its newline. */
  const lineTokens = (): Token[] => {
    const start = pos;
    while (peek().kind !== "newline" && peek().kind !== "end") pos++;
    const out = tokens.slice(start, pos);
    if (peek().kind === "newline") pos++;
    return out;
  };
  /** Skips an indented block (after a header's newline), if one follows. */
  const skipBlock = (): void => {
    if (peek().kind !== "indent") return;
    let level = 0;
    do {
      if (peek().kind === "indent") level++;
      if (peek().kind === "dedent") level--;
      pos++;
    } while (level > 0 && peek().kind !== "end");
  };

  const block = (target: ParamsObject, prefix: string, onlySelf: boolean): void => {
    for (;;) {
      const token = peek();
      if (token.kind === "end") return;
      if (token.kind === "dedent") {
        pos++;
        return;
      }
      if (token.kind === "newline") {
        pos++;
        continue;
      }
      if (token.kind === "indent") throw malformedFile(path, token.line, "invalid Python: unexpected indent");
      const line = lineTokens();
      const head = line[0];
      const isCompound = head?.kind === "name" && (COMPOUND.has(head.text) || isSoftCompound(line));
      if (head?.kind === "op" && head.text === "@") continue;
      if (head?.kind === "name" && (head.text === "class" || head.text === "def")) {
        const name = line[1]?.text ?? "";
        const colon = headerColon(line);
        const suite = line.slice(colon + 1);
        const body = (into: ParamsObject, bodyPrefix: string, bodyOnlySelf: boolean): void => {
          if (suite.length > 0) return simpleStatements(suite, into, bodyPrefix, bodyOnlySelf);
          indentedBlockAfter(head);
          pos++;
          block(into, bodyPrefix, bodyOnlySelf);
        };
        if (head.text === "class") {
          const members: ParamsObject = {};
          clearUnder(`${prefix}${name}`);
          body(members, `${prefix}${name}.`, false);
          target[name] = members;
        } else if (name === "__init__") {
          body(target, prefix, true);
        } else if (suite.length === 0) {
          indentedBlockAfter(head);
          skipBlock();
        }
        continue;
      }
      if (isCompound) {
        if (headerColon(line) === line.length - 1) {
          indentedBlockAfter(head);
          skipBlock();
        }
        continue;
      }
      simpleStatements(line, target, prefix, onlySelf);
    }
  };

  const clearUnder = (key: string): void => {
    for (const known of [...unrecordable.keys()]) {
      if (known === key || known.startsWith(`${key}.`)) unrecordable.delete(known);
    }
  };

  const simpleStatements = (line: Token[], target: ParamsObject, prefix: string, onlySelf: boolean): void => {
    for (const statement of splitTopLevel(line, ";")) {
      const assigned = assignment(statement, onlySelf);
      if (assigned === undefined) continue;
      let literal: Literal;
      try {
        literal = parseLiteral(assigned.value);
      } catch (error) {
        if (error instanceof NotLiteral) continue;
        throw error;
      }
      const key = `${prefix}${assigned.name}`;
      clearUnder(key);
      for (const found of literal.unrecordable) {
        unrecordable.set([key, ...found.path].join("."), { kind: found.kind, line: statement[0]?.line ?? 0 });
      }
      target[assigned.name] = literal.value;
    }
  };

  const values: ParamsObject = {};
  block(values, "", false);
  return { values, unrecordable };
}

/** `match x:` and `case y:` are statements only where they open a block; `match = 1` is an assignment. */
function isSoftCompound(line: readonly Token[]): boolean {
  const head = line[0]?.text;
  if (head !== "match" && head !== "case") return false;
  const last = line[line.length - 1];
  return last?.kind === "op" && last.text === ":" && splitTopLevel(line, "=").length === 1;
}

/** Index of the colon ending a compound statement's header (the first one outside brackets). */
function headerColon(line: readonly Token[]): number {
  let depth = 0;
  for (let k = 0; k < line.length; k++) {
    const token = line[k];
    if (token?.kind !== "op") continue;
    if ("([{".includes(token.text)) depth++;
    else if (")]}".includes(token.text)) depth--;
    else if (token.text === ":" && depth === 0) return k;
  }
  return line.length - 1;
}

function splitTopLevel(line: readonly Token[], separator: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of line) {
    if (token.kind === "op" && "([{".includes(token.text)) depth++;
    if (token.kind === "op" && ")]}".includes(token.text)) depth--;
    if (token.kind === "op" && token.text === separator && depth === 0) parts.push([]);
    else parts[parts.length - 1]?.push(token);
  }
  return parts.filter((part) => part.length > 0);
}

/**
 * The name and value tokens of `NAME = value`, `NAME: type = value` or `self.NAME = value`; undefined for
 * every other statement, as DVC's `_get_ast_name` rejects them (in an `__init__`, only `self.NAME`).
 */
function assignment(statement: Token[], onlySelf: boolean): { name: string; value: Token[] } | undefined {
  const parts = splitTopLevel(statement, "=");
  if (parts.length !== 2 || statement[statement.length - 1]?.text === "=") return undefined;
  const value = parts[1] ?? [];
  let target = parts[0] ?? [];
  const annotation = splitTopLevel(target, ":");
  if (annotation.length > 1) target = annotation[0] ?? [];
  if (target.length === 1 && target[0]?.kind === "name")
    return onlySelf ? undefined : { name: target[0].text, value };
  if (
    target.length === 3 &&
    target[0]?.kind === "name" &&
    target[0].text === "self" &&
    target[1]?.text === "." &&
    target[2]?.kind === "name"
  ) {
    return { name: target[2].text, value };
  }
  return undefined;
}
