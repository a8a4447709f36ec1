import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { patternToRegex } from "./gitignorePatternRegex.js";
import { checkIgnore, describePattern } from "./ignoreCheck.js";

describe("patternToRegex", () => {
  it("builds pathspec's regexes", () => {
    // Each expected string is what pathspec 1.1.1 prints, with Python's `(?P<` written `(?<`.
    expect(patternToRegex("*.log")).toEqual({ regex: "^(?:.+/)?[^/]*\\.log(?:(?<ps_d>/)|$)", include: true });
    expect(patternToRegex("data/")).toEqual({ regex: "^(?:.+/)?data(?<ps_d>/)", include: true });
    expect(patternToRegex("/build")).toEqual({ regex: "^build(?:(?<ps_d>/)|$)", include: true });
    expect(patternToRegex("!keep.log")).toEqual({
      regex: "^(?:.+/)?keep\\.log(?:(?<ps_d>/)|$)",
      include: false,
    });
    expect(patternToRegex("a/**/b")).toEqual({ regex: "^a(?:/.+)?/b(?:(?<ps_d>/)|$)", include: true });
    expect(patternToRegex("**")).toEqual({ regex: ".", include: true });
    expect(patternToRegex("[!a-c]?")).toEqual({
      regex: "^(?:.+/)?[^a-c][^/](?:(?<ps_d>/)|$)",
      include: true,
    });
  });

  it("drops what matches nothing: blanks, comments, `/`, an unclosed range", () => {
    for (const pattern of ["", "   ", "# note", "/", "a[b"]) expect(patternToRegex(pattern)).toBeUndefined();
  });
});

describe("checkIgnore", () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "flowops-check-ignore-"));
    await writeFile(join(root, ".dvcignore"), "# c\n*.log\nfoo*\n!keep.log\ndata/\n");
    await mkdir(join(root, "sub", "deep"), { recursive: true });
    await mkdir(join(root, "data"));
    await mkdir(join(root, "nested", ".dvc"), { recursive: true });
    await writeFile(join(root, "sub", ".dvcignore"), "x.txt\n!y.log\n/abs\n");
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const check = (target: string): [boolean, string[]] => {
    const [result] = checkIgnore(root, [target], root);
    return [result!.match, result!.patterns.map(describePattern)];
  };

  it("reports the rule dvc reports: the first exclude of the last group that matches", () => {
    // *.log and foo* form one group of excludes: dvc names the first of them that matches.
    expect(check("foo.log")).toEqual([true, [".dvcignore:2:*.log"]]);
    expect(check("foo.txt")).toEqual([true, [".dvcignore:3:foo*"]]);
    expect(check("keep.log")).toEqual([false, [".dvcignore:4:!keep.log"]]);
    expect(check("b.txt")).toEqual([false, []]);
  });

  it("applies a directory's rules below it, rebased, and a parent directory's exclusion", () => {
    expect(check("data/f")).toEqual([true, [".dvcignore:5:data/"]]);
    expect(check("sub/deep/x.txt")).toEqual([true, ["sub/.dvcignore:1:x.txt"]]);
    expect(check("sub/y.log")).toEqual([false, ["sub/.dvcignore:2:!y.log"]]);
    expect(check("sub/abs")).toEqual([true, ["sub/.dvcignore:3:/abs"]]);
    expect(check("sub/deep/abs")).toEqual([false, []]);
  });

  it("treats nested DVC repositories and the built-in names as dvc does", () => {
    expect(check("nested/q")).toEqual([true, ["in sub_repo:nested"]]);
    expect(check(".git")).toEqual([true, [":.git"]]);
    expect(check(".dvc/config")).toEqual([true, [":.dvc/"]]);
    expect(check("../elsewhere")).toEqual([false, []]);
  });
});
