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

const FIXTURE = fileURLToPath(new URL("./fixtures/data/dvc2-crlf.tar", import.meta.url));

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-dvc2-"));
  execFileSync("tar", ["-xf", FIXTURE, "-C", dir]);
  repo = await openDataRepo(dir);
});
afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

const status = async () => statusJson(await dataStatus(repo, [], { cwd: dir }));

describe("a DVC 2 workspace with CRLF text files", () => {
  it("is up to date, directory and file alike", async () => {
    expect(await status()).toEqual({});
  });

  it("has nothing to check out, and its files keep their CRLF bytes", async () => {
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.stats).toEqual({ added: 0, modified: 0, deleted: 0 });
    expect(summary.modified).toEqual([]);
    expect(await readFile(join(dir, "data", "crlf.txt"), "latin1")).toBe("a\r\nb\r\n");
  });

  it("still sees a real change inside the directory, and checks out only that file", async () => {
    await writeFile(join(dir, "data", "sub", "deep.txt"), "deep\r\nmore\r\n");
    expect(await status()).toEqual({ "data.dvc": [{ "changed outs": { data: "modified" } }] });
    const summary = await checkoutTargets(repo, [], { cwd: dir, force: true });
    expect(summary.stats).toEqual({ added: 0, modified: 1, deleted: 0 });
    expect(await readFile(join(dir, "data", "sub", "deep.txt"), "latin1")).toBe("deep\r\n");
    expect(await status()).toEqual({});
  });

  it("restores a deleted directory from the legacy cache with its original bytes", async () => {
    await rm(join(dir, "data"), { recursive: true });
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.stats.added).toBe(4);
    expect(await readFile(join(dir, "data", "crlf.txt"), "latin1")).toBe("a\r\nb\r\n");
    expect(await readFile(join(dir, "data", "bin.dat"), "latin1")).toBe("bin\0ary\r\n");
    expect(await status()).toEqual({});
  });
});
