import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readPipeline } from "./dvcYaml.js";

// Stage names and commands below were produced by dvc 3.67.1 (`Repo('.').index.stages`) for these files.
const PARAMS = `models: [cnn, xgb]
lr: 1.0
small: 0.00001
opts: {epochs: 3, verbose: true, name: "a b", tags: [x, y]}
`;
const DVC_YAML = `vars:
  - extra: 7
stages:
  build:
    foreach: [a, b, 3, true]
    do:
      cmd: make \${item}
  cfg:
    foreach:
      us: {region: us-east}
      eu: {region: eu-west}
    do:
      cmd: deploy \${key} \${item.region}
  comp:
    foreach:
      - {x: 1}
      - {x: 2}
    do:
      cmd: run \${item.x}
  fromvar:
    foreach: \${models}
    do:
      cmd: train \${item} --lr \${lr} --small \${small} --extra \${extra}
  sweep:
    matrix:
      model: [cnn, xgb]
      feature: [f1, f2]
    cmd: ./train --m \${item.model} --f \${item.feature} \${key}
  lists:
    matrix:
      labels: [[a, b], [c]]
      config: [{p: 1}]
      n: [1]
    cmd: echo \${item.n}
  flags:
    cmd: python t.py \${opts}
`;
const DVC_STAGES: [string, string][] = [
  ["build@a", "make a"],
  ["build@b", "make b"],
  ["build@3", "make 3"],
  ["build@true", "make true"],
  ["cfg@us", "deploy us us-east"],
  ["cfg@eu", "deploy eu eu-west"],
  ["comp@0", "run 1"],
  ["comp@1", "run 2"],
  ["fromvar@cnn", "train cnn --lr 1.0 --small 1e-05 --extra 7"],
  ["fromvar@xgb", "train xgb --lr 1.0 --small 1e-05 --extra 7"],
  ["sweep@cnn-f1", "./train --m cnn --f f1 cnn-f1"],
  ["sweep@cnn-f2", "./train --m cnn --f f2 cnn-f2"],
  ["sweep@xgb-f1", "./train --m xgb --f f1 xgb-f1"],
  ["sweep@xgb-f2", "./train --m xgb --f f2 xgb-f2"],
  ["lists@labels0-config0-1", "echo 1"],
  ["lists@labels1-config0-1", "echo 1"],
  ["flags", "python t.py --epochs 3 --verbose --name 'a b' --tags x y"],
];

