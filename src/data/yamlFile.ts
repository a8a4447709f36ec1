/**
 * Reads the YAML files DVC and FlowOps share (`.dvc`, `dvc.yaml`, `dvc.lock`, params) so that every error
 * names the file, the line and what was expected. Parsing keeps the document's source ranges; callers
 * validate the plain value and ask `lineOf` for the line of the key or item that was wrong.
 */
import type { Document, LineCounter, SchemaOptions, YAMLError } from "yaml";
import { yamlLibrary } from "../yamlLibrary.js";
import { cachedYamlParse, type YamlValueCodec } from "./yamlParseCache.js";
import { readUtf8File } from "./utf8Text.js";
import { FlowOpsError } from "../errors.js";
import { ruamelSyntaxProblem, undefinedAlias, type RuamelSyntaxProblem } from "./ruamelSyntaxProblem.js";

export interface YamlFile {
  /** The path as given, for messages. */
  readonly path: string;
  /** The parsed value (plain JS: maps are objects, sequences arrays); undefined for an empty file. */
  readonly value: unknown;
  /** The 1-based line of the node at `keyPath` (object keys and array indices), or of its nearest parent. */
  lineOf(keyPath: readonly (string | number)[]): number;
  /** The 1-based column of the same node; absent where the parse cache holds no columns. */
  columnOf?(keyPath: readonly (string | number)[]): number;
  /** The text parsed, when it was read from a file by readYamlFile. */
  readonly text?: string;
}

/** A malformed-file error: `file:line: message`, with INVALID_PARAMETER_VALUE so the CLI exits 1. */
export function malformedFile(path: string, line: number | undefined, message: string): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${path}${line === undefined ? "" : `:${line}`}: ${message}`,
  );
}

/**
 * A text that is not YAML, with where the parser stopped: the message reads as every malformed file's does,
 * and readers of files with a wording of their own (dvc's, in data/dvcFileErrors.ts) build theirs from the parts.
 */
export class YamlSyntaxError extends FlowOpsError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly reason: string,
    /** The text and ruamel's account of the mistake, for dvc's report of it (data/dvcYamlSyntaxReport.ts). */
    readonly ruamel?: { readonly text: string; readonly problem: RuamelSyntaxProblem },
  ) {
    super("INVALID_PARAMETER_VALUE", malformedFile(file, line, `invalid YAML: ${reason}`).message);
  }
}

/** Past this many, a file's problems are counted rather than listed: the first few are enough to start on. */
const MAX_LISTED_PROBLEMS = 5;

/**
 * Several problems of one file as one error, a `file:line: message` line each in the order of their lines,
 * so that one run shows what to fix (DVC reports every schema error too).
 */
export function malformedFileProblems(
  path: string,
  problems: readonly { line: number; message: string }[],
): FlowOpsError {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  const lines = sorted.slice(0, MAX_LISTED_PROBLEMS).map((p) => `${path}:${p.line}: ${p.message}`);
  const more = sorted.length - MAX_LISTED_PROBLEMS;
  if (more > 0) lines.push(`(and ${more} more problem${more === 1 ? "" : "s"})`);
  return new FlowOpsError("INVALID_PARAMETER_VALUE", lines.join("\n"));
}

/** A key path as a reader would write it: `strategy.canary.steps[2].setWeight`; "the file" when empty. */
export function describeKeyPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "the file";
  return path
    .map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`))
    .join("")
    .replace(/^\./, "");
}

/** The part of a schema problem a YAML reader reports: where it is, which unknown keys, what was wrong. */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly keys?: readonly string[];
}

/**
 * The first problem a schema (zod) found in the value at `basePath` of `yaml`, as `file:line: path: message`;
 * an unknown key is reported at its own line as `unknown key 'k' in path`.
 */
