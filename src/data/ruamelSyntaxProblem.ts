/**
 * What dvc's YAML parser (ruamel.yaml) says about a text that is not YAML: its MarkedYAMLError's context and
 * problem, each with the 1-based line and column of its mark, for the mistakes people make by hand. They are
 * worked out from the `yaml` parser's first error and the text, since FlowOps parses with that library; for a
 * mistake not recognised here there is no answer, and the caller words the parser's own error instead.
 */
import type { Document, LineCounter, YAMLError } from "yaml";
import { yamlLibrary } from "../yamlLibrary.js";
import { blockEndExpected } from "./ruamelBlockEnd.js";

/** A message with the place ruamel marks it at. */
export interface MarkedMessage {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export interface RuamelSyntaxProblem {
  readonly context?: MarkedMessage;
  readonly problem: MarkedMessage;
}

export interface Parsed {
  readonly text: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
}

/** ruamel's context and problem for the text whose parse failed with `doc.errors`, when it is one known here. */
export function ruamelSyntaxProblem(parsed: Parsed): RuamelSyntaxProblem | undefined {
  const [first, second] = parsed.doc.errors;
  if (first === undefined) return undefined;
  const at = (offset: number, message: string): MarkedMessage => {
    const pos = parsed.lineCounter.linePos(offset);
    return { message, line: pos.line, column: pos.col };
  };
  switch (first.code) {
    case "MISSING_CHAR":
      return unclosedQuote(parsed, first, at) ?? simpleKeyWithoutColon(parsed, first, second, at);
    case "DUPLICATE_KEY":
      return duplicateKey(parsed, first, at);
    case "TAB_AS_INDENT": {
      const lineStart = parsed.lineCounter.lineStarts[parsed.lineCounter.linePos(first.pos[0]).line - 1] ?? 0;
      const tab = parsed.text.indexOf("\t", lineStart);
      if (tab === -1) return undefined;
      return { problem: at(tab, "found character '\\t' that cannot start any token") };
    }
    case "BLOCK_AS_IMPLICIT_KEY":
      if (first.message.startsWith("Nested mappings")) return mappingValueHere(parsed, first, at);
      return first.message.startsWith("A block sequence") ? blockEndExpected(parsed, first) : undefined;
    case "BAD_INDENT":
      if (/^Flow (sequence|map) in block collection/.test(first.message)) return unclosedFlow(parsed, at);
      return first.message.startsWith("All mapping items") ? blockEndExpected(parsed, first) : undefined;
    case "UNEXPECTED_TOKEN":
      return first.message.startsWith("Unexpected scalar at node end")
        ? blockEndExpected(parsed, first)
        : undefined;
    case "BAD_SCALAR_START": {
      const char = parsed.text[first.pos[0]];
      if (char !== "@" && char !== "`") return undefined;
      return { problem: at(first.pos[0], `found character '${char}' that cannot start any token`) };
    }
    default:
      return undefined;
  }
}

export type At = (offset: number, message: string) => MarkedMessage;

/** Where ruamel's reader stands at the end of the text: past its last line break, or on its last line. */
function streamEnd(text: string, at: At, message: string): MarkedMessage {
  return at(text.length, message);
}

/** A quoted scalar that runs to the end of the text. */
function unclosedQuote(parsed: Parsed, error: YAMLError, at: At): RuamelSyntaxProblem | undefined {
  if (parsed.text.slice(error.pos[0]).trim() !== "") return undefined;
  const { Scalar, visit } = yamlLibrary();
  let open: number | undefined;
  visit(parsed.doc, {
    Scalar(_key, node) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (!quoted || node.range?.[1] !== error.pos[0]) return undefined;
      open = node.range[0];
      return visit.BREAK;
    },
  });
  if (open === undefined) return undefined;
  return {
    context: at(open, "while scanning a quoted scalar"),
    problem: streamEnd(parsed.text, at, "found unexpected end of stream"),
  };
}

/**
 * A line with no `key:` in a block mapping, such as a merge conflict's marker: ruamel scans it as a key and
 * fails where the next token starts.
 */
function simpleKeyWithoutColon(
  parsed: Parsed,
  error: YAMLError,
  second: YAMLError | undefined,
  at: At,
): RuamelSyntaxProblem | undefined {
  if (!error.message.startsWith("Implicit map keys need to be followed by map values")) return undefined;
  // Only a key alone at the start of the last line: ruamel then fails at the end of the stream.
  const start = parsed.lineCounter.linePos(error.pos[0]);
  if (second !== undefined || start.col !== 1 || parsed.text.slice(error.pos[1]).trim() !== "")
    return undefined;
  return {
    context: at(error.pos[0], "while scanning a simple key"),
    problem: streamEnd(parsed.text, at, "could not find expected ':'"),
  };
}