describe("readPipeline", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-dvcyaml-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const write = (name: string, text: string): void => writeFileSync(join(root, name), text);

  it("expands foreach and matrix stages with the names and commands dvc generates", async () => {
    write("params.yaml", PARAMS);
    write("dvc.yaml", DVC_YAML);
    const pipeline = await readPipeline(root);
    expect(pipeline.stages.map((s) => [s.name, s.cmd.join("\n")])).toEqual(DVC_STAGES);
    expect(pipeline.stages.find((s) => s.name === "cfg@eu")?.group).toBe("cfg");
  });

  it("reads deps, params, outs, metrics and plots with their flags", async () => {
    write(
      "dvc.yaml",
      `stages:
  train:
    cmd:
    - python train.py
    - echo done
    wdir: src
    deps: [data/clean, train.py]
    params:
    - lr
    - train.epochs
    - other.yaml: [a.b]
    - custom.toml:
    outs:
    - model.pkl
    - logs/: {cache: false, persist: true, remote: r, push: false, desc: training logs}
    metrics:
    - metrics.json: {cache: false}
    plots:
    - plots.csv: {x: step, y: loss}
    frozen: true
    always_changed: true
    desc: trains
    meta: {owner: me}
`,
    );
    const [stage] = (await readPipeline(root)).stages;
    expect(stage).toMatchObject({
      name: "train",
      cmd: ["python train.py", "echo done"],
      cmdIsString: false,
      wdir: join(root, "src"),
      relWdir: "src",
      deps: ["data/clean", "train.py"],
      params: [
        { file: "params.yaml", keys: ["lr", "train.epochs"] },
        { file: "other.yaml", keys: ["a.b"] },
        { file: "custom.toml", keys: "all" },
      ],
      outs: [
        { path: "model.pkl", cache: true, persist: false },
        { path: "logs/", cache: false, persist: true, remote: "r", push: false, desc: "training logs" },
      ],
      metrics: [{ path: "metrics.json", cache: false, persist: false }],
      plots: [{ path: "plots.csv", cache: true, persist: false, plot: { x: "step", y: "loss" } }],
      frozen: true,
      alwaysChanged: true,
      desc: "trains",
      meta: { owner: "me" },
      line: 2,
    });
  });

  it("rejects an unknown stage key with its line, as dvc does", async () => {
    write("dvc.yaml", "stages:\n  train:\n    cmd: x\n    gpus: 1\n");
    await expect(readPipeline(root)).rejects.toThrow(
      /dvc\.yaml:4: stages\.train: extra key 'gpus' not allowed/,
    );
  });

  it("rejects an unknown top-level key and a stage without cmd", async () => {
    write("dvc.yaml", "stages: {}\nfoo: 1\n");
    await expect(readPipeline(root)).rejects.toThrow(/dvc\.yaml:2: .*extra key 'foo'/);
    write("dvc.yaml", "stages:\n  a:\n    deps: [x]\n");
    await expect(readPipeline(root)).rejects.toThrow(
      /dvc\.yaml:2: stages\.a: required key 'cmd' not provided/,
    );
  });

  it("names an unknown top-level key without a stray empty key path and lists the allowed keys", async () => {
    write("dvc.yaml", "stagez:\n  a:\n    cmd: echo a\n");
    await expect(readPipeline(root)).rejects.toThrow(
      "dvc.yaml:1: extra key 'stagez' not allowed at the top level " +
        "(allowed: stages, vars, params, metrics, plots, artifacts, datasets)",
    );
  });

  it("reports every schema problem, each at its line, as dvc does", async () => {
    write("dvc.yaml", "stages:\n  a:\n    cmd: x\n    gpus: 1\n  b:\n    cmd: y\n    frozen: maybe\n");
    const message = await readPipeline(root).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message.split("\n")).toEqual([
      expect.stringMatching(/dvc\.yaml:4: stages\.a: extra key 'gpus' not allowed/),
      expect.stringMatching(/dvc\.yaml:7: stages\.b\.frozen: expected a boolean, line 7, column 5$/),
    ]);
  });

  it("says what a foreach accepts when given a number", async () => {
    write("dvc.yaml", "stages:\n  a:\n    foreach: 5\n    do:\n      cmd: echo ${item}\n");
    await expect(readPipeline(root)).rejects.toThrow(
      /dvc\.yaml:3: stages\.a\.foreach: expected a list, a mapping or a '\$\{\.\.\.\}' string, line 3, column 5$/,
    );
  });

  it("lists every type an entry may have when it has none of them", async () => {
    write("dvc.yaml", "stages:\n  a:\n    cmd: x\n    outs: [5]\n");
    await expect(readPipeline(root)).rejects.toThrow(
      /dvc\.yaml:4: stages\.a\.outs\[0\]: expected a string or a mapping, line 4, column 12$/,
    );
  });

  it("reports a wrong type with the line of the field", async () => {
    write("dvc.yaml", "stages:\n  a:\n    cmd: x\n    frozen: maybe\n");
    await expect(readPipeline(root)).rejects.toThrow(/dvc\.yaml:4: stages\.a\.frozen: expected a boolean/);
  });

  it("refuses a cached out outside the repository with its line, as DVC 3 does, and keeps an uncached one", async () => {
    write("dvc.yaml", "stages:\n  a:\n    cmd: x\n    outs:\n    - in.txt\n    - ../out.txt\n");
    await expect(readPipeline(root)).rejects.toThrow(
      /dvc\.yaml:6: stage 'a': cached output '\.\.\/out\.txt' is outside the repository/,
    );
    write("dvc.yaml", "stages:\n  a:\n    cmd: x\n    metrics:\n    - /tmp/m.json:\n        cache: true\n");
    await expect(readPipeline(root)).rejects.toThrow(
      /dvc\.yaml:5: stage 'a': cached output '\/tmp\/m\.json'/,
    );
    write("dvc.yaml", "stages:\n  a:\n    cmd: x\n    outs:\n    - ../log.txt:\n        cache: false\n");
    const pipeline = await readPipeline(root);
    expect(pipeline.stages[0]?.outs).toEqual([{ path: "../log.txt", cache: false, persist: false }]);
  });

  it("names the file and line of a YAML syntax error", async () => {
    write("dvc.yaml", "stages:\n  a:\n    cmd: [x\n");
    await expect(readPipeline(root)).rejects.toThrow(/dvc\.yaml:\d+: invalid YAML/);
  });

  it("names the stage field of a missing variable, as dvc's ResolveError does", async () => {
    write("dvc.yaml", "stages:\n  a:\n    cmd: echo ${nope}\n");
    await expect(readPipeline(root)).rejects.toThrow(
      "failed to parse 'stages.a.cmd' in 'dvc.yaml': Could not find 'nope'",
    );
  });

  it("rejects a foreach over a scalar", async () => {
    write("dvc.yaml", "vars: [{n: 3}]\nstages:\n  a:\n    foreach: ${n}\n    do: {cmd: x}\n");
    await expect(readPipeline(root)).rejects.toThrow(
      "failed to resolve 'stages.a.foreach' in 'dvc.yaml': expected list/dictionary, got int",
    );
  });

  it("loads stage vars relative to the stage's wdir", async () => {
    write("dvc.yaml", "stages:\n  a:\n    vars: [{name: local}]\n    cmd: echo ${name}\n");
    expect((await readPipeline(root)).stages[0]?.cmd).toEqual(["echo local"]);
  });

  it("merges flowops.yaml settings, a group entry applying to every generated stage", async () => {
    write("dvc.yaml", "stages:\n  build:\n    foreach: [a, b]\n    do: {cmd: make}\n  train: {cmd: t}\n");
    write(
      "flowops.yaml",
      "stages:\n  build: {timeout: 60}\n  build@b: {retries: 2}\n  train: {gpus: 2, gpu_type: A100, timeout: 600, retries: 1}\n",
    );
    const stages = (await readPipeline(root)).stages;
    expect(stages.map((s) => [s.name, s.gpus, s.timeoutSeconds, s.retries])).toEqual([
      ["build@a", undefined, 60, undefined],
      ["build@b", undefined, 60, 2],
      ["train", { count: 2, type: "A100" }, 600, 1],
    ]);
  });

  it("rejects flowops.yaml settings for a stage dvc.yaml does not define", async () => {
    write("dvc.yaml", "stages:\n  train: {cmd: t}\n");
    write("flowops.yaml", "stages:\n  train: {gpus: 1}\n  tain: {gpus: 1}\n");
    await expect(readPipeline(root)).rejects.toThrow(
      /flowops\.yaml:3: stage 'tain' is not defined in dvc\.yaml/,
    );
  });

  it("says that no pipeline is defined when dvc.yaml is missing", async () => {
    await expect(readPipeline(root)).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
  });
});
