import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
