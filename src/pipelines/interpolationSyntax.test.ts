import { describe, expect, it } from "vitest";
import { expressionSyntaxError } from "./interpolationSyntax.js";
import { checkExpressions } from "./interpolation.js";

// Each expected text is what dvc 3.67.1's parse_expr raised for the expression (colours stripped).
describe("expressionSyntaxError", () => {
  it.each([
    ["a[", "${a[}\n   ^\nParseException: Expected end of text, found '['  (at char 3), (line:1, col:4)"],
    ["", "${}\n  ^\nParseException: Expected !W:(.[]), found '}'  (at char 2), (line:1, col:3)"],
    [".a", "${.a}\n  ^\nParseException: Expected !W:(.[]), found '.'  (at char 2), (line:1, col:3)"],
    [
      "a.b.",
      "${a.b.}\n     ^\nParseException: Expected end of text, found '.'  (at char 5), (line:1, col:6)",
    ],
    [
      "a[b]c",
      "${a[b]c}\n      ^\nParseException: Expected end of text, found 'c'  (at char 6), (line:1, col:7)",
    ],
    [
      "a[b.c]",
      "${a[b.c]}\n   ^\nParseException: Expected end of text, found '['  (at char 3), (line:1, col:4)",
    ],
    [
      "a[b][",
      "${a[b][}\n      ^\nParseException: Expected end of text, found '['  (at char 6), (line:1, col:7)",
    ],
  ])("reports %j as dvc does", (inner, expected) => {
    expect(expressionSyntaxError(inner)).toBe(expected);
  });

  it.each(["a", "a b", " ", "a.b[0].c", "a[b][c]"])("accepts %j", (inner) => {
    expect(expressionSyntaxError(inner)).toBeUndefined();
  });

  it("is the message checkExpressions throws", () => {
    expect(() => checkExpressions({ cmd: "echo ${a..b}" })).toThrow(
      "${a..b}\n   ^\nParseException: Expected end of text, found '.'  (at char 3), (line:1, col:4)",
    );
  });
});