/** Python's `str()` of a value ruamel has constructed so far: collections are still empty then. */
function pythonStr(node: unknown): string | undefined {
  const { isMap, isScalar, isSeq } = yamlLibrary();
  if (isMap(node)) return "{}";
  if (isSeq(node)) return "[]";
  if (node === null || node === undefined) return "None";
  if (!isScalar(node)) return undefined;
  const value = node.value;
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isInteger(value)) return String(value);
  return undefined;
}

function duplicateKey(parsed: Parsed, error: YAMLError, at: At): RuamelSyntaxProblem | undefined {
  const { isMap, isScalar, visit } = yamlLibrary();
  let found: RuamelSyntaxProblem | undefined;
  visit(parsed.doc, {
    Map(_key, map) {
      const index = map.items.findIndex((pair) => isScalar(pair.key) && pair.key.range?.[0] === error.pos[0]);
      if (index === -1) return undefined;
      const pair = map.items[index];
      const key = isScalar(pair?.key) ? pair.key : undefined;
      const original = map.items
        .slice(0, index)
        .find((p) => isScalar(p.key) && key !== undefined && p.key.value === key.value);
      const value = pythonStr(pair?.value);
      const originalValue = pythonStr(original?.value);
      const start = isMap(map) && map.flow !== true ? map.items[0]?.key : map;
      const mapStart = (start as { range?: [number, number, number] } | null)?.range?.[0];
      if (key === undefined || value === undefined || originalValue === undefined || mapStart === undefined)
        return visit.BREAK;
      found = {
        context: at(mapStart, "while constructing a mapping"),
        problem: at(
          error.pos[0],
          `found duplicate key "${pythonStr(key) ?? ""}" with value "${value}" (original value: "${originalValue}")`,
        ),
      };
      return visit.BREAK;
    },
  });
  return found;
}

/** A `: ` inside a plain value, on its line or on a line that continues it: ruamel marks that colon. */
function mappingValueHere(parsed: Parsed, error: YAMLError, at: At): RuamelSyntaxProblem | undefined {
  const colon = /:(?=[ \t\r\n]|$)/.exec(parsed.text.slice(error.pos[0]));
  if (colon === null) return undefined;
  return { problem: at(error.pos[0] + colon.index, "mapping values are not allowed here") };
}

/** A `[` or `{` never closed: ruamel reaches the end of the stream looking for a node or for `,`/`]`. */
function unclosedFlow(parsed: Parsed, at: At): RuamelSyntaxProblem | undefined {
  const { visit } = yamlLibrary();
  let open: { start: number; items: number; seq: boolean } | undefined;
  const visitor = (
    _key: unknown,
    node: { flow?: boolean; range?: [number, number, number] | null; items: unknown[] },
  ) => {
    const start = node.range?.[0];
    if (node.flow !== true || start === undefined) return undefined;
    const body = parsed.text.slice(start).trimEnd();
    const closing = parsed.text[start] === "[" ? "]" : "}";
    if (body.includes(closing)) return undefined;
    if (open === undefined || start > open.start)
      open = { start, items: node.items.length, seq: closing === "]" };
    return undefined;
  };
  visit(parsed.doc, { Seq: visitor, Map: visitor });
  if (open === undefined) return undefined;
  const rest = parsed.text.slice(open.start + 1).trimEnd();
  if (rest.includes("#") || /["']/.test(rest)) return undefined;
  if (open.items === 0 || rest.endsWith(",")) {
    const end = streamEnd(parsed.text, at, "while parsing a flow node");
    return {
      context: end,
      problem: { ...end, message: "expected the node content, but found '<stream end>'" },
    };
  }
  const kind = open.seq ? "sequence" : "mapping";
  return {
    context: at(open.start, `while parsing a flow ${kind}`),
    problem: streamEnd(parsed.text, at, `expected ',' or '${open.seq ? "]" : "}"}', but got '<stream end>'`),
  };
}

/** An alias with no anchor before it, which the parser reports only when the value is built. */
export function undefinedAlias(parsed: Parsed, reason: string): RuamelSyntaxProblem | undefined {
  const name = /^Unresolved alias.*: (.+)$/.exec(reason)?.[1];
  if (name === undefined) return undefined;
  const { visit } = yamlLibrary();
  let offset: number | undefined;
  visit(parsed.doc, {
    Alias(_key, node) {
      if (node.source !== name) return undefined;
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  if (offset === undefined) return undefined;
  const pos = parsed.lineCounter.linePos(offset);
  return { problem: { message: `found undefined alias '${name}'`, line: pos.line, column: pos.col } };
}
