import { describe, expect, it } from "vitest";
import { stageNameGlob } from "./stageNameGlob.js";

// Expected values are Python's fnmatch.fnmatchcase(name, pattern).
const cases: [pattern: string, name: string, matches: boolean][] = [
  ["train-*", "train-1", true],
  ["train-*", "train-", true],
  ["train-*", "xtrain-1", false],
  ["*", "fit@a", true],
  ["fit@*", "fit@a", true],
  ["a/*", "a/b/c", true],
  ["eval?", "eval1", true],
  ["eval?", "eval", false],
  ["eval?", "eval12", false],
  ["s[12]", "s1", true],
  ["s[12]", "s3", false],
  ["s[!12]", "s3", true],
  ["s[!12]", "s1", false],
  ["s[a-c]", "sb", true],
  ["s[]]", "s]", true],
  ["s[!]]", "sx", true],
  ["s[", "s[", true],
  ["s[x", "s[x", true],
  ["a.b", "axb", false],
  ["a+b", "a+b", true],
  ["(x)", "(x)", true],
  ["[\\]", "\\", true],
  ["x^y", "x^y", true],
];

describe("stageNameGlob", () => {
  it.each(cases)("%s against %s is %s, as Python's fnmatch", (pattern, name, matches) => {
    expect(stageNameGlob(pattern).test(name)).toBe(matches);
  });

  it("refuses a set that makes no pattern, naming it", () => {
    expect(() => stageNameGlob("s[z-a]")).toThrow("'s[z-a]' is not a valid pattern");
  });
});
