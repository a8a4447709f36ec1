import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readWorkspacePipelines } from "./pipelineFiles.js";
import { resolveReproTargets, resolveStatusTargets, type StatusSelection } from "./statusTargets.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-status-targets-"));
  // `eval` is a stage name and also the output of `score`: dvc prefers the stage name.
  await writeFile(
    join(dir, "dvc.yaml"),
    `stages:
  eval:
    cmd: echo e > e.txt
    outs:
    - e.txt
  score:
    cmd: echo s > eval
    deps:
    - e.txt
    outs:
    - eval
  fit:
    foreach: [a, b]
    do:
      cmd: echo \${item} > fit-\${item}.txt
      outs:
      - fit-\${item}.txt
`,
  );
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function resolveNames(targets: string[], withDeps = false): Promise<string[]> {
  const pipeline = await readWorkspacePipelines(dir);
  const selections = resolveStatusTargets({ root: dir, cwd: dir, pipeline, tracked: [] }, targets, withDeps);
  return selections.map((s: StatusSelection) =>
    s.kind === "stage" ? `${s.stage.name}${s.filter === undefined ? "" : " (filtered)"}` : "tracked",
  );
}

describe("resolveStatusTargets", () => {
  it("with recursive, selects the stages and .dvc files defined inside a directory target", async () => {
    await mkdir(join(dir, "sub", "deeper"), { recursive: true });
    await writeFile(
      join(dir, "sub", "dvc.yaml"),
      "stages:\n  s1:\n    cmd: echo s > s.txt\n    outs:\n    - s.txt\n",
    );
    await mkdir(join(dir, "empty"));
    const pipeline = await readWorkspacePipelines(dir);
    const inner = join(dir, "sub", "deeper", "x.txt.dvc");
    const tracked = [{ dvcFile: inner, abs: join(dir, "sub", "deeper", "x.txt") }] as never[];
    const sources = { root: dir, cwd: dir, pipeline, tracked };
    const names = (targets: string[], recursive: boolean): string[] =>
      resolveStatusTargets(sources, targets, false, recursive).map((s: StatusSelection) =>
        s.kind === "stage" ? s.stage.name : `tracked ${s.outs.length}`,
      );
    expect(names(["sub"], true)).toEqual(["sub/dvc.yaml:s1", "tracked 1"]);
    expect(names(["."], true)).toEqual(["eval", "score", "fit@a", "fit@b", "sub/dvc.yaml:s1", "tracked 1"]);
    expect(names(["empty"], true)).toEqual([]);
    // Not a directory: resolved as without recursive.
    expect(names(["score"], true)).toEqual(["score"]);
    // Without recursive a directory is an output path, and this one is nobody's.
    expect(() => names(["empty"], false)).toThrow(/'empty' does not exist as an output or a stage name/);
  });

  it("prefers a stage name over an output path of the same name", async () => {
    expect(await resolveNames(["eval"])).toEqual(["eval"]);
  });

  it("selects every stage generated from a foreach group", async () => {
    expect(await resolveNames(["fit"])).toEqual(["fit@a", "fit@b"]);
  });

  it("selects an output's stage with a filter and without its upstream", async () => {
    expect(await resolveNames(["fit-b.txt"])).toEqual(["fit@b (filtered)"]);
    expect(await resolveNames([join(dir, "e.txt")], true)).toEqual(["eval (filtered)"]);
  });

  it("adds upstream stages once per target, upstream first, with withDeps", async () => {
    expect(await resolveNames(["score"], true)).toEqual(["eval", "score"]);
    expect(await resolveNames(["dvc.yaml"], true)).toEqual(["eval", "score", "fit@a", "fit@b"]);
  });

  // dvc 3.67.1: `dvc status plain.txt:s` and `dvc status sub:s` failed on the name, `nope.txt:s` as no out.
  it("fails file:name with a file not named like a DVC file as dvc does, with or without deps", async () => {
    await writeFile(join(dir, "plain.txt"), "hi\n");
    const badName =
      "bad DVC file name 'plain.txt'. DVC files should be named 'dvc.yaml' or have a '.dvc' suffix";
    await expect(resolveNames(["plain.txt:s"])).rejects.toThrow(badName);
    await expect(resolveNames(["plain.txt:s"], true)).rejects.toThrow(badName);
    const missing = join(dir, "nope.txt");
    await expect(resolveNames(["nope.txt:s"])).rejects.toThrow(
      `'nope.txt:s' does not exist as an output or a stage name in '${missing}': '${missing}' does not exist`,
    );
  });

  it("refuses a bare name when there is no dvc.yaml, as dvc does", async () => {
    await rm(join(dir, "dvc.yaml"));
    expect(() =>
      resolveStatusTargets({ root: dir, cwd: dir, pipeline: undefined, tracked: [] }, ["x"], false),
    ).toThrow("'x' does not exist as an output or a stage name in 'dvc.yaml': 'dvc.yaml' does not exist");
  });
});

