/**
 * ruamel's ParserError for a line that leaves a block mapping at the wrong indentation (a key or `-` indented
 * less than its siblings but more than its parent's), or that goes on after a value: "while parsing a block
 * mapping" at the first key of the mapping the parser was in, "expected <block end>, but found '<token>'" at
 * the line. The mapping is found from the indentation of the lines above, as ruamel's scanner tracks it; a
 * sequence item among them (`- key:`) is not followed, and gives no answer.
 */
import type { YAMLError } from "yaml";
import type { Parsed, RuamelSyntaxProblem } from "./ruamelSyntaxProblem.js";

interface SourceLine {
  readonly indent: number;
  readonly content: string;
}

function sourceLines(text: string): (SourceLine | undefined)[] {
  return text.split("\n").map((line) => {
    const content = line.trimStart();
    if (content === "" || content.startsWith("#")) return undefined;
    return { indent: line.length - content.length, content };
  });
}

/** ruamel's error at the line of `error`, when the lines above it are plain `key:` lines. */
export function blockEndExpected(parsed: Parsed, error: YAMLError): RuamelSyntaxProblem | undefined {
  const pos = parsed.lineCounter.linePos(error.pos[0]);
  const lines = sourceLines(parsed.text);
  const bad = lines[pos.line - 1];
  if (bad === undefined) return undefined;
  const scalarAfterValue = error.code === "UNEXPECTED_TOKEN";
  const found = scalarAfterValue
    ? "'<scalar>'"
    : /^-( |$)/.test(bad.content)
      ? "-"
      : /^[^\s#'"[{][^#]*?:( |$)/.test(bad.content)
        ? "'<block mapping start>'"
        : undefined;
  if (found === undefined) return undefined;
  // The mappings still open at the line: the chain of lines above, each indented less than the one below.
  let mapIndent: number | undefined;
  let mapLine: number | undefined;
  let below = Number.POSITIVE_INFINITY;
  for (let index = scalarAfterValue ? pos.line - 1 : pos.line - 2; index >= 0; index -= 1) {
    const line = lines[index];
    if (line === undefined) continue;
    if (mapIndent === undefined) {
      if (line.indent >= below) continue;
      below = line.indent;
      if (line.indent > bad.indent) continue;
      if (line.content.startsWith("-")) return undefined;
      [mapIndent, mapLine] = [line.indent, index];
    } else if (line.indent === mapIndent) {
      if (line.content.startsWith("-")) return undefined;
      mapLine = index;
    } else if (line.indent < mapIndent) {
      break;
    }
  }
  if (mapIndent === undefined || mapLine === undefined) return undefined;
  if (found !== "-" && !scalarAfterValue && mapIndent === bad.indent) return undefined;
  const token = found === "-" ? (bad.indent === mapIndent ? "'-'" : "'<block sequence start>'") : found;
  return {
    context: { message: "while parsing a block mapping", line: mapLine + 1, column: mapIndent + 1 },
    problem: {
      message: `expected <block end>, but found ${token}`,
      line: pos.line,
      column: scalarAfterValue ? pos.col : bad.indent + 1,
    },
  };
}
