import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readWorkspacePipelines } from "./pipelineFiles.js";
import { resolveStatusTargets, type StatusSelection } from "./statusTargets.js";

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

  it("refuses a bare name when there is no dvc.yaml, as dvc does", async () => {
    await rm(join(dir, "dvc.yaml"));
    expect(() =>
      resolveStatusTargets({ root: dir, cwd: dir, pipeline: undefined, tracked: [] }, ["x"], false),
    ).toThrow("'x' does not exist as an output or a stage name in 'dvc.yaml': 'dvc.yaml' does not exist");
  });
});
