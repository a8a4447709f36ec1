import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readPipeline } from "./dvcYaml.js";
import { pipelineLoadFailure, pipelineLoadMessage } from "./pipelineLoadFailure.js";
import { PipelineResolveError } from "./pipelineResolveError.js";

const STAGE = "stages:\n  s:\n    cmd: echo hi\n";

// Expected messages are dvc 3.67.1's (`dvc repro`, `dvc metrics show --json` from the root and from `sub/`).
describe("a dvc.yaml that does not resolve is dvc's ResolveError", () => {
  let root: string;
  const write = (name: string, text: string): void => writeFileSync(join(root, name), text);
  const failure = async (): Promise<PipelineResolveError> => {
    const error: unknown = await readPipeline(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineResolveError);
    return error as PipelineResolveError;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-resolve-"));
    mkdirSync(join(root, "sub"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    [
      "a list-shaped params.yaml",
      { "params.yaml": "- a\n- b\n", "dvc.yaml": STAGE },
      "failed to parse 'vars' in 'dvc.yaml': expected a dictionary, got 'list' in file 'params.yaml'",
      "failed to parse 'vars' in '../dvc.yaml': expected a dictionary, got 'list' in file '../params.yaml'",
    ],
    [
      "a missing vars file",
      { "dvc.yaml": `vars:\n  - missing.yaml\n${STAGE}` },
      "failed to parse 'vars' in 'dvc.yaml': 'missing.yaml' does not exist",
      "failed to parse 'vars' in '../dvc.yaml': '../missing.yaml' does not exist",
    ],
    [
      "a vars key the file lacks",
      { "v.yaml": "a: 1\n", "dvc.yaml": `vars:\n  - v.yaml:nokey\n${STAGE}` },
      "failed to parse 'vars' in 'dvc.yaml': could not find 'nokey' in 'v.yaml'",
      "failed to parse 'vars' in '../dvc.yaml': could not find 'nokey' in '../v.yaml'",
    ],
    [
      "an undefined key",
      { "dvc.yaml": "stages:\n  s:\n    cmd: echo ${undefined.key}\n" },
      "failed to parse 'stages.s.cmd' in 'dvc.yaml': Could not find 'undefined.key'",
      "failed to parse 'stages.s.cmd' in '../dvc.yaml': Could not find 'undefined.key'",
    ],
    [
      "a dict interpolated into a string",
      { "params.yaml": "d:\n  x: 1\n", "dvc.yaml": `${STAGE}    deps:\n      - f\${d}\n` },
      "failed to parse 'stages.s.deps' in 'dvc.yaml':\nCannot interpolate data of type 'dict'",
      "failed to parse 'stages.s.deps' in '../dvc.yaml':\nCannot interpolate data of type 'dict'",
    ],
    [
      "a key defined twice",
      { "params.yaml": "a: 1\n", "v.yaml": "a: 2\n", "dvc.yaml": "vars:\n  - v.yaml\n" + STAGE },
      "failed to parse 'vars' in 'dvc.yaml':\ncannot redefine 'a' from 'v.yaml' as it already exists in 'params.yaml'",
      "failed to parse 'vars' in '../dvc.yaml':\n" +
        "cannot redefine 'a' from '../v.yaml' as it already exists in '../params.yaml'",
    ],
    [
      "interpolation in vars",
      { "dvc.yaml": "vars:\n  - ${x}.yaml\n" + STAGE },
      "failed to parse 'vars' in 'dvc.yaml': interpolating is not allowed",
      "failed to parse 'vars' in '../dvc.yaml': interpolating is not allowed",
    ],
  ])("words %s as dvc, relative to the cwd", async (_, files, fromRoot, fromSub) => {
    for (const [name, text] of Object.entries(files)) write(name, text);
    const error = await failure();
    expect(error.message).toBe(fromRoot);
    expect(pipelineLoadMessage(error, root)).toBe(fromRoot);
    expect(pipelineLoadMessage(error, join(root, "sub"))).toBe(fromSub);
    expect(pipelineLoadFailure(error, root, undefined, join(root, "sub"))).toEqual({
      type: "ResolveError",
      msg: fromSub,
    });
  });

  it("says which inline vars a redefinition comes from", async () => {
    write("dvc.yaml", "vars:\n  - a: 1\n  - a: 2\n" + STAGE);
    expect((await failure()).message).toBe(
      "failed to parse 'vars' in 'dvc.yaml':\ncannot redefine 'a' from 'vars[1]' as it already exists in 'vars[0]'",
    );
  });

  it("words a foreach over a scalar as dvc's failed to resolve", async () => {
    write("dvc.yaml", "vars: [{n: 3}]\nstages:\n  a:\n    foreach: ${n}\n    do: {cmd: x}\n");
    expect((await failure()).message).toBe(
      "failed to resolve 'stages.a.foreach' in 'dvc.yaml': expected list/dictionary, got int",
    );
  });
});
