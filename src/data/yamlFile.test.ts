import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { malformedFileProblems, parseYamlText } from "./yamlFile.js";

const errorOf = (text: string): string => {
  try {
    parseYamlText("dvc.yaml", text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("parsed without error");
};

describe("parseYamlText syntax errors", () => {
  it("names an over-indented key line, not the line above it that the parser blames first", () => {
    const text = "stages:\n  a:\n    cmd: echo a > a.txt\n     outs:\n      - a.txt\n";
    expect(errorOf(text)).toBe(
      "dvc.yaml:4: invalid YAML: mapping values are not allowed here; this line continues the text of " +
        "line 3 (is it indented too far, or is a ':' missing on line 3?)",
    );
  });

  it("names the line after a key without its ':'", () => {
    expect(errorOf("stages:\n  a:\n    cmd x\n    deps: [y]\n")).toMatch(/^dvc\.yaml:4: .*missing on line 3/);
  });

  it("names the line where an unclosed quote opens, not the end of the file", () => {
    const text =
      'stages:\n  ok:\n    cmd: echo ok\n  a:\n    cmd: "echo a\n    deps: [x]\n  b:\n    cmd: echo b\n';
    expect(errorOf(text)).toBe(
      'dvc.yaml:5: invalid YAML: missing closing quote (the string that starts here with " runs to the end of the file)',
    );
    expect(errorOf("stages:\n  'a:\n    cmd: x\n")).toMatch(/^dvc\.yaml:2: .*missing closing quote.* with '/);
  });

  it("keeps the parser's own line and words for other mistakes", () => {
    expect(errorOf("stages:\n  a:\n    cmd: x\n   outs: [y]\n")).toBe(
      "dvc.yaml:4: invalid YAML: All mapping items must start at the same column",
    );
    expect(errorOf("stages:\n  a:\n    cmd: x\n  - b\n")).toBe(
      "dvc.yaml:4: invalid YAML: A block sequence may not be used as an implicit map key",
    );
  });
});

describe("malformedFileProblems", () => {
  it("lists each problem at its line, in the order of the lines", () => {
    const error = malformedFileProblems("dvc.yaml", [
      { line: 7, message: "second" },
      { line: 4, message: "first" },
    ]);
    expect(error.message).toBe("dvc.yaml:4: first\ndvc.yaml:7: second");
  });

  it("counts the problems past the first five instead of listing them", () => {
    const problems = [1, 2, 3, 4, 5, 6, 7].map((line) => ({ line, message: `p${line}` }));
    const lines = malformedFileProblems("f.yaml", problems).message.split("\n");
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toBe("(and 2 more problems)");
  });
});

// Regression: the parser's ReferenceError ("Excessive alias count ...") reached the user without the file.
describe("parseYamlText alias bombs", () => {
  it("refuses a billion-laughs document at once, naming the file and the first alias's line", () => {
    const lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i <= 8; i++)
      lines.push(
        `l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(", ")}]`,
      );
    const error = (() => {
      try {
        parseYamlText("dvc.lock", `${lines.join("\n")}\n`);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as Error).message).toMatch(/^dvc\.lock:2: invalid YAML: aliases expand too far/);
  });

  it("still expands a few aliases", () => {
    expect(parseYamlText("params.yaml", "base: &b {lr: 1}\ntrain: *b\n").value).toEqual({
      base: { lr: 1 },
      train: { lr: 1 },
    });
  });
});
