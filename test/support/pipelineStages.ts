/** A pipeline stage for DAG tests: only its name, deps and outs matter; the rest are dvc.yaml's defaults. */
import type { Stage } from "../../src/pipelines/dvcYaml.js";

export function testStage(name: string, deps: string[], outs: string[], extra: Partial<Stage> = {}): Stage {
  return {
    name,
    lockName: name,
    pipelineFile: "/r/dvc.yaml",
    cmd: ["x"],
    cmdIsString: true,
    wdir: "/r",
    relWdir: ".",
    deps,
    params: [],
    outs: outs.map((path) => ({ path, cache: true, persist: false })),
    metrics: [],
    plots: [],
    frozen: false,
    alwaysChanged: false,
    line: 1,
    ...extra,
  };
}
