import { describe, expect, it } from "vitest";
import type { Pipeline, Stage } from "./dvcYaml.js";
import { buildDag } from "./pipelineDag.js";
import { testStage } from "../../test/support/pipelineStages.js";

function stage(name: string, deps: string[], outs: string[], extra: Partial<Stage> = {}): Stage {
  return testStage(name, deps, outs, {
    pipelineFile: "/repo/dvc.yaml",
    cmd: [`run ${name}`],
    wdir: "/repo",
    ...extra,
  });
}

function pipeline(...stages: Stage[]): Pipeline {
  return {
    file: "/repo/dvc.yaml",
    root: "/repo",
    files: ["/repo/dvc.yaml"],
    stages,
    params: [],
    metrics: [],
    plots: [],
    artifacts: {},
  };
}

describe("buildDag", () => {
  it("links a dep to the stage producing it, inside an out directory, or containing an out", () => {
    const dag = buildDag(
      pipeline(
        stage("prepare", ["raw"], ["data/prepared"]),
        stage("features", ["data/prepared/train.csv"], ["data/features.csv"]),
        stage("report", ["data"], ["report.html"]),
        stage("unrelated", ["other"], ["x"]),
      ),
    );
    expect(dag.edges).toEqual([
      ["prepare", "features"],
      ["prepare", "report"],
      ["features", "report"],
    ]);
    expect(dag.parents("report")).toEqual(["prepare", "features"]);
    expect(dag.children("prepare")).toEqual(["features", "report"]);
  });

  it("compares paths relative to the repo root across working directories", () => {
    const dag = buildDag(
      pipeline(
        stage("a", [], ["out/model.pkl"], { relWdir: "sub", wdir: "/repo/sub" }),
        stage("b", ["sub/out/model.pkl"], ["eval.json"]),
        stage("c", ["../eval.json"], ["c.txt"], { relWdir: "sub", wdir: "/repo/sub" }),
      ),
    );
    expect(dag.edges).toEqual([
      ["a", "b"],
      ["b", "c"],
    ]);
  });

  it("orders all stages or targets with their upstream, dependencies first", () => {
    const dag = buildDag(
      pipeline(
        stage("train", ["features"], ["model"]),
        stage("features", ["clean"], ["features"]),
        stage("clean", ["raw"], ["clean"]),
        stage("docs", [], ["site"]),
      ),
    );
    expect(dag.order().map((s) => s.name)).toEqual(["clean", "features", "train", "docs"]);
    expect(dag.order(["train"]).map((s) => s.name)).toEqual(["clean", "features", "train"]);
    expect(dag.upstream("features").map((s) => s.name)).toEqual(["clean", "features"]);
    expect(dag.downstream("clean").map((s) => s.name)).toEqual(["clean", "features", "train"]);
  });

  it("selects every generated stage of a foreach group by the group's name", () => {
    const dag = buildDag(
      pipeline(
        stage("build@a", [], ["a"], { group: "build" }),
        stage("build@b", [], ["b"], { group: "build" }),
        stage("all", ["a", "b"], ["all"]),
      ),
    );
    expect(dag.order(["build"]).map((s) => s.name)).toEqual(["build@a", "build@b"]);
    expect(() => dag.order(["nope"])).toThrow(/stage 'nope' not found/);
  });

  it("names the stages of a cycle", () => {
    expect(() => buildDag(pipeline(stage("a", ["y"], ["x"]), stage("b", ["x"], ["y"])))).toThrow(
      /cycle in the pipeline: stage a -> b -> a/,
    );
    expect(() => buildDag(pipeline(stage("a", ["x/file"], ["x"])))).toThrow(/stage a -> a/);
  });

  it("rejects two stages declaring the same out, naming both", () => {
    expect(() => buildDag(pipeline(stage("a", [], ["model.pkl"]), stage("b", [], ["model.pkl"])))).toThrow(
      /output 'model.pkl' is declared by both stage 'a' \(dvc.yaml:1\) and stage 'b' \(dvc.yaml:1\)/,
    );
  });

  it("rejects an out inside another stage's out directory, naming both stages and paths", () => {
    expect(() => buildDag(pipeline(stage("a", [], ["data"]), stage("b", [], ["data/sub/file"])))).toThrow(
      /output 'data\/sub\/file' of stage 'b' \(dvc.yaml:1\) is inside output 'data' of stage 'a' \(dvc.yaml:1\)/,
    );
  });

  it("treats a metrics file like an out when linking stages", () => {
    const producer = stage("eval", [], []);
    producer.metrics = [{ path: "metrics.json", cache: false, persist: false }];
    const dag = buildDag(pipeline(producer, stage("report", ["metrics.json"], ["r.html"])));
    expect(dag.edges).toEqual([["eval", "report"]]);
  });
});
