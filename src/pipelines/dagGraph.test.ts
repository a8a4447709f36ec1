import { describe, expect, it } from "vitest";
import type { TrackedOut } from "../data/dvcFile.js";
import { testStage } from "../../test/support/pipelineStages.js";
import type { Pipeline } from "./dvcYaml.js";
import { dagGraph } from "./dagGraph.js";
import { buildDag } from "./pipelineDag.js";
import { renderDag } from "./renderDag.js";

const stage = testStage;

// The pipeline of tests/compat/dvc/test_dvc_dag.py, defined out of run order; the expected texts are what
// dvc 3.67 printed for it.
const stages = [
  stage("train", ["b.out", "c.out"], ["model"]),
  stage("zeta", [], ["c.out"]),
  stage("beta", ["a.out"], ["b.out"]),
  stage("alpha", [], ["a.out"]),
  stage("solo", [], ["s.out", "s2.out"]),
  stage("eval@x", ["model"], [], {
    group: "eval",
    metrics: [{ path: "x.json", cache: false, persist: false }],
  }),
  stage("eval@y", ["model"], [], {
    group: "eval",
    metrics: [{ path: "y.json", cache: false, persist: false }],
  }),
  stage("sub/dvc.yaml:use", ["../a.out"], ["u"], {
    lockName: "use",
    pipelineFile: "/r/sub/dvc.yaml",
    wdir: "/r/sub",
    relWdir: "sub",
  }),
];
const pipeline: Pipeline = {
  file: "/r/dvc.yaml",
  root: "/r",
  files: ["/r/dvc.yaml", "/r/sub/dvc.yaml"],
  stages,
  params: [],
  metrics: [],
  plots: [],
  artifacts: {},
};
const dag = buildDag(pipeline);
const at = { root: "/r", cwd: "/r" };

describe("dagGraph and renderDag, as dvc dag", () => {
  it("lists dot edges by upstream node, then downstream node, in index order", () => {
    expect(renderDag(dagGraph(dag, at), "dot")).toBe(
      [
        "strict digraph {",
        ...["train", "zeta", "beta", "alpha", "solo", "eval@x", "eval@y", "sub/dvc.yaml:use"].map(
          (n) => `"${n}";`,
        ),
        '"train" -> "eval@x";',
        '"train" -> "eval@y";',
        '"zeta" -> "train";',
        '"beta" -> "train";',
        '"alpha" -> "beta";',
        '"alpha" -> "sub/dvc.yaml:use";',
        "}",
        "",
        "",
      ].join("\n"),
    );
  });

  it("prints mermaid per connected pipeline, nodes and edges sorted by name", () => {
    const expected = [
      "flowchart TD",
      '\tnode1["alpha"]',
      '\tnode2["beta"]',
      '\tnode3["eval@x"]',
      '\tnode4["eval@y"]',
      '\tnode5["sub/dvc.yaml:use"]',
      '\tnode6["train"]',
      '\tnode7["zeta"]',
      "\tnode1-->node2",
      "\tnode1-->node5",
      "\tnode2-->node6",
      "\tnode6-->node3",
      "\tnode6-->node4",
      "\tnode7-->node6",
      '\tnode8["solo"]',
    ].join("\n");
    expect(renderDag(dagGraph(dag, at), "mermaid")).toBe(`${expected}\n`);
    expect(renderDag(dagGraph(dag, at), "md")).toBe(`\`\`\`mermaid\n${expected}\n\`\`\`\n`);
  });

  it("draws outputs with --outs, in outs-trie order, relative to the cwd", () => {
    const text = renderDag(dagGraph(dag, { root: "/r", cwd: "/r/sub", outs: true }), "mermaid");
    expect(text).toBe(
      [
        "flowchart TD",
        ...["../a.out", "../b.out", "../c.out", "../model", "../x.json", "../y.json", "u"].map(
          (n, i) => `\tnode${i + 1}["${n}"]`,
        ),
        "\tnode1-->node2",
        "\tnode1-->node7",
        "\tnode2-->node4",
        "\tnode3-->node4",
        "\tnode4-->node5",
        "\tnode4-->node6",
        '\tnode8["../s.out"]',
        '\tnode9["../s2.out"]',
        "",
      ].join("\n"),
    );
  });

  it("names stages relative to the cwd and reads targets from it", () => {
    const graph = dagGraph(dag, { root: "/r", cwd: "/r/sub", targets: ["use"] });
    expect(graph.nodes).toEqual(["../dvc.yaml:alpha", "use"]);
    expect(graph.edges).toEqual([["../dvc.yaml:alpha", "use"]]);
  });

  it("keeps a target's upstream, or its whole pipeline with --full", () => {
    expect(dagGraph(dag, { ...at, targets: ["beta"] }).nodes).toEqual(["beta", "alpha"]);
    expect(dagGraph(dag, { ...at, targets: ["beta"], full: true }).nodes).toEqual([
      "train",
      "zeta",
      "beta",
      "alpha",
      "eval@x",
      "eval@y",
      "sub/dvc.yaml:use",
    ]);
    expect(dagGraph(dag, { ...at, targets: ["beta"], outs: true }).nodes).toEqual(["b.out", "a.out"]);
  });

  it("takes an output path as a target, for the stage that writes it", () => {
    expect(dagGraph(dag, { ...at, targets: ["a.out"] }).nodes).toEqual(["alpha"]);
  });

  it("collapses foreach/matrix stages into one node per group", () => {
    const graph = dagGraph(dag, { ...at, collapseForeachMatrix: true });
    expect(graph.nodes).toEqual(["train", "zeta", "beta", "alpha", "solo", "sub/dvc.yaml:use", "eval"]);
    expect(renderDag(graph, "dot")).toContain('"train" -> "eval";\n"zeta" -> "train";');
    expect(() => dagGraph(dag, { ...at, collapseForeachMatrix: true, outs: true })).toThrow(
      /mutually exclusive/,
    );
  });

  it("draws a .dvc file as a node upstream of the stages that read its data", () => {
    const data = { dvcFile: "/r/data.dvc", abs: "/r/data", index: 0 } as unknown as TrackedOut;
    const small = buildDag({ ...pipeline, stages: [stage("prep", ["data"], ["out"])] });
    const graph = dagGraph(small, { ...at, tracked: [data] });
    expect(renderDag(graph, "dot")).toBe(
      'strict digraph {\n"data.dvc";\n"prep";\n"data.dvc" -> "prep";\n}\n\n',
    );
  });
});
