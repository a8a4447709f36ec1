import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readWorkspacePipelines } from "./pipelineFiles.js";
import { planStages, type ReproTargets } from "./reproPlan.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-repro-plan-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Two pipelines: a -> b -> c with a side branch b -> d, and x -> y on their own.
const TWO_PIPELINES = `stages:
  a:
    cmd: echo a > a.txt
    outs: [a.txt]
  b:
    cmd: cat a.txt > b.txt
    deps: [a.txt]
    outs: [b.txt]
  c:
    cmd: cat b.txt > c.txt
    deps: [b.txt]
    outs: [c.txt]
  x:
    cmd: echo x > x.txt
    outs: [x.txt]
  d:
    cmd: cat b.txt > d.txt
    deps: [b.txt]
    outs: [d.txt]
  y:
    cmd: cat x.txt > y.txt
    deps: [x.txt]
    outs: [y.txt]
`;

async function plan(yaml: string, options: ReproTargets): Promise<string[]> {
  await writeFile(join(dir, "dvc.yaml"), yaml);
  const pipeline = await readWorkspacePipelines(dir);
  if (pipeline === undefined) throw new Error("no pipeline");
  return planStages(pipeline, { cwd: dir, ...options }).map((p) => p.name);
}

describe("planStages", () => {
  it("takes a target with what it depends on, dependencies first", async () => {
    expect(await plan(TWO_PIPELINES, { targets: ["c"] })).toEqual(["a", "b", "c"]);
    expect(await plan(TWO_PIPELINES, { targets: ["c"], singleItem: true })).toEqual(["c"]);
  });

  it("with singleItem, takes the targets in the order given; one waits for every earlier target it is related to", async () => {
    await writeFile(join(dir, "dvc.yaml"), TWO_PIPELINES);
    const pipeline = await readWorkspacePipelines(dir);
    if (pipeline === undefined) throw new Error("no pipeline");
    // c depends on a and b, so each of them, listed after c, waits for c as DVC runs them in turn.
    expect(planStages(pipeline, { cwd: dir, targets: ["c", "a", "b", "c"], singleItem: true })).toEqual([
      { name: "c", upstream: [], after: [] },
      { name: "a", upstream: [], after: ["c"] },
      { name: "b", upstream: [], after: ["c", "a"] },
    ]);
  });

  // Regression: `repro -f -s -j 2 c b` ran b beside c, and b removed b.txt while c read it.
  it("with singleItem, orders a dependency listed after its dependant instead of running them together", async () => {
    await writeFile(join(dir, "dvc.yaml"), TWO_PIPELINES);
    const pipeline = await readWorkspacePipelines(dir);
    if (pipeline === undefined) throw new Error("no pipeline");
    const after = (targets: string[]): Record<string, string[] | undefined> =>
      Object.fromEntries(
        planStages(pipeline, { cwd: dir, targets, singleItem: true }).map((p) => [p.name, p.after]),
      );
    expect(after(["c", "b"])).toEqual({ c: [], b: ["c"] });
    // Related only through a stage not listed (a -> b -> c), they are still ordered.
    expect(after(["c", "a"])).toEqual({ c: [], a: ["c"] });
    expect(after(["a", "c"])).toEqual({ a: [], c: ["a"] });
    // Unrelated targets may still run together: siblings c and d, and the separate pipeline x -> y.
    expect(after(["d", "c", "y", "a"])).toEqual({ d: [], c: [], y: [], a: ["d", "c"] });
  });

  it("with singleItem, orders targets related through a frozen stage, which still reads its deps", async () => {
    const frozenB = TWO_PIPELINES.replace("  b:\n", "  b:\n    frozen: true\n");
    await writeFile(join(dir, "dvc.yaml"), frozenB);
    const pipeline = await readWorkspacePipelines(dir);
    if (pipeline === undefined) throw new Error("no pipeline");
    const planned = planStages(pipeline, { cwd: dir, targets: ["b", "a"], singleItem: true });
    expect(planned).toEqual([
      { name: "b", upstream: [], after: [] },
      { name: "a", upstream: [], after: ["b"] },
    ]);
  });

  it("with downstream, takes the targets and what depends on them instead", async () => {
    expect(await plan(TWO_PIPELINES, { targets: ["b"], downstream: true })).toEqual(["b", "c", "d"]);
    expect(await plan(TWO_PIPELINES, { targets: ["d", "x"], downstream: true })).toEqual(["x", "d", "y"]);
  });

  it("with wholePipeline, takes every stage connected to a target, one pipeline after another", async () => {
    expect(await plan(TWO_PIPELINES, { targets: ["d"], wholePipeline: true })).toEqual(["a", "b", "c", "d"]);
    expect(await plan(TWO_PIPELINES, { targets: ["y", "c"], wholePipeline: true })).toEqual([
      "x",
      "y",
      "a",
      "b",
      "c",
      "d",
    ]);
    // DVC ignores -s and --downstream with -p.
    expect(
      await plan(TWO_PIPELINES, { targets: ["y"], wholePipeline: true, singleItem: true, downstream: true }),
    ).toEqual(["x", "y"]);
  });

  it("cuts a frozen stage off from what it depends on, as DVC's active graph", async () => {
    const frozenB = TWO_PIPELINES.replace("  b:\n", "  b:\n    frozen: true\n");
    expect(await plan(frozenB, { targets: ["c"] })).toEqual(["b", "c"]);
    expect(await plan(frozenB, { targets: ["a"], downstream: true })).toEqual(["a"]);
    expect(await plan(frozenB, { targets: ["c"], wholePipeline: true })).toEqual(["b", "c", "d"]);
    // Every stage of the file is still planned, but the frozen one waits for nothing.
    const all = await writeFile(join(dir, "dvc.yaml"), frozenB).then(() => readWorkspacePipelines(dir));
    if (all === undefined) throw new Error("no pipeline");
    const upstream = Object.fromEntries(planStages(all, { cwd: dir }).map((p) => [p.name, p.upstream]));
    expect(upstream).toMatchObject({ a: [], b: [], c: ["b"], d: ["b"] });
  });

  it("with glob, plans the matching stages and their upstream", async () => {
    expect(await plan(TWO_PIPELINES, { targets: ["[cy]"], glob: true })).toEqual(["a", "b", "c", "x", "y"]);
  });
});

describe("planStages target order", () => {
  it("takes targets in pipeline order, not the order given, as dvc's subgraph walk does", async () => {
    expect(await plan(TWO_PIPELINES, { targets: ["y", "c"] })).toEqual(["a", "b", "c", "x", "y"]);
    expect(await plan(TWO_PIPELINES, { targets: ["d", "c"] })).toEqual(["a", "b", "c", "d"]);
  });
});
