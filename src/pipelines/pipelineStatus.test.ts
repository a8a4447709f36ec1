import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addTargets } from "../data/addTargets.js";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { formatPipelineStatus, pipelineStatus, pipelineStatusJson } from "./pipelineStatus.js";
import { repro } from "./repro.js";

let dir: string;
let repo: DataRepo;

const PIPELINE = `stages:
  train:
    cmd: cat data.txt > model.txt
    deps:
    - data.txt
    params:
    - lr
    outs:
    - model.txt
  other:
    cmd: echo x > o.txt
    outs:
    - o.txt
`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-pipeline-status-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  await writeFile(join(dir, "data.txt"), "a\n");
  await writeFile(join(dir, "params.yaml"), "lr: 0.1\n");
  await writeFile(join(dir, "dvc.yaml"), PIPELINE);
  repo = await initDataRepo(dir);
  await repro(repo, {});
});
afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

describe("pipelineStatus", () => {
  it("reports nothing for a pipeline that is up to date", async () => {
    expect((await pipelineStatus(repo)).stages).toEqual([]);
  });

  it("reports every category of change in dvc status's JSON and text", async () => {
    await writeFile(join(dir, "data.txt"), "b\n");
    await writeFile(join(dir, "params.yaml"), "lr: 0.2\n");
    await rm(join(dir, "o.txt"));
    await writeFile(
      join(dir, "dvc.yaml"),
      PIPELINE.replace("cat data.txt > model.txt", "cat data.txt >  model.txt") +
        "  fresh:\n    cmd: echo f > f.txt\n    deps:\n    - data.txt\n    params:\n    - lr\n    outs:\n    - f.txt\n" +
        "  always:\n    cmd: echo y\n    always_changed: true\n    deps:\n    - data.txt\n" +
        "  frozen:\n    cmd: echo z > z.txt\n    frozen: true\n    deps:\n    - data.txt\n    outs:\n    - z.txt\n",
    );
    const status = await pipelineStatus(repo);
    // Observed: `dvc status --json` and `dvc status` (3.67.1) on the same workspace.
    expect(JSON.stringify(pipelineStatusJson(status))).toBe(
      '{"train":[{"changed deps":{"data.txt":"modified","params.yaml":{"lr":"modified"}}},"changed command"],' +
        '"other":[{"changed outs":{"o.txt":"deleted"}}],' +
        '"fresh":[{"changed deps":{"data.txt":"modified","params.yaml":"new"}},{"changed outs":{"f.txt":"deleted"}}],' +
        '"always":[{"changed deps":{"data.txt":"modified"}},"always changed"],' +
        '"frozen":[{"changed outs":{"z.txt":"deleted"}}]}',
    );
    expect(formatPipelineStatus(status)).toBe(
      [
        "train:",
        "\tchanged deps:",
        "\t\tmodified:           data.txt",
        "\t\tparams.yaml:",
        "\t\t\tmodified:           lr",
        "\tchanged command",
        "other:",
        "\tchanged outs:",
        "\t\tdeleted:            o.txt",
        "fresh:",
        "\tchanged deps:",
        "\t\tmodified:           data.txt",
        "\t\tnew:                params.yaml",
        "\tchanged outs:",
        "\t\tdeleted:            f.txt",
        "always:",
        "\tchanged deps:",
        "\t\tmodified:           data.txt",
        "\talways changed",
        "frozen:",
        "\tchanged outs:",
        "\t\tdeleted:            z.txt",
        "",
      ].join("\n"),
    );
    expect(status.frozen).toEqual(["frozen"]);
  });
});