export function schemaProblem(
  yaml: YamlFile,
  issues: readonly SchemaIssue[],
  basePath: readonly (string | number)[] = [],
): FlowOpsError {
  const issue = issues[0];
  if (issue === undefined) return malformedFile(yaml.path, yaml.lineOf(basePath), "invalid value");
  const path = [...basePath, ...issue.path.filter((k): k is string | number => typeof k !== "symbol")];
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys?.[0] ?? "";
    return malformedFile(
      yaml.path,
      yaml.lineOf([...path, key]),
      `unknown key '${key}' in ${describeKeyPath(path)}`,
    );
  }
  return malformedFile(yaml.path, yaml.lineOf(path), `${describeKeyPath(path)}: ${issue.message}`);
}

export async function readYamlFile(path: string): Promise<YamlFile> {
  let text: string;
  try {
    text = await readUtf8File(path);
  } catch (error) {
    if (error instanceof FlowOpsError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `${path}: file not found`);
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${path}: cannot read: ${String(error)}`, {
      cause: error,
    });
  }
  return { ...parseYamlText(path, text), text };
}

/** Parses YAML text; a syntax error becomes `path:line: <what the parser expected>`. */
export function parseYamlText(path: string, text: string): YamlFile {
  return parseYamlDocument(path, text, { flavour: "yaml" });
}

/**
 * The one YAML reader behind parseYamlText and Python-flavoured parsing: repeated keys are errors (as in DVC's
 * ruamel) instead of the last one silently winning, and parses are cached (yamlParseCache.ts).
 */
export function parseYamlDocument(
  path: string,
  text: string,
  settings: { flavour: string; customTags?: TagsOption; codec?: YamlValueCodec },
): YamlFile {
  const parse = (): YamlFile => {
    const { LineCounter, parseDocument } = yamlLibrary();
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, {
      lineCounter,
      uniqueKeys: true,
      prettyErrors: false,
      ...(settings.customTags === undefined ? {} : { customTags: settings.customTags }),
    });
    if (doc.errors.length > 0)
      throw withRuamelProblem(syntaxError(path, text, doc, lineCounter), text, doc, lineCounter);
    return {
      path,
      value: documentValue(path, text, doc, lineCounter),
      lineOf: (keyPath) => lineCounter.linePos(nodeOffset(doc, keyPath)).line,
      columnOf: (keyPath) => lineCounter.linePos(nodeOffset(doc, keyPath)).col,
    };
  };
  return cachedYamlParse(path, text, settings.flavour, parse, settings.codec);
}

type TagsOption = NonNullable<SchemaOptions["customTags"]>;

/**
 * The document as plain values. Aliases are expanded with the parser's limit on expansion, so that a
 * "billion laughs" file (anchors of aliases of anchors) fails at once instead of filling memory; the parser
 * signals that with a ReferenceError, which would otherwise reach the user without the file's name.
 */
function documentValue(path: string, text: string, doc: Document, lineCounter: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? undefined;
  } catch (error) {
    const at = firstAliasPosition(doc, lineCounter);
    const reason = error instanceof Error ? error.message : String(error);
    const undefinedAt = undefinedAlias({ text, doc, lineCounter }, reason);
    if (undefinedAt !== undefined) {
      const { line, column, message } = undefinedAt.problem;
      throw new YamlSyntaxError(path, line, column, message, { text, problem: undefinedAt });
    }
    throw new YamlSyntaxError(
      path,
      at?.line,
      at?.col,
      `aliases expand too far (${reason}); is it an alias bomb?`,
    );
  }
}

/** The parser's default; a DVC file has no reason to come near it. */
const MAX_ALIAS_COUNT = 100;

function firstAliasPosition(
  doc: Document,
  lineCounter: LineCounter,
): { line: number; col: number } | undefined {
  const { visit } = yamlLibrary();
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset === undefined ? undefined : lineCounter.linePos(offset);
}

/**
 * The parser's first error, at the line a reader has to fix; the parser's own position is elsewhere for
 * two common mistakes. An unclosed quote is reported where the string ends, usually the end of the file;
 * the line to fix is where it opens. An over-indented `key:` line continues the value on the line above,
 * which its ':' then turns into a key spanning both lines: the parser first blames the line above ("nested
 * mappings are not allowed in compact mappings"), then reports that key, whose end is the ':' of the
 * culprit line (where DVC's ruamel points too).
 */
function syntaxError(path: string, text: string, doc: Document, lineCounter: LineCounter): YamlSyntaxError {
  const line = (offset: number): number => lineCounter.linePos(offset).line;
  const failAt = (offset: number, reason: string): YamlSyntaxError => {
    const at = lineCounter.linePos(offset);
    return new YamlSyntaxError(path, at.line, at.col, reason);
  };
  const keyOverLines = (e: YAMLError | undefined): boolean =>
    e?.code === "MULTILINE_IMPLICIT_KEY" && line(e.pos[0]) < line(e.pos[1]);
  const [first, second] = doc.errors;
  const error = first?.code === "BLOCK_AS_IMPLICIT_KEY" && keyOverLines(second) ? second : first;
  if (error === undefined)
    return new YamlSyntaxError(path, undefined, undefined, "the parser gave no reason");
  const [start, end] = error.pos;
  if (keyOverLines(error)) {
    const above = line(start);
    return failAt(
      end,
      `mapping values are not allowed here; this line continues the text of line ${above} ` +
        `(is it indented too far, or is a ':' missing on line ${above}?)`,
    );
  }
  const quoted = error.code === "MISSING_CHAR" ? unclosedQuoteAt(doc, start) : undefined;
  if (quoted !== undefined) {
    const runsTo = text.slice(start).trim() === "" ? "to the end of the file" : `on to line ${line(start)}`;
    return failAt(
      quoted.offset,
      `missing closing quote (the string that starts here with ${quoted.quote} runs ${runsTo})`,
    );
  }
  // The parser leaves out which key: dvc's ruamel names it ("found duplicate key"), and so do we.
  const key = error.code === "DUPLICATE_KEY" ? keyAt(doc, start) : undefined;
  if (key !== undefined)
    return failAt(start, `found duplicate key ${JSON.stringify(key)} (keys must be unique)`);
  return failAt(start, error.message.split("\n")[0] ?? error.code);
}

/** `error` with ruamel's account of the mistake, or the parser's own reason at its place where ruamel's is not known. */
function withRuamelProblem(
  error: YamlSyntaxError,
  text: string,
  doc: Document,
  lineCounter: LineCounter,
): YamlSyntaxError {
  const problem = ruamelSyntaxProblem({ text, doc, lineCounter }) ?? {
    problem: { message: error.reason, line: error.line ?? 1, column: error.column ?? 1 },
  };
  return new YamlSyntaxError(error.file, error.line, error.column, error.reason, { text, problem });
}

/** The text of the scalar key that starts at `offset`, if one does. */
function keyAt(doc: Document, offset: number): string | undefined {
  const { isScalar, visit } = yamlLibrary();
  let found: string | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      found = String(pair.key.value);
      return visit.BREAK;
    },
  });
  return found;
}

/** The opening quote of the quoted scalar that the parser found unclosed at `end`, if that is the error. */
function unclosedQuoteAt(doc: Document, end: number): { offset: number; quote: string } | undefined {
  const { Scalar, visit } = yamlLibrary();
  let found: { offset: number; quote: string } | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const quote =
        node.type === Scalar.QUOTE_DOUBLE ? '"' : node.type === Scalar.QUOTE_SINGLE ? "'" : undefined;
      if (quote === undefined || node.range?.[1] !== end) return undefined;
      found = { offset: node.range[0], quote };
      return visit.BREAK;
    },
  });
  return found;
}

/** The offset of the node at `keyPath`, or of its nearest parent that exists. */
function nodeOffset(doc: Document, keyPath: readonly (string | number)[]): number {
  const { isMap, isSeq } = yamlLibrary();
  let node: unknown = doc.contents;
  let offset = 0;
  const rangeStart = (n: unknown): number | undefined =>
    (n as { range?: [number, number, number] } | null)?.range?.[0];
  offset = rangeStart(node) ?? 0;
  for (const key of keyPath) {
    if (isMap(node)) {
      const pair = node.items.find((item) => {
        const k = item.key as { value?: unknown } | null;
        return k !== null && typeof k === "object" && String(k.value) === String(key);
      });
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}
