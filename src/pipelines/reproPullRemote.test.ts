// `repro --pull` with no default remote, beside what dvc 3.67.1 does (compat:
// tests/compat/dvc/test_dvc_repro_pull_more.py): the restore's pull fails the stage with dvc's NoRemoteError
// whenever there is an entry to restore from, even one whose objects are all in the cache.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "../data/dataRepo.js";
import { repro, type ReproResult } from "./repro.js";
import { pullRunCache, reproPull } from "./reproPull.js";

let dir: string;
let repo: DataRepo;

const STAGE = `stages:
  prep:
    cmd: cp data.txt s.txt && echo more >> s.txt && echo ran >> runs.log
    deps:
    - data.txt
    outs:
    - s.txt
`;
const NO_REMOTE = (root: string): string =>
  `failed to reproduce 'prep': config file error: no remote specified in ${root}. Create a default remote ` +
  "with\n    flowops data remote add -d <remote name> <remote url>";

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-repro-pull-remote-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  closeDataRepo(await initDataRepo(dir));
  await writeFile(join(dir, "data.txt"), "data\n");
  await writeFile(join(dir, "dvc.yaml"), STAGE);
  repo = await openDataRepo(dir);
  // A first run without --pull: dvc.lock, the cache and a run-cache entry.
  expect((await repro(repo, { cwd: dir })).ok).toBe(true);
  await rm(join(dir, "runs.log"));
  closeDataRepo(repo);
  repo = await openDataRepo(dir);
});

afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

const reproPulling = (options: { runCache?: false } = {}): Promise<ReproResult> =>
  repro(repo, { pull: reproPull(repo, { cwd: dir, ...options }), cwd: dir, ...options });

const prep = (result: ReproResult): string => {
  const stage = result.stages.find((s) => s.name === "prep");
  return `${stage?.outcome}:${stage?.message ?? ""}`;
};

it.each([{}, { runCache: false as const }])(
  "fails a stage whose out is edited, though its object is in the cache (%o)",
  async (options) => {
    await writeFile(join(dir, "s.txt"), "edited\n");
    const result = await reproPulling(options);
    expect(prep(result)).toBe(`failed:${NO_REMOTE(dir)}`);
    // dvc's `Stage.run` removed the outs before the restore failed.
    expect(existsSync(join(dir, "s.txt"))).toBe(false);
    expect(existsSync(join(dir, "runs.log"))).toBe(false);
  },
);

it("fails a stage the run-cache would restore", async () => {
  await writeFile(join(dir, "data.txt"), "other\n");
  expect((await repro(repo, { cwd: dir })).ok).toBe(true);
  await writeFile(join(dir, "data.txt"), "data\n");
  await rm(join(dir, "runs.log"));
  expect(prep(await reproPulling())).toBe(`failed:${NO_REMOTE(dir)}`);
  expect(existsSync(join(dir, "runs.log"))).toBe(false);
});

it("fails a stage whose out would not pull rather than run it", async () => {
  const lock = await readFile(join(dir, "dvc.lock"), "utf8");
  const oid = /path: s\.txt\n\s+hash: md5\n\s+md5: (\w+)/.exec(lock)?.[1] ?? "missing";
  await rm(join(dir, ".dvc", "cache", "files", "md5", oid.slice(0, 2)), { recursive: true });
  await rm(join(dir, "s.txt"));
  expect(prep(await reproPulling())).toBe(`failed:${NO_REMOTE(dir)}`);
  expect(existsSync(join(dir, "runs.log"))).toBe(false);
});

it("runs a stage with nothing to restore from", async () => {
  await writeFile(join(dir, "data.txt"), "new\n");
  expect(prep(await reproPulling())).toBe("ran:");
  expect(await readFile(join(dir, "runs.log"), "utf8")).toBe("ran\n");
});

it("checks out outs whose objects are in the cache without a remote", async () => {
  await rm(join(dir, "s.txt"));
  expect(prep(await reproPulling())).toBe("skipped:pulled");
  expect(await readFile(join(dir, "s.txt"), "utf8")).toBe("data\nmore\n");
});

describe("with core.remote naming no remote, as dvc's RemoteNotFoundError", () => {
  const NOT_FOUND = "failed to reproduce 'prep': config file error: remote 'nosuch' doesn't exist";
  const pullingWarned = async (): Promise<{ result: ReproResult; warnings: string[] }> => {
    await writeFile(join(dir, ".dvc", "config"), "[core]\n    remote = nosuch\n");
    closeDataRepo(repo);
    repo = await openDataRepo(dir);
    const warnings: string[] = [];
    const pull = reproPull(repo, { cwd: dir, onWarning: (message) => warnings.push(message) });
    return { result: await repro(repo, { pull, cwd: dir }), warnings };
  };

  it("fails a stage whose outs it would pull, after the warning that the workspace was not collected", async () => {
    await rm(join(dir, "s.txt"));
    const { result, warnings } = await pullingWarned();
    expect(prep(result)).toBe(`failed:${NOT_FOUND}`);
    expect(warnings).toEqual(["failed to collect 'workspace', skipping"]);
  });

  it("fails a stage the restore would pull for, without it", async () => {
    await writeFile(join(dir, "s.txt"), "edited\n");
    const { result, warnings } = await pullingWarned();
    expect(prep(result)).toBe(`failed:${NOT_FOUND}`);
    expect(warnings).toEqual([]);
    expect(existsSync(join(dir, "runs.log"))).toBe(false);
  });

  it("fails the run-cache pull with the same words", async () => {
    await writeFile(join(dir, ".dvc", "config"), "[core]\n    remote = nosuch\n");
    closeDataRepo(repo);
    repo = await openDataRepo(dir);
    await expect(pullRunCache(repo)).rejects.toThrow(/^config file error: remote 'nosuch' doesn't exist$/);
  });
});
