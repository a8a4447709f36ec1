import { describe, expect, it } from "vitest";
import { dvcYamlSyntaxReport } from "./dvcYamlSyntaxReport.js";
import { parseYamlText, YamlSyntaxError } from "./yamlFile.js";

/**
 * (mistake, dvc.yaml's text, what dvc 3.67.1 prints for it): recorded from dvc's YAMLSyntaxError report
 * (`dvc status` in a repository whose dvc.yaml is the text, stderr not a terminal, so 80 columns).
 */
const RECORDED: [string, string, string][] = [
  [
    "unclosed-dq",
    'stages:\n  a:\n    cmd: "echo a\n    outs:\n    - a.txt\n',
    "'./dvc.yaml' is invalid.\n\nWhile scanning a quoted scalar, in line 3, column 10\n  3 │   cmd: \"echo a                                                            \n\nFound unexpected end of stream, in line 6, column 1\n  6                                                                             \n",
  ],
  [
    "unclosed-sq",
    "stages:\n  a:\n    cmd: 'echo a\n    outs:\n    - a.txt\n",
    "'./dvc.yaml' is invalid.\n\nWhile scanning a quoted scalar, in line 3, column 10\n  3 │   cmd: 'echo a                                                            \n\nFound unexpected end of stream, in line 6, column 1\n  6                                                                             \n",
  ],
  [
    "overindent",
    "stages:\n  a:\n    cmd: echo a\n      outs: x\n",
    "'./dvc.yaml' is invalid.\n\nMapping values are not allowed here, in line 4, column 11\n  4 │     outs: x                                                               \n",
  ],
  [
    "dupkey",
    "stages:\n  a:\n    cmd: echo a\n    cmd: echo b\n",
    '\'./dvc.yaml\' is invalid.\n\nWhile constructing a mapping, in line 3, column 5\n  3 │   cmd: echo a                                                             \n\nFound duplicate key "cmd" with value "echo b" (original value: "echo a"), in \nline 4, column 5\n  4 │   cmd: echo b                                                             \n',
  ],
  [
    "tab",
    "stages:\n\ta:\n    cmd: echo a\n",
    "'./dvc.yaml' is invalid.\n\nFound character '\\t' that cannot start any token, in line 2, column 1\n  2 │   a:                                                                      \n",
  ],
  [
    "flowseq",
    "outs:\n- md5: [\n",
    "'./dvc.yaml' is invalid.\n\nWhile parsing a flow node, in line 3, column 1\nExpected the node content, but found '<stream end>', in line 3, column 1\n  3                                                                             \n",
  ],
  [
    "lockflow",
    'schema: "2.0"\nstages: [\n',
    "'./dvc.yaml' is invalid.\n\nWhile parsing a flow node, in line 3, column 1\nExpected the node content, but found '<stream end>', in line 3, column 1\n  3                                                                             \n",
  ],
  [
    "underindent",
    "stages:\n  a:\n    cmd: echo a\n   outs:\n    - a.txt\n",
    "'./dvc.yaml' is invalid.\n\nWhile parsing a block mapping, in line 2, column 3\n  2   a:                                                                        \n\nExpected <block end>, but found '<block mapping start>', in line 4, column 4\n  4    outs:                                                                    \n",
  ],
  [
    "seq-in-map",
    "stages:\n  a:\n    cmd: echo a\n  - b\n",
    "'./dvc.yaml' is invalid.\n\nWhile parsing a block mapping, in line 2, column 3\n  2   a:                                                                        \n\nExpected <block end>, but found '-', in line 4, column 3\n  4   - b                                                                       \n",
  ],
  [
    "dup-dvc",
    "outs:\n- md5: abc\n  path: x.txt\n  path: y.txt\n",
    '\'./dvc.yaml\' is invalid.\n\nWhile constructing a mapping, in line 2, column 3\n  2 - md5: abc                                                                  \n\nFound duplicate key "path" with value "y.txt" (original value: "x.txt"), in line\n4, column 3\n  4   path: y.txt                                                               \n',
  ],
  [
    "after-quote",
    'stages:\n  a:\n    cmd: "echo a"x\n',
    "'./dvc.yaml' is invalid.\n\nWhile parsing a block mapping, in line 3, column 5\n  3 │   cmd: \"echo a\"x                                                          \n\nExpected <block end>, but found '<scalar>', in line 3, column 18\n  3 │   cmd: \"echo a\"x                                                          \n",
  ],
  [
    "unclosed-flow-inline",
    "stages:\n  a:\n    cmd: echo a\n    outs: [a.txt\n",
    "'./dvc.yaml' is invalid.\n\nWhile parsing a flow sequence, in line 4, column 11\n  4 │   outs: [a.txt                                                            \n\nExpected ',' or ']', but got '<stream end>', in line 5, column 1\n  5                                                                             \n",
  ],
  [
    "at",
    "stages:\n  a:\n    cmd: @echo\n",
    "'./dvc.yaml' is invalid.\n\nFound character '@' that cannot start any token, in line 3, column 10\n  3 │   cmd: @echo                                                              \n",
  ],
  [
    "colon",
    "stages:\n  a:\n    cmd: echo a: b\n",
    "'./dvc.yaml' is invalid.\n\nMapping values are not allowed here, in line 3, column 16\n  3 │   cmd: echo a: b                                                          \n",
  ],
  [
    "tab-indent",
    "stages:\n  a:\n    cmd: echo a\n\touts: x\n",
    "'./dvc.yaml' is invalid.\n\nFound character '\\t' that cannot start any token, in line 4, column 1\n  4 │   outs: x                                                                 \n",
  ],
  [
    "merge",
    "stages:\n  a:\n    cmd: echo a\n<<<<<<< HEAD\n",
    "'./dvc.yaml' is invalid (possible merge conflicts).\n\nWhile scanning a simple key, in line 4, column 1\n  4 <<<<<<< HEAD                                                                \n\nCould not find expected ':', in line 5, column 1\n  5                                                                             \n",
  ],
  [
    "alias",
    "stages:\n  a: &x\n    cmd: *y\n",
    "'./dvc.yaml' is invalid.\n\nFound undefined alias 'y', in line 3, column 10\n  3 │   cmd: *y                                                                 \n",
  ],
  [
    "under-after-seq",
    "stages:\n  a:\n    cmd: echo a\n    deps:\n    - x\n   outs:\n    - a.txt\n",
    "'./dvc.yaml' is invalid.\n\nWhile parsing a block mapping, in line 2, column 3\n  2   a:                                                                        \n\nExpected <block end>, but found '<block mapping start>', in line 6, column 4\n  6    outs:                                                                    \n",
  ],
  [
    "two-stages",
    "stages:\n  a:\n    cmd: echo a\n    outs:\n    - a.txt\n  b:\n   cmd: echo b\n    outs: [b]\n",
    "'./dvc.yaml' is invalid.\n\nMapping values are not allowed here, in line 8, column 9\n  8 │   outs: [b]                                                               \n",
  ],
  [
    "flow-comma",
    "stages:\n  a:\n    cmd: echo a\n    outs: [a.txt, \n",
    "'./dvc.yaml' is invalid.\n\nWhile parsing a flow node, in line 5, column 1\nExpected the node content, but found '<stream end>', in line 5, column 1\n  5                                                                             \n",
  ],
  [
    "flow-map",
    "stages:\n  a:\n    cmd: echo a\n    params: {a: 1\n",
    "'./dvc.yaml' is invalid.\n\nWhile parsing a flow mapping, in line 4, column 13\n  4 │   params: {a: 1                                                           \n\nExpected ',' or '}', but got '<stream end>', in line 5, column 1\n  5                                                                             \n",
  ],
  [
    "dup-list",
    "stages:\n  a:\n    cmd: echo a\n    deps:\n      - a\n      - b\n    deps:\n      - c\n",
    '\'./dvc.yaml\' is invalid.\n\nWhile constructing a mapping, in line 3, column 5\n  3 │   cmd: echo a                                                             \n\nFound duplicate key "deps" with value "[]" (original value: "[]"), in line 7, \ncolumn 5\n  7 │   deps:                                                                   \n',
  ],
  [
    "after-quote2",
    'stages:\n  a:\n    cmd: "echo a"\n    cmd2: "b" c d\n',
    "'./dvc.yaml' is invalid.\n\nWhile parsing a block mapping, in line 3, column 5\n  3 │   cmd: \"echo a\"                                                           \n\nExpected <block end>, but found '<scalar>', in line 4, column 15\n  4 │   cmd2: \"b\" c d                                                           \n",
  ],
];

