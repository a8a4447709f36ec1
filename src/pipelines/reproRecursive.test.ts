import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addTargets } from "../data/addTargets.js";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { readPipelinesOrTrackedFiles } from "./pipelineFiles.js";
import { planStages, type ReproTargets } from "./reproPlan.js";

// Checked against dvc 3.67.1 (`collect_inside_path`, `get_subgraph_of_nodes`):
//   dvc repro -R pipe      -> pipe/raw/s.txt.dvc, a, b, pipe/extra/deeper/lonely.txt.dvc (a `.dvc` file too)
//   dvc repro -R only      -> only/o.txt.dvc, only/deep/d.txt.dvc (a directory's files before its subdirectories)
//   dvc repro -R plain     -> the whole graph, as `--glob nothing*` (no stage selected is no target)

let dir: string;
let repo: DataRepo;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-repro-recursive-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  repo = await initDataRepo(dir);
});

afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

const PIPE = `stages:
  a:
    cmd: cat raw/s.txt > a.txt
    deps: [raw/s.txt]
    outs: [a.txt]
  b:
    cmd: echo b > b.txt
    outs: [b.txt]
`;

async function write(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** The plan's items: stage names, and `.dvc` files by their path from the workspace. */
async function plan(options: ReproTargets, fromCwd = true): Promise<string[]> {
  const pipeline = await readPipelinesOrTrackedFiles({ root: dir, ignore: repo.ignore, scm: repo.scm });
  return planStages(pipeline, fromCwd ? { cwd: dir, ...options } : options).map((p) =>
    p.dataSource !== undefined ? relative(dir, p.name) : p.name,
  );
}

describe("repro -R", () => {
  beforeEach(async () => {
    await write({ "pipe/raw/s.txt": "s\n", "pipe/extra/deeper/lonely.txt": "l\n", "plain/p.txt": "p\n" });
    await addTargets(repo, ["pipe/raw/s.txt", "pipe/extra/deeper/lonely.txt"], { cwd: dir });
  });

  it("takes the `.dvc` files inside the directory, at any depth, with its dvc.yaml's stages", async () => {
    await write({ "pipe/dvc.yaml": PIPE });
    expect(await plan({ targets: ["pipe"], recursive: true })).toEqual([
      "pipe/raw/s.txt.dvc",
      "pipe/dvc.yaml:a",
      "pipe/dvc.yaml:b",
      "pipe/extra/deeper/lonely.txt.dvc",
    ]);
    expect(await plan({ targets: ["pipe/extra"], recursive: true })).toEqual([
      "pipe/extra/deeper/lonely.txt.dvc",
    ]);
  });

  it("walks a directory's files before its subdirectories, as dvc's index", async () => {
    await write({ "only/o.txt": "o\n", "only/deep/d.txt": "d\n" });
    await addTargets(repo, ["only/o.txt", "only/deep/d.txt"], { cwd: dir });
    expect(await plan({ targets: ["only"], recursive: true })).toEqual([
      "only/o.txt.dvc",
      "only/deep/d.txt.dvc",
    ]);
  });

  it("plans the whole graph when the targets select nothing", async () => {
    await write({ "pipe/dvc.yaml": PIPE });
    // -P: no cwd, no targets.
    const whole = await plan({}, false);
    expect(whole).toEqual([
      "pipe/raw/s.txt.dvc",
      "pipe/dvc.yaml:a",
      "pipe/dvc.yaml:b",
      "pipe/extra/deeper/lonely.txt.dvc",
    ]);
    expect(await plan({ targets: ["plain"], recursive: true })).toEqual(whole);
    // A --glob pattern is matched against the names of the cwd's dvc.yaml: a `.dvc` file's name matches none.
    const pipe = join(dir, "pipe");
    expect(await plan({ targets: ["nothing*"], glob: true, cwd: pipe })).toEqual(whole);
    expect(await plan({ targets: ["raw/s.txt.dvc"], glob: true, cwd: pipe })).toEqual(whole);
    // -s runs the items collected, none.
    expect(await plan({ targets: ["plain"], recursive: true, singleItem: true })).toEqual([]);
  });
});
