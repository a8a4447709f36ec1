import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { buildDag, parseStageTarget } from "./pipelineDag.js";
import { findPipelineFiles, readPipelines } from "./pipelineFiles.js";
import { repro, type ReproOptions } from "./repro.js";

let dir: string;
let repo: DataRepo | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-pipeline-files-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
});

afterEach(async () => {
  if (repo !== undefined) closeDataRepo(repo);
  repo = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function setUp(files: Record<string, string>): Promise<DataRepo> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  repo = await initDataRepo(dir);
  return repo;
}

async function outcomes(options: ReproOptions = {}): Promise<Record<string, string>> {
  if (repo === undefined) throw new Error("setUp first");
  const result = await repro(repo, options);
  return Object.fromEntries(result.stages.map((s) => [s.name, s.outcome]));
}

const read = (path: string): Promise<string> => readFile(join(dir, path), "utf8");

// prep/dvc.yaml's stage runs in prep/ and reads prep/params.yaml; the root stage uses its output.
const TWO_FILES = {
  "prep/dvc.yaml": `stages:
  clean:
    cmd: tr a-z A-Z < raw.txt > clean.txt && echo clean >> ../runs.log
    deps:
    - raw.txt
    params:
    - threshold
    outs:
    - clean.txt
`,
  "prep/params.yaml": "threshold: 3\n",
  "prep/raw.txt": "abc\n",
  "dvc.yaml": `stages:
  train:
    cmd: cat prep/clean.txt > model.txt && echo train >> runs.log
    deps:
    - prep/clean.txt
    outs:
    - model.txt
`,
};

describe("findPipelineFiles", () => {
  it("finds every dvc.yaml but none inside a stage output, a .dvc-tracked directory or a .dvcignored one", async () => {
    await setUp({
      ...TWO_FILES,
      "data.dvc": "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  path: data\n",
      "data/dvc.yaml": "stages: {}\n",
      "prep/clean.txt/dvc.yaml": "stages: {}\n",
      "skipped/dvc.yaml": "stages: {}\n",
      ".dvcignore": "skipped\n",
    });
    expect(await findPipelineFiles(repo!)).toEqual([join(dir, "dvc.yaml"), join(dir, "prep", "dvc.yaml")]);
  });

  it("skips gitignored directories and gitignored dvc.yaml files, as dvc does", async () => {
    await setUp({
      ...TWO_FILES,
      ".gitignore": ".venv/\n",
      ".venv/lib/dvc.yaml": "stages: {}\n",
      "notes/.gitignore": "dvc.yaml\n",
      "notes/dvc.yaml": "stages: {}\n",
    });
    expect(await findPipelineFiles(repo!)).toEqual([join(dir, "dvc.yaml"), join(dir, "prep", "dvc.yaml")]);
  });
});

describe("readPipelines", () => {
  it("addresses a subdirectory's stages as dvc does and resolves their paths from that directory", async () => {
    await setUp({
      ...TWO_FILES,
      "prep/dvc.yaml": `${TWO_FILES["prep/dvc.yaml"]}metrics:\n- scores.json\n`,
    });
    const pipeline = await readPipelines(repo!);
    expect(pipeline.stages.map((s) => [s.name, s.lockName, s.relWdir])).toEqual([
      ["train", "train", "."],
      ["prep/dvc.yaml:clean", "clean", "prep"],
    ]);
    expect(pipeline.metrics).toEqual(["prep/scores.json"]);
    expect(buildDag(pipeline).edges).toEqual([["prep/dvc.yaml:clean", "train"]]);
  });

  it("names both stages and their files when two files declare the same output", async () => {
    await setUp({
      ...TWO_FILES,
      "dvc.yaml": "stages:\n  copy:\n    cmd: echo x > prep/clean.txt\n    outs:\n    - prep/clean.txt\n",
    });
    const pipelineRead = await readPipelines(repo!);
    expect(() => buildDag(pipelineRead)).toThrow(
      /output 'prep\/clean.txt' is declared by both stage 'copy' \(dvc.yaml:2\) and stage 'prep\/dvc.yaml:clean' \(prep\/dvc.yaml:2\)/,
    );
  });

  it("names the stages and files of a cycle that crosses two dvc.yaml files", async () => {
    await setUp({
      ...TWO_FILES,
      "prep/dvc.yaml": TWO_FILES["prep/dvc.yaml"].replace("- raw.txt", "- ../model.txt"),
    });
    const pipelineRead = await readPipelines(repo!);
    expect(() => buildDag(pipelineRead)).toThrow(
      /cycle in the pipeline: stage .*prep\/dvc.yaml:clean.*train.* \(defined at .*dvc.yaml:2.*prep\/dvc.yaml:2/,
    );
  });
});

// Regression: the error said "dvc.yaml: file not found" of a dvc.yaml that was there, hidden by .dvcignore.
describe("readPipelines with a dvc.yaml that .dvcignore hides", () => {
  it("says the dvc.yaml is dvc-ignored and names the .dvcignore, as dvc does", async () => {
    const repo = await setUp({ "dvc.yaml": "stages:\n  a:\n    cmd: echo a\n", ".dvcignore": "*\n" });
    await expect(readPipelines(repo)).rejects.toThrow(
      `${join(dir, "dvc.yaml")} is dvc-ignored (a pattern in ${join(dir, ".dvcignore")} matches it)`,
    );
  });
});

describe("readPipelines with a dvc.lock that Git ignores", () => {
  it("refuses a subdirectory's ignored dvc.lock, present or not, as dvc's index does", async () => {
    await setUp({ ...TWO_FILES, "prep/.gitignore": "dvc.lock\n" });
    await expect(readPipelines(repo!)).rejects.toThrow(`'${join(dir, "prep", "dvc.lock")}' is git-ignored.`);
    await expect(findPipelineFiles(repo!)).resolves.toHaveLength(2);
  });

  it("reads the pipeline when DVC keeps the repo out of Git (core.no_scm)", async () => {
    await setUp({ ...TWO_FILES, ".gitignore": "dvc.lock\n" });
    expect((await readPipelines({ ...repo!, scm: false })).files).toHaveLength(2);
  });
});

describe("parseStageTarget", () => {
  it("reads targets as dvc's parse_target does", () => {
    expect(parseStageTarget("train")).toEqual({ file: "dvc.yaml", name: "train" });
    expect(parseStageTarget("dvc.yaml:train")).toEqual({ file: "dvc.yaml", name: "train" });
    expect(parseStageTarget("./prep/dvc.yaml:clean")).toEqual({ file: "prep/dvc.yaml", name: "clean" });
    expect(parseStageTarget("prep/dvc.yaml")).toEqual({ file: "prep/dvc.yaml" });
    expect(parseStageTarget("prep/dvc.yaml:build@a:b")).toEqual({ file: "prep/dvc.yaml", name: "build@a:b" });
    expect(parseStageTarget("prep/data.dvc")).toEqual({ file: "prep/data.dvc" });
    expect(parseStageTarget("build@a")).toEqual({ file: "dvc.yaml", name: "build@a" });
    expect(() => parseStageTarget("prep/dvc.lock:clean")).toThrow("Did you mean: `prep/dvc.yaml:clean`?");
  });
});

describe("repro over several dvc.yaml files", () => {
  it("runs upstream files first, writes each dvc.lock beside its dvc.yaml, then does nothing", async () => {
    await setUp(TWO_FILES);
    expect(await outcomes()).toEqual({ "prep/dvc.yaml:clean": "ran", train: "ran" });
    expect(await read("prep/clean.txt")).toBe("ABC\n");
    expect(await read("runs.log")).toBe("clean\ntrain\n");
    const prepLock = await read("prep/dvc.lock");
    expect(prepLock).toMatch(/^schema: '2.0'\nstages:\n {2}clean:\n {4}cmd: tr a-z A-Z/);
    expect(prepLock).toContain("    params:\n      params.yaml:\n        threshold: 3\n");
    expect(prepLock).toContain("    - path: clean.txt\n");
    const rootLock = await read("dvc.lock");
    expect(rootLock).toMatch(/^schema: '2.0'\nstages:\n {2}train:\n/);
    expect(rootLock).not.toContain("clean:");

    expect(await outcomes()).toEqual({ "prep/dvc.yaml:clean": "skipped", train: "skipped" });
    expect(await read("runs.log")).toBe("clean\ntrain\n");
  });

  it("reruns a subdirectory's stage when the params.yaml beside its dvc.yaml changes", async () => {
    await setUp(TWO_FILES);
    await outcomes();
    await writeFile(join(dir, "prep", "params.yaml"), "threshold: 4\n");
    const after = await outcomes({ runCache: false });
    expect(after["prep/dvc.yaml:clean"]).toBe("ran");
  });

  it("takes a stage of another file as a target, and a whole file", async () => {
    await setUp(TWO_FILES);
    expect(await outcomes({ targets: ["prep/dvc.yaml:clean"] })).toEqual({ "prep/dvc.yaml:clean": "ran" });
    expect(await outcomes({ targets: ["prep/dvc.yaml"], dry: true })).toEqual({
      "prep/dvc.yaml:clean": "skipped",
    });
    expect(await outcomes({ targets: ["train"] })).toEqual({
      "prep/dvc.yaml:clean": "skipped",
      train: "ran",
    });
    await expect(outcomes({ targets: ["clean"] })).rejects.toThrow(
      "Stage 'clean' not found inside 'dvc.yaml' file",
    );
  });

  it("from a subdirectory runs only that directory's dvc.yaml, and takes ../dvc.yaml targets", async () => {
    await setUp({ ...TWO_FILES, "other/dvc.yaml": "stages:\n  o:\n    cmd: echo o >> ../runs.log\n" });
    const prep = join(dir, "prep");
    expect(await outcomes({ cwd: prep, dry: true })).toEqual({ "prep/dvc.yaml:clean": "skipped" });
    expect(await outcomes({ cwd: prep, targets: ["../dvc.yaml:train"] })).toEqual({
      "prep/dvc.yaml:clean": "ran",
      train: "ran",
    });
    // From the root too, dvc's default is the cwd's dvc.yaml: an unrelated file's stages are not run.
    expect(await outcomes({ cwd: dir })).toEqual({ "prep/dvc.yaml:clean": "skipped", train: "skipped" });
    expect(await read("runs.log")).toBe("clean\ntrain\n");
    // Without a cwd (`dvc repro --all-pipelines`) every dvc.yaml is.
    expect(await outcomes()).toEqual({
      "other/dvc.yaml:o": "ran",
      "prep/dvc.yaml:clean": "skipped",
      train: "skipped",
    });
  });
});
