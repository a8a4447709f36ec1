import { describe, expect, it } from "vitest";
import { testStage } from "../../test/support/pipelineStages.js";
import type { Pipeline } from "./dvcYaml.js";
import { dagGraph } from "./dagGraph.js";
import { buildDag } from "./pipelineDag.js";
import { renderDag } from "./renderDag.js";

const stage = testStage;
const pipeline: Pipeline = {
  file: "/r/dvc.yaml",
  root: "/r",
  files: ["/r/dvc.yaml"],
  stages: [stage("prepare", ["raw"], ["prepared"]), stage("train", ["prepared"], ["model"])],
  params: [],
  metrics: [],
  plots: [],
  artifacts: {},
};

describe("renderDag", () => {
  const dag = buildDag(pipeline);
  const graph = dagGraph(dag, { root: "/r", cwd: "/r" });

  it("draws an empty graph (no dvc.yaml, or a git-ignored one) as dvc does: an empty line", () => {
    const empty = dagGraph(buildDag({ ...pipeline, files: [], stages: [] }), { root: "/r", cwd: "/r" });
    expect(renderDag(empty, "ascii")).toBe("\n");
    expect(renderDag(empty, "dot")).toBe("strict digraph {\n}\n\n");
    expect(renderDag(empty, "mermaid")).toBe("flowchart TD\n");
  });

  // The dot and mermaid texts are what `dvc dag --dot` / `dvc dag --mermaid` print for this pipeline.
  it("prints Graphviz dot as dvc does", () => {
    expect(renderDag(graph, "dot")).toBe(
      'strict digraph {\n"prepare";\n"train";\n"prepare" -> "train";\n}\n\n',
    );
  });

  it("prints a Mermaid flowchart as dvc does", () => {
    expect(renderDag(graph, "mermaid")).toBe(
      'flowchart TD\n\tnode1["prepare"]\n\tnode2["train"]\n\tnode1-->node2\n',
    );
  });

  it("draws one layer per depth in ASCII and lists the edges", () => {
    const text = renderDag(graph, "ascii");
    expect(text.split("\n").slice(0, 3)).toEqual(["+---------+", "| prepare |", "+---------+"]);
    expect(text).toContain("| train |");
    expect(text.indexOf("prepare")).toBeLessThan(text.indexOf("train"));
    expect(text).toContain("prepare -> train");
  });

  // Regression: a lone stage was drawn with its lines trimmed and several lone stages side by side; dvc 3.67.1
  // draws each as its own pipeline, its lines padded to the canvas (`dvc dag | cat -A`: "+---+  $").
  it("draws stages without edges as dvc does: one box each, lines padded to grandalf's canvas", () => {
    const lone = (names: string[]): string => {
      const stages = names.map((name) => stage(name, [], [`${name}.out`]));
      return renderDag(dagGraph(buildDag({ ...pipeline, stages }), { root: "/r", cwd: "/r" }), "ascii");
    };
    expect(lone(["a"])).toBe("+---+  \n| a |  \n+---+  \n");
    expect(lone(["a", "bb"])).toBe("+---+  \n| a |  \n+---+  \n+----+ \n| bb | \n+----+ \n");
  });

  it("prints stages and edges as JSON, limited to targets and their upstream", () => {
    expect(
      JSON.parse(renderDag(dagGraph(dag, { root: "/r", cwd: "/r", targets: ["prepare"] }), "json")),
    ).toEqual({
      stages: [{ name: "prepare", cmd: ["x"], deps: ["raw"], outs: ["prepared"] }],
      edges: [],
    });
  });
});
