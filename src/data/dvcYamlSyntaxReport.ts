/**
 * What dvc prints, instead of an `ERROR:` line, for a `.dvc` file, dvc.yaml or dvc.lock that is not YAML: its
 * YAMLSyntaxError's `__pretty_exc__` (dvc/utils/strictyaml.py). A line naming the file, then ruamel's context
 * and problem, each "<Message>, in line L, column C" and followed by the source line it marks as rich draws it.
 * Where ruamel's words for the mistake are not known (ruamelSyntaxProblem.ts), the `yaml` parser's reason
 * takes the problem's place, at the same layout.
 */
import { isAbsolute, relative, sep } from "node:path";
import type { MarkedMessage, RuamelSyntaxProblem } from "./ruamelSyntaxProblem.js";
import { richCodeLine, richConsoleWidth, wrapWords } from "./richTextLayout.js";

/** The parts of a syntax error the report is drawn from. */
export interface DvcYamlSyntaxDetails {
  /** The file's path, absolute or relative to the cwd. */
  readonly file: string;
  readonly text: string;
  readonly problem: RuamelSyntaxProblem;
}

/** dvc's `make_relpath`: relative to the cwd, led by `./` unless it climbs out of it. */
function dvcRelPath(file: string, cwd: string): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  if (isAbsolute(rel)) return rel;
  return rel.startsWith("..") ? rel : `.${sep}${rel}`;
}

/** Python's `str.capitalize()`: the first character upper-cased, the rest lower-cased. */
function capitalize(text: string): string {
  const [head = "", ...rest] = [...text];
  return head.toUpperCase() + rest.join("").toLowerCase();
}

// Python's line boundaries include the file, group and record separators, control characters by design.
// eslint-disable-next-line no-control-regex
const PYTHON_LINE_BREAKS = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** Python's `str.splitlines()`. */
function splitLines(text: string): string[] {
  const lines = text.split(PYTHON_LINE_BREAKS);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

const MERGE_CONFLICT = /^([<=>]{7}) .*$/m;

/** The report's lines, each ending in a newline, for `details` read from `cwd`. */
export function dvcYamlSyntaxReport(
  details: DvcYamlSyntaxDetails,
  cwd: string,
  width = richConsoleWidth(),
): string {
  const source = splitLines(details.text);
  const message = (marked: MarkedMessage): string[] =>
    wrapWords(`${capitalize(marked.message)}, in line ${marked.line}, column ${marked.column}`, width);
  const code = (marked: MarkedMessage): string[] =>
    richCodeLine(source[marked.line - 1] ?? "", marked.line, width);
  const { context, problem } = details.problem;
  const lines: string[] = [];
  if (context !== undefined) {
    lines.push(...message(context));
    if (context.line !== problem.line || context.column !== problem.column) lines.push(...code(context), "");
  }
  lines.push(...message(problem), ...code(problem));
  const hint = MERGE_CONFLICT.test(details.text) ? " (possible merge conflicts)" : "";
  const head = wrapWords(`'${dvcRelPath(details.file, cwd)}' is invalid${hint}.`, width);
  return [...head, "", ...lines].map((line) => `${line}\n`).join("");
}