function reportOf(text: string): string {
  try {
    parseYamlText("/repo/dvc.yaml", text);
  } catch (error) {
    if (!(error instanceof YamlSyntaxError) || error.ruamel === undefined) throw error;
    return dvcYamlSyntaxReport({ file: error.file, ...error.ruamel }, "/repo", 80);
  }
  throw new Error("parsed");
}

describe("dvc's report of a dvc file that is not YAML", () => {
  it.each(RECORDED)("%s: as dvc prints it", (_mistake, text, printed) => {
    expect(reportOf(text)).toBe(printed);
  });

  it("names a file above the cwd without ./ and one below it with ./", () => {
    const problem = { problem: { message: "x", line: 1, column: 1 } };
    expect(dvcYamlSyntaxReport({ file: "/repo/dvc.yaml", text: "a\n", problem }, "/repo/sub", 80)).toMatch(
      /^'\.\.\/dvc\.yaml' is invalid\.\n/,
    );
    expect(dvcYamlSyntaxReport({ file: "/repo/d/x.dvc", text: "a\n", problem }, "/repo", 80)).toMatch(
      /^'\.\/d\/x\.dvc' is invalid\.\n/,
    );
  });

  // Recorded from rich 15: Console(width=40).print(dvc's _prepare_code_snippets("cmd: " + "word " * 20, 1)).
  it("wraps a long source line under its number as rich does", () => {
    const problem = { problem: { message: "x", line: 1, column: 1 } };
    const text = `cmd: ${"word ".repeat(20)}\n`;
    const lines = dvcYamlSyntaxReport({ file: "/repo/dvc.yaml", text, problem }, "/repo", 40).split("\n");
    expect(lines.slice(3, 6)).toEqual([
      "  1 cmd: word word word word word word  ",
      "    word word word word word word word  ",
      "    word word word word word word word  ",
    ]);
  });
});
