import { describe, expect, it } from "vitest";
import { selectDeclared, type DeclaredStage } from "./pipelineTargets.js";

const ROOT = "/r/repo";
const STAGES: DeclaredStage[] = [
  { pipelineFile: `${ROOT}/dvc.yaml`, lockName: "s", outs: [`${ROOT}/out.txt`, `${ROOT}/model`] },
  { pipelineFile: `${ROOT}/dvc.yaml`, lockName: "u", outs: [] },
  { pipelineFile: `${ROOT}/sub/dvc.yaml`, lockName: "t", outs: [`${ROOT}/sub/deep/x.txt`] },
];

const names = (target: string, cwd = ROOT, recursive = false): [string, string | undefined][] =>
  selectDeclared(STAGES, ROOT, cwd, target, recursive).map(({ stage, within }) => [stage.lockName, within]);

// Each case as dvc 3.67.1's `status -c <target>` collects it (tests/compat/dvc/test_dvc_missing_version_info.py).
describe("selectDeclared", () => {
  it("names a stage by a bare name (the cwd's dvc.yaml) or by file:name, a stage without outs included", () => {
    expect(names("u")).toEqual([["u", undefined]]);
    expect(names("sub/dvc.yaml:t")).toEqual([["t", undefined]]);
    expect(names("t", `${ROOT}/sub`)).toEqual([["t", undefined]]);
    expect(names("t")).toEqual([]);
  });

  it("names every stage of a dvc.yaml given as a path", () => {
    expect(names("dvc.yaml")).toEqual([
      ["s", undefined],
      ["u", undefined],
    ]);
    expect(names("../dvc.yaml", `${ROOT}/sub/deep`)).toEqual([["t", undefined]]);
  });

  it("names the stage of an out given by its path, or by a path inside it, keeping that path", () => {
    expect(names("out.txt")).toEqual([["s", `${ROOT}/out.txt`]]);
    expect(names("model/part")).toEqual([["s", `${ROOT}/model/part`]]);
    expect(names("x.txt", `${ROOT}/sub/deep`)).toEqual([["t", `${ROOT}/sub/deep/x.txt`]]);
  });

  it("takes a directory only with -R, as the stages of every dvc.yaml under it", () => {
    expect(names("sub")).toEqual([]);
    expect(names("sub", ROOT, true)).toEqual([["t", undefined]]);
    expect(names(".", ROOT, true).map(([name]) => name)).toEqual(["s", "u", "t"]);
  });
});
