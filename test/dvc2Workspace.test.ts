/**
 * A workspace as dvc 2.58.2 left it (test/fixtures/data/dvc2-crlf.tar): a tracked directory and a file whose
 * text files have CRLF line ends, recorded by their md5-dos2unix hashes. dvc 3 calls it up to date and has
 * nothing to check out; so must we, without touching a byte.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkoutTargets } from "../src/data/checkoutTargets.js";
import { closeDataRepo, openDataRepo, type DataRepo } from "../src/data/dataRepo.js";
import { dataStatus, statusJson } from "../src/data/dataStatus.js";
import { pipelineStatus, pipelineStatusJson } from "../src/pipelines/pipelineStatus.js";
import { repro } from "../src/pipelines/repro.js";

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/data/${name}`, import.meta.url));

let dir: string;
let repo: DataRepo | undefined;
async function extract(name: string): Promise<DataRepo> {
  dir = await mkdtemp(join(tmpdir(), "flowops-dvc2-"));
  execFileSync("tar", ["-xf", fixture(name), "-C", dir]);
  repo = await openDataRepo(dir);
  return repo;
}
afterEach(async () => {
  if (repo !== undefined) closeDataRepo(repo);
  repo = undefined;
  await rm(dir, { recursive: true, force: true });
});

const status = async () => statusJson(await dataStatus(repo!, [], { cwd: dir }));

describe("a DVC 2 workspace with CRLF text files", () => {
  beforeEach(async () => {
    await extract("dvc2-crlf.tar");
  });

  it("is up to date, directory and file alike", async () => {
    expect(await status()).toEqual({});
  });

  it("has nothing to check out, and its files keep their CRLF bytes", async () => {
    const summary = await checkoutTargets(repo!, [], { cwd: dir });
    expect(summary.stats).toEqual({ added: 0, modified: 0, deleted: 0 });
    expect(summary.modified).toEqual([]);
    expect(await readFile(join(dir, "data", "crlf.txt"), "latin1")).toBe("a\r\nb\r\n");
  });

  it("still sees a real change inside the directory, and checks out only that file", async () => {
    await writeFile(join(dir, "data", "sub", "deep.txt"), "deep\r\nmore\r\n");
    expect(await status()).toEqual({ "data.dvc": [{ "changed outs": { data: "modified" } }] });
    const summary = await checkoutTargets(repo!, [], { cwd: dir, force: true });
    expect(summary.stats).toEqual({ added: 0, modified: 1, deleted: 0 });
    expect(await readFile(join(dir, "data", "sub", "deep.txt"), "latin1")).toBe("deep\r\n");
    expect(await status()).toEqual({});
  });

  it("restores a deleted directory from the legacy cache with its original bytes", async () => {
    await rm(join(dir, "data"), { recursive: true });
    const summary = await checkoutTargets(repo!, [], { cwd: dir });
    expect(summary.stats.added).toBe(4);
    expect(await readFile(join(dir, "data", "crlf.txt"), "latin1")).toBe("a\r\nb\r\n");
    expect(await readFile(join(dir, "data", "bin.dat"), "latin1")).toBe("bin\0ary\r\n");
    expect(await status()).toEqual({});
  });
});

describe("a DVC 2 pipeline whose dvc.lock records CRLF text by md5-dos2unix", () => {
  const stageStatus = async (r: DataRepo) => pipelineStatusJson(await pipelineStatus(r));

  it("is up to date: nothing to report, nothing to run", async () => {
    const r = await extract("dvc2-pipeline.tar");
    expect(await stageStatus(r)).toEqual({});
    const result = await repro(r, { dry: true });
    expect(result.stages.map((stage) => [stage.name, stage.outcome])).toEqual([["prep", "skipped"]]);
  });

  it("still sees a changed dependency", async () => {
    const r = await extract("dvc2-pipeline.tar");
    await writeFile(join(dir, "input.txt"), "in\r\nother\r\n");
    expect(await stageStatus(r)).toEqual({ prep: [{ "changed deps": { "input.txt": "modified" } }] });
  });
});