describe("resolveReproTargets", () => {
  async function reproNames(
    cwd: string,
    targets: string[],
    options: { recursive?: boolean; glob?: boolean } = {},
  ): Promise<string[]> {
    const pipeline = await readWorkspacePipelines(dir);
    return resolveReproTargets({ root: dir, cwd, pipeline }, targets, options).map((stage) => stage.name);
  }

  beforeEach(async () => {
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "sub", "dvc.yaml"), "stages:\n  s1:\n    cmd: echo s > s.txt\n");
  });

  it("defaults to the stages of the cwd's dvc.yaml, not every dvc.yaml of the repo", async () => {
    expect(await reproNames(join(dir, "sub"), [])).toEqual(["sub/dvc.yaml:s1"]);
    expect(await reproNames(dir, [])).toEqual(["eval", "score", "fit@a", "fit@b"]);
  });

  it("reads targets relative to the cwd, a parent's dvc.yaml included", async () => {
    const sub = join(dir, "sub");
    expect(await reproNames(sub, ["../dvc.yaml:score", "s1", "../dvc.yaml:fit@b"])).toEqual([
      "score",
      "sub/dvc.yaml:s1",
      "fit@b",
    ]);
    expect(await reproNames(dir, ["sub/dvc.yaml", "fit", "sub/dvc.yaml"])).toEqual([
      "sub/dvc.yaml:s1",
      "fit@a",
      "fit@b",
    ]);
  });

  it("takes no output paths and refuses what names nothing with dvc's messages", async () => {
    await expect(reproNames(dir, ["e.txt"])).rejects.toThrow(
      /^Stage 'e.txt' not found inside 'dvc.yaml' file$/,
    );
    await expect(reproNames(join(dir, "sub"), ["score"])).rejects.toThrow(
      /^Stage 'score' not found inside 'dvc.yaml' file$/,
    );
    await expect(reproNames(join(dir, "sub"), ["../dvc.yaml:nope"])).rejects.toThrow(
      /^Stage 'nope' not found inside '..\/dvc.yaml' file$/,
    );
    await mkdir(join(dir, "empty"));
    await expect(reproNames(join(dir, "empty"), [])).rejects.toThrow(
      `'${join(dir, "empty", "dvc.yaml")}' does not exist`,
    );
    // A bare name assumed the cwd's dvc.yaml: dvc 3.67.1 named it as it assumed it.
    await expect(reproNames(join(dir, "empty"), ["s"])).rejects.toThrow(/^'dvc.yaml' does not exist$/);
  });

  it("with recursive, takes a directory for the stages defined inside it, in run order", async () => {
    await mkdir(join(dir, "sub", "deeper"));
    await writeFile(
      join(dir, "sub", "deeper", "dvc.yaml"),
      "stages:\n  d1:\n    cmd: cat ../s.txt > d.txt\n    deps: [../s.txt]\n",
    );
    await writeFile(
      join(dir, "sub", "dvc.yaml"),
      "stages:\n  s2:\n    cmd: cat s.txt\n    deps: [s.txt]\n  s1:\n    cmd: echo s > s.txt\n    outs: [s.txt]\n",
    );
    expect(await reproNames(dir, ["sub"], { recursive: true })).toEqual([
      "sub/dvc.yaml:s1",
      "sub/deeper/dvc.yaml:d1",
      "sub/dvc.yaml:s2",
    ]);
    // Not a directory: read as without -R; a directory without -R is no target.
    expect(await reproNames(dir, ["eval"], { recursive: true })).toEqual(["eval"]);
    await expect(reproNames(dir, ["sub"])).rejects.toThrow(/Stage 'sub' not found/);
  });

  it("with glob, matches the names of one dvc.yaml and takes a group's name whole", async () => {
    expect(await reproNames(dir, ["*e*"], { glob: true })).toEqual(["eval", "score"]);
    expect(await reproNames(dir, ["fit@?"], { glob: true })).toEqual(["fit@a", "fit@b"]);
    expect(await reproNames(dir, ["fit"], { glob: true })).toEqual(["fit@a", "fit@b"]);
    expect(await reproNames(join(dir, "sub"), ["../dvc.yaml:s*", "s?"], { glob: true })).toEqual([
      "score",
      "sub/dvc.yaml:s1",
    ]);
    expect(await reproNames(dir, ["nothing-*"], { glob: true })).toEqual([]);
    await expect(reproNames(dir, ["missing/dvc.yaml:x*"], { glob: true })).rejects.toThrow(
      /missing\/dvc.yaml' does not exist/,
    );
  });
});
