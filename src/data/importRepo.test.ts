import { execFileSync } from "node:child_process";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import { closeDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";
import { dataStatus } from "./dataStatus.js";
import { readDvcFile } from "./dvcFile.js";
import { gitIn } from "./gitFixtures.js";
import { importRepo } from "./importRepo.js";
import { makeSourceRepo } from "./sourceRepoFixtures.js";
import { singleStageMd5 } from "./stageMd5.js";
import { updateImports } from "./updateImports.js";

let base: string;
let source: string;
let dir: string;
let repo: DataRepo;

beforeEach(async () => {
  ({ base, dir, repo } = await tempDataRepo({ prefix: "flowops-import-repo-", at: "repo", scm: "git" }));
  source = await makeSourceRepo(base);
});

const text = (path: string): Promise<string> => readFile(join(dir, path), "utf8");
const head = (rev = "HEAD"): string =>
  execFileSync("git", ["rev-parse", rev], { cwd: source, encoding: "utf8" }).trim();

describe("importRepo", () => {
  it("records the repository, the commit read and dvc's stage md5, and caches the data", async () => {
    const lines: string[] = [];
    await importRepo(repo, source, "data", undefined, {
      cwd: dir,
      onImporting: (from, to) => lines.push(`${from} -> ${to}`),
    });
    expect(lines).toEqual([`data (${source}) -> data`]);
    const dvcText = await text("data.dvc");
    const md5 = /^md5: (\w+)$/m.exec(dvcText)![1];
    expect(dvcText).toBe(
      `md5: ${md5}\nfrozen: true\ndeps:\n- path: data\n  repo:\n    url: ${source}\n    rev_lock: ${head()}\n` +
        "outs:\n- md5: 95beb326a40a563fdee3c40e02386d9e.dir\n  size: 14\n  nfiles: 3\n  hash: md5\n  path: data\n",
    );
    expect(md5).toBe(singleStageMd5((await readDvcFile(join(dir, "data.dvc"), dir)).raw));
    expect(await text("data/c.txt")).toBe("three\n");
    expect(await text(".gitignore")).toBe("/data\n");
    expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);
  });

  it("reads the commit, not the source's uncommitted edits, and records --rev before rev_lock", async () => {
    await chmod(join(source, "model.bin"), 0o644);
    await writeFile(join(source, "model.bin"), "uncommitted\n");
    await importRepo(repo, source, "model.bin", "m.bin", { cwd: dir });
    expect(await text("m.bin")).toBe("weights\n");
    await importRepo(repo, source, "data/sub", undefined, { cwd: dir, rev: "HEAD~1" });
    expect(await text("sub.dvc")).toContain(`    rev: HEAD~1\n    rev_lock: ${head("HEAD~1")}\n`);
    expect(await text("sub/b.txt")).toBe("two\n");
  });

  it("updates an import when its revision moved, and skips it otherwise", async () => {
    await importRepo(repo, source, "model.bin", undefined, { cwd: dir });
    const skipped: string[] = [];
    expect(
      await updateImports(repo, ["model.bin.dvc"], { cwd: dir, onSkipped: (m) => skipped.push(m) }),
    ).toEqual([]);
    expect(skipped).toEqual(["'model.bin.dvc' didn't change, skipping"]);
    const sourceRepo = await openDataRepo(source);
    await chmod(join(source, "model.bin"), 0o644);
    await writeFile(join(source, "model.bin"), "weights v2\n");
    await addTargets(sourceRepo, ["model.bin"], { cwd: source });
    closeDataRepo(sourceRepo);
    gitIn(() => source)("commit", "-qam", "three");
    expect(await updateImports(repo, ["model.bin.dvc"], { cwd: dir })).toEqual([join(dir, "model.bin.dvc")]);
    expect(await text("model.bin")).toBe("weights v2\n");
    expect(await text("model.bin.dvc")).toContain(`rev_lock: ${head()}\n`);
    const doc = await readDvcFile(join(dir, "model.bin.dvc"), dir);
    expect(doc.raw.md5).toBe(singleStageMd5(doc.raw));
    expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);
  });

  it("writes only the .dvc file with --no-exec, which update then completes", async () => {
    const lines: string[] = [];
    await importRepo(repo, source, "model.bin", undefined, {
      cwd: dir,
      noExec: true,
      onImporting: (from, to) => lines.push(`${from} -> ${to}`),
    });
    expect(lines).toEqual([]);
    expect(await text("model.bin.dvc")).toBe(
      `frozen: true\ndeps:\n- path: model.bin\n  repo:\n    url: ${source}\nouts:\n- hash: md5\n  path: model.bin\n`,
    );
    expect(await updateImports(repo, ["model.bin.dvc"], { cwd: dir })).toEqual([join(dir, "model.bin.dvc")]);
    expect(await text("model.bin")).toBe("weights\n");
    expect(await text("model.bin.dvc")).toContain(`    rev_lock: ${head()}\n`);
  });

  it("records the commit but no data with --no-download, and update brings the data", async () => {
    const lines: string[] = [];
    await importRepo(repo, source, "model.bin", "m", {
      cwd: dir,
      rev: "HEAD~1",
      noDownload: true,
      onImporting: (from, to) => lines.push(`${from} -> ${to}`),
    });
    expect(lines).toEqual([`model.bin (${source}) -> m`]);
    const body =
      `frozen: true\ndeps:\n- path: model.bin\n  repo:\n    url: ${source}\n    rev: HEAD~1\n` +
      `    rev_lock: ${head("HEAD~1")}\nouts:\n- hash: md5\n  path: m\n`;
    const dvcText = await text("m.dvc");
    expect(dvcText).toBe(`md5: ${/^md5: (\w+)$/m.exec(dvcText)![1]}\n${body}`);
    await expect(readFile(join(dir, "m"))).rejects.toThrow();
    expect(await updateImports(repo, ["m.dvc"], { cwd: dir })).toEqual([join(dir, "m.dvc")]);
    expect(await text("m")).toBe("weights\n");
  });

  it("drops the data and the out's hashes on update --no-download when the revision moves", async () => {
    await importRepo(repo, source, "model.bin", undefined, { cwd: dir });
    const skipped: string[] = [];
    const noDownload = {
      cwd: dir,
      mode: { kind: "no-download" as const },
      onSkipped: (m: string) => skipped.push(m),
    };
    expect(await updateImports(repo, ["model.bin.dvc"], noDownload)).toEqual([]);
    expect(skipped).toHaveLength(1);
    expect(await updateImports(repo, ["model.bin.dvc"], { ...noDownload, rev: "HEAD~1" })).toEqual([
      join(dir, "model.bin.dvc"),
    ]);
    await expect(readFile(join(dir, "model.bin"))).rejects.toThrow();
    const dvcText = await text("model.bin.dvc");
    expect(dvcText).toContain(`    rev_lock: ${head("HEAD~1")}\n    rev: HEAD~1\n`);
    expect(dvcText.endsWith("outs:\n- hash: md5\n  path: model.bin\n")).toBe(true);
  });
});
