import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo } from "../data/dataRepo.js";
import type { Pipeline } from "./dvcYaml.js";
import { metricsDiff, metricsShow } from "./metricsFiles.js";
import { repro } from "./repro.js";
import { readPipelinesAt, withPipelinesAt } from "./revisionPipelines.js";
import { TrackedFileReader } from "./trackedFileText.js";

// A stage's `metrics:` are cached by default: git-ignored, so Git holds only dvc.lock's md5 of them.
const PIPELINE = "stages:\n  ev:\n    cmd: cp v.json m.json\n    deps: [v.json]\n    metrics: [m.json]\n";

describe("metrics of cached outs, read through dvc.lock and the cache as dvc does", () => {
  let root: string;
  const git = (...args: string[]): void => {
    execFileSync("git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@t", ...args], {
      stdio: "ignore",
    });
  };
  const reproduce = async (acc: number): Promise<void> => {
    await writeFile(join(root, "v.json"), JSON.stringify({ acc }));
    const repo = await openDataRepo(root);
    try {
      expect((await repro(repo, { runCache: false })).ok).toBe(true);
    } finally {
      closeDataRepo(repo);
    }
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "flowops-cached-metrics-"));
    git("init", "-q");
    closeDataRepo(await initDataRepo(root));
    await writeFile(join(root, "dvc.yaml"), PIPELINE);
    await reproduce(0.5);
    git("add", "-A");
    git("commit", "-qm", "v1");
    await reproduce(0.7);
    git("add", "-A");
    git("commit", "-qm", "v2");
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("diffs two revisions whose metrics only the cache holds", async () => {
    const diff = await metricsDiff(root, "HEAD~1", "HEAD");
    expect(diff["m.json"]?.acc).toMatchObject({ old: 0.5, new: 0.7 });
  });

  it("shows a workspace metric whose file was deleted from the workspace, and diffs it against HEAD", async () => {
    await rm(join(root, "m.json"));
    expect((await metricsShow(root))[""]?.data["m.json"]).toEqual({ data: { acc: 0.7 } });
    expect((await metricsShow(root, "HEAD~1"))["HEAD~1"]?.data["m.json"]).toEqual({ data: { acc: 0.5 } });
    expect(await metricsDiff(root, "HEAD~1")).toMatchObject({ "m.json": { acc: { old: 0.5, new: 0.7 } } });
  });
});

describe("files of .dvc outs and of cached directories, at a revision", () => {
  let root: string;
  const git = (...args: string[]): void => {
    execFileSync("git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@t", ...args], {
      stdio: "ignore",
    });
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "flowops-cached-files-"));
    git("init", "-q");
    closeDataRepo(await initDataRepo(root));
    await writeFile(
      join(root, "dvc.yaml"),
      "stages:\n  make:\n    cmd: mkdir -p curves && echo one > curves/a.txt\n    outs: [curves]\n",
    );
    const repo = await openDataRepo(root);
    try {
      expect((await repro(repo, { runCache: false })).ok).toBe(true);
    } finally {
      closeDataRepo(repo);
    }
    git("add", "-A");
    git("commit", "-qm", "v1");
    await rm(join(root, "curves"), { recursive: true });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("lists a cached directory from its manifest and reads a file inside it from the cache", async () => {
    const reader = new TrackedFileReader(root);
    const read = (rev?: string) => async (pipeline: Pipeline | undefined) => [
      await reader.listCachedFiles("curves", rev, pipeline),
      (await reader.readBytes("curves/a.txt", rev, pipeline))?.toString(),
    ];
    try {
      // The directory was deleted from the workspace: both the workspace and HEAD find it in the cache.
      expect(await read()(await readPipelinesAt(root, undefined))).toEqual([["curves/a.txt"], "one\n"]);
      expect(await withPipelinesAt(root, "HEAD", read("HEAD"))).toEqual([["curves/a.txt"], "one\n"]);
      expect(
        await reader.listCachedFiles("elsewhere", undefined, await readPipelinesAt(root, undefined)),
      ).toBe(undefined);
    } finally {
      reader.close();
    }
  });
});
