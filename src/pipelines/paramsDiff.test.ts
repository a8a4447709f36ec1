import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitIn } from "../data/gitFixtures.js";
import { paramsDiff } from "./paramsDiff.js";
import { PyFloat, pyJsonDumps } from "./pythonValues.js";

const DVC_YAML = `stages:
  prepare:
    cmd: echo
    params:
    - model
    - lr
    - extra.json:
      - seed
      - opt.name
  train:
    cmd: echo
    params:
    - epochs
    - small
    - whole
    - flag
    - conf.toml:
`;

describe("paramsDiff", () => {
  let root: string;
  const git = gitIn(() => root);
  const write = (name: string, text: string): void => writeFileSync(join(root, name), text);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-paramsdiff-"));
    git("init", "-q");
    write("dvc.yaml", DVC_YAML);
    write(
      "params.yaml",
      "lr: 0.001\nepochs: 10\nsmall: 0.00001\nwhole: 1.0\nmodel:\n  name: cnn\n  layers: [64, 32]\n  dropout: 0.5\nflag: true\nunused: 1\n",
    );
    write("extra.json", '{"seed": 42, "opt": {"name": "adam", "beta": 0.9}}');
    write("conf.toml", "[data]\nsplit = 0.2\n");
    git("add", "-A");
    git("commit", "-qm", "one");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Expected JSON is what `dvc params diff --json` printed for the same repository and edit.
  it("reports changed tracked params between HEAD and the workspace as dvc does", async () => {
    write(
      "params.yaml",
      "lr: 0.002\nepochs: 11\nsmall: 0.00001\nwhole: 1.0\nmodel:\n  name: cnn\n  layers: [64, 32]\n  dropout: 0.5\nflag: true\nunused: 2\n",
    );
    const diff = await paramsDiff(root);
    expect(pyJsonDumps(diff)).toBe(
      '{"params.yaml": {"lr": {"old": 0.001, "new": 0.002, "diff": 0.001}, "epochs": {"old": 10, "new": 11, "diff": 1}, "unused": {"old": 1, "new": 2, "diff": 1}}}',
    );
  });

  // Regression: keys of params.yaml that no stage lists were left out; dvc's `_collect_params` always adds
  // the default params file whole, at each revision where it exists.
  it("includes every key of the default params.yaml, used by a stage or not, as dvc does", async () => {
    write("dvc.yaml", "stages:\n  s:\n    cmd: echo ${seed} > o\n    params: [seed]\n    outs: [o]\n");
    write("params.yaml", "seed: 1\nlr: 0.1\nunused: 5\n");
    git("add", "-A");
    git("commit", "-qm", "only seed used");
    write("params.yaml", "seed: 2\nlr: 0.2\nunused: 6\nnewp: 3\n");
    expect(await paramsDiff(root)).toEqual({
      "params.yaml": {
        seed: { old: 1, new: 2, diff: 1 },
        lr: { old: 0.1, new: 0.2, diff: 0.1 },
        unused: { old: 5, new: 6, diff: 1 },
        newp: { old: null, new: 3 },
      },
    });
    write("params.yaml", "seed: 2\nlr: 0.1\nunused: 5\n");
    const all = await paramsDiff(root, "HEAD", undefined, { all: true });
    expect(all["params.yaml"]).toEqual({
      seed: { old: 1, new: 2, diff: 1 },
      lr: { old: 0.1, new: 0.1, diff: new PyFloat(0) },
      unused: { old: 5, new: 5, diff: 0 },
    });
  });

  it("reads a default params.yaml that no stage uses and only one revision has", async () => {
    write("dvc.yaml", "stages:\n  s:\n    cmd: echo\n    params:\n    - extra.json:\n      - seed\n");
    git("rm", "-q", "params.yaml");
    git("commit", "-qam", "no params.yaml");
    write("params.yaml", "seed: 1\n");
    expect(await paramsDiff(root)).toEqual({ "params.yaml": { seed: { old: null, new: 1 } } });
  });

  it("lists every tracked param with --all, lists as Python prints them and floats diffed as floats", async () => {
    const diff = await paramsDiff(root, "HEAD", undefined, { all: true });
    expect(diff["params.yaml"]?.["model.layers"]).toEqual({ old: "[64, 32]", new: "[64, 32]" });
    expect(diff["params.yaml"]?.whole).toEqual({
      old: new PyFloat(1),
      new: new PyFloat(1),
      diff: new PyFloat(0),
    });
    expect(diff["params.yaml"]?.flag).toEqual({ old: true, new: true, diff: 0 });
    expect(diff["extra.json"]).toEqual({
      seed: { old: 42, new: 42, diff: 0 },
      "opt.name": { old: "adam", new: "adam" },
    });
    expect(diff["conf.toml"]).toEqual({ "data.split": { old: 0.2, new: 0.2, diff: new PyFloat(0) } });
    expect(diff["params.yaml"]?.unused).toEqual({ old: 1, new: 1, diff: 0 });
  });

  it("compares two revisions and reports a param added since", async () => {
    write("extra.json", '{"seed": 7, "opt": {"name": "sgd"}}');
    git("commit", "-qam", "two");
    const diff = await paramsDiff(root, "HEAD~1", "HEAD");
    expect(diff).toEqual({
      "extra.json": { seed: { old: 42, new: 7, diff: -35 }, "opt.name": { old: "adam", new: "sgd" } },
    });
  });

  it("lists the keys stages interpolated from vars files, as dvc's tracked vars", async () => {
    write("config.yaml", "model:\n  depth: 3\n  unused: 1\nother: 5\n");
    write("params.yaml", "lr: 0.1\n");
    write(
      "dvc.yaml",
      "vars:\n  - config.yaml\nstages:\n  train:\n    cmd: echo ${lr} ${model.depth}\n    outs: [o]\n",
    );
    git("add", "-A");
    git("commit", "-qm", "vars");
    write("config.yaml", "model:\n  depth: 4\n  unused: 2\nother: 6\n");
    write("params.yaml", "lr: 0.2\n");
    // Observed: `dvc params diff --json` on the same edits (only the used key of config.yaml).
    expect(await paramsDiff(root)).toEqual({
      "config.yaml": { "model.depth": { old: 3, new: 4, diff: 1 } },
      "params.yaml": { lr: { old: 0.1, new: 0.2, diff: 0.1 } },
    });
  });

  it("reads each revision's own dvc.yaml for what it tracks, as dvc does", async () => {
    write("dvc.yaml", "stages:\n  train:\n    cmd: echo\n    params:\n    - extra.json:\n      - seed\n");
    git("commit", "-qam", "only seed tracked");
    write("dvc.yaml", DVC_YAML.replace("      - opt.name\n", "      - opt.name\n      - opt.beta\n"));
    write("extra.json", '{"seed": 43, "opt": {"name": "adam", "beta": 0.9}}');
    // Observed: `dvc params diff --json` on the same edits: keys HEAD's dvc.yaml did not track are new.
    const fromHead = await paramsDiff(root);
    expect(fromHead["extra.json"]).toEqual({
      seed: { old: 42, new: 43, diff: 1 },
      "opt.name": { old: null, new: "adam" },
      "opt.beta": { old: null, new: 0.9 },
    });
    expect(fromHead["conf.toml"]).toEqual({ "data.split": { old: null, new: 0.2 } });
    git("commit", "-qam", "three");
    // Between two commits the older one's dvc.yaml counts for the old side, not the workspace's.
    expect((await paramsDiff(root, "HEAD~2", "HEAD~1"))["extra.json"]).toEqual({
      "opt.name": { old: "adam", new: null },
    });
  });

  it("reads no params at a revision whose dvc.yaml is malformed, with a warning naming it, as dvc does", async () => {
    write("dvc.yaml", "stages:\n  train:\n    cmd: [\n");
    git("commit", "-qam", "broken");
    write("dvc.yaml", DVC_YAML);
    const warnings: string[] = [];
    const diff = await paramsDiff(root, undefined, undefined, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      expect.stringMatching(/^failed to load params in revision 'HEAD', HEAD:dvc\.yaml/),
    ]);
    // Observed with dvc: every param of that revision reads as missing, params.yaml's too.
    expect(diff["params.yaml"]?.lr).toEqual({ old: null, new: 0.001 });
    expect(diff["extra.json"]?.seed).toEqual({ old: null, new: 42 });
  });

  it("names an unknown revision", async () => {
    await expect(paramsDiff(root, "no-such-rev")).rejects.toThrow("unknown Git revision 'no-such-rev'");
  });
});
