import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { addStage } from "./addStage.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-stage-add-"));
  await mkdir(join(dir, ".git"));
  repo = await initDataRepo(dir);
});
afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

it("writes the stage as dvc lays it out and ignores its cached outputs at once", async () => {
  const added = await addStage(
    repo,
    {
      name: "train",
      cmd: "python train.py",
      deps: ["data"],
      params: ["lr", "b.yaml:"],
      outs: ["model"],
      metricsNoCache: ["m.json"],
    },
    { cwd: dir },
  );
  expect(added).toEqual({
    message: "Added stage 'train' in 'dvc.yaml'",
    toTrack: ["dvc.yaml", ".gitignore"],
    ignored: [join(dir, "model")],
  });
  expect(await readFile(join(dir, "dvc.yaml"), "utf8")).toBe(
    "stages:\n  train:\n    cmd: python train.py\n    deps:\n    - data\n    params:\n    - lr\n    - b.yaml:\n" +
      "    outs:\n    - model\n    metrics:\n    - m.json:\n        cache: false\n",
  );
  expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe("/model\n");
});

it("refuses a cycle or an output declared twice before writing anything", async () => {
  await addStage(repo, { name: "a", cmd: "x", deps: ["b.out"], outs: ["a.out"] }, { cwd: dir });
  const before = await readFile(join(dir, "dvc.yaml"), "utf8");
  await expect(
    addStage(repo, { name: "b", cmd: "y", deps: ["a.out"], outs: ["b.out"] }, { cwd: dir }),
  ).rejects.toThrow(/cycle/i);
  await expect(addStage(repo, { name: "c", cmd: "z", outs: ["a.out"] }, { cwd: dir })).rejects.toThrow(
    "output 'a.out' is already specified in stage: 'a'.",
  );
  expect(await readFile(join(dir, "dvc.yaml"), "utf8")).toBe(before);
});