describe("pipelineStatus with targets", () => {
  // Expected answers observed from `dvc status --json <targets>` (3.67.1) on the same layout.
  const CHAIN = `stages:
  prep:
    cmd: cat data.txt > prep.txt
    deps:
    - data.txt
    outs:
    - prep.txt
  train:
    cmd: cat prep.txt > model.txt
    deps:
    - prep.txt
    outs:
    - model.txt
  other:
    cmd: echo x > o.txt
    outs:
    - o.txt
`;
  const SUB = "stages:\n  s1:\n    cmd: echo s > s.txt\n    outs:\n    - s.txt\n";
  const json = async (targets: string[], options: { withDeps?: boolean; cwd?: string } = {}) =>
    pipelineStatusJson(await pipelineStatus(repo, { targets, ...options }));

  beforeEach(async () => {
    await writeFile(join(dir, "dvc.yaml"), CHAIN);
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "sub", "dvc.yaml"), SUB);
    await writeFile(join(dir, "raw.txt"), "raw\n");
    await addTargets(repo, [join(dir, "raw.txt")], { cwd: dir });
    await repro(repo, {});
    await writeFile(join(dir, "data.txt"), "b\n");
    await writeFile(join(dir, "model.txt"), "changed\n");
    await writeFile(join(dir, "raw.txt"), "rawb\n");
    await rm(join(dir, "o.txt"));
    await rm(join(dir, "sub", "s.txt"));
  });

  const prep = { prep: [{ "changed deps": { "data.txt": "modified" } }] };
  const train = { train: [{ "changed outs": { "model.txt": "modified" } }] };
  const other = { other: [{ "changed outs": { "o.txt": "deleted" } }] };
  const s1 = { "sub/dvc.yaml:s1": [{ "changed outs": { "sub/s.txt": "deleted" } }] };
  const raw = { "raw.txt.dvc": [{ "changed outs": { "raw.txt": "modified" } }] };

  it("selects a stage by name, by file:name and every stage of a dvc.yaml", async () => {
    expect(await json(["train"])).toEqual(train);
    expect(await json([":train"])).toEqual(train);
    expect(await json(["sub/dvc.yaml:s1"])).toEqual(s1);
    expect(await json(["dvc.yaml"])).toEqual({ ...prep, ...train, ...other });
  });

  it("adds the upstream stages with withDeps, upstream first", async () => {
    const status = await pipelineStatus(repo, { targets: ["train"], withDeps: true });
    expect(status.stages.map((entry) => entry.stage)).toEqual(["prep", "train"]);
  });

  it("selects the stage of an output path without its upstream, even with withDeps", async () => {
    expect(await json(["model.txt"], { withDeps: true })).toEqual(train);
    expect(await json(["sub/s.txt"])).toEqual(s1);
  });

  it("reports .dvc files and their outputs beside stages, in the targets' order", async () => {
    expect(Object.keys(await json(["raw.txt", "train"]))).toEqual(["raw.txt.dvc", "train"]);
    expect(await json(["train", "raw.txt.dvc"])).toEqual({ ...train, ...raw });
  });

  it("names stages and paths relative to the cwd, as dvc does from a subdirectory", async () => {
    expect(await json(["s1"], { cwd: join(dir, "sub") })).toEqual({
      s1: [{ "changed outs": { "s.txt": "deleted" } }],
    });
    expect(await json(["../o.txt"], { cwd: join(dir, "sub") })).toEqual({
      "../dvc.yaml:other": [{ "changed outs": { "../o.txt": "deleted" } }],
    });
  });

  it("rejects an unknown target with dvc's messages", async () => {
    await expect(json(["nosuch"])).rejects.toThrow(
      "'nosuch' does not exist as an output or a stage name in 'dvc.yaml': Stage 'nosuch' not found inside 'dvc.yaml' file",
    );
    await expect(json(["sub/dvc.yaml:x"])).rejects.toThrow(
      /^Stage 'x' not found inside 'sub\/dvc.yaml' file$/,
    );
    await expect(json(["sub/dvc.yaml:x"], { withDeps: true })).rejects.toThrow(
      "'sub/dvc.yaml:x' does not exist as an output or a stage name in 'sub/dvc.yaml': Stage 'x' not found",
    );
    await expect(json(["data.txt"])).rejects.toThrow(
      "'data.txt' does not exist as an output or a stage name",
    );
    await expect(json(["nofile.dvc"])).rejects.toThrow(`'${join(dir, "nofile.dvc")}' does not exist`);
  });
});
