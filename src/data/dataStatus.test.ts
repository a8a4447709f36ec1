import { mkdir, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { cacheHasAll, dataStatus, formatStatus, statusJson } from "./dataStatus.js";
import { readDvcFile } from "./dvcFile.js";
import { writeDvc2CrlfFile } from "../../test/support/dvc2Entries.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-status-", scm: "none" }));
  await writeFile(join(dir, "foo"), "foo\n");
  await mkdir(join(dir, "d"));
  await writeFile(join(dir, "d", "a"), "a\n");
  await writeFile(join(dir, "d", "b"), "b\n");
  await addTargets(repo, ["foo", "d"], { cwd: dir });
});

describe("dataStatus", () => {
  it("reports nothing for an unchanged workspace, with dvc's message", async () => {
    const entries = await dataStatus(repo, [], { cwd: dir });
    expect(statusJson(entries)).toEqual({});
    expect(formatStatus(entries)).toBe("Data and pipelines are up to date.\n");
  });

  it("reports modified files and directories in dvc status --json shape and text", async () => {
    await writeFile(join(dir, "foo"), "bar\n");
    await writeFile(join(dir, "d", "c"), "c\n");
    const entries = await dataStatus(repo, [], { cwd: dir });
    // Observed: `dvc status --json` after the same edits.
    expect(JSON.stringify(statusJson(entries))).toBe(
      '{"d.dvc":[{"changed outs":{"d":"modified"}}],"foo.dvc":[{"changed outs":{"foo":"modified"}}]}',
    );
    expect(formatStatus(entries)).toBe(
      "d.dvc:\n\tchanged outs:\n\t\tmodified:           d\nfoo.dvc:\n\tchanged outs:\n\t\tmodified:           foo\n",
    );
  });

  it("reads a DVC 2 entry of a text file with CRLF by its md5-dos2unix hash, unchanged", async () => {
    await writeDvc2CrlfFile(dir);
    expect(statusJson(await dataStatus(repo, [], { cwd: dir }))).toEqual({});
    await writeFile(join(dir, "crlf.txt"), "line1\r\nchanged\r\n");
    expect(statusJson(await dataStatus(repo, [], { cwd: dir }))).toEqual({
      "crlf.txt.dvc": [{ "changed outs": { "crlf.txt": "modified" } }],
    });
  });

  it("reports a deleted out, and not in cache before deleted, as dvc does", async () => {
    await rm(join(dir, "foo"));
    expect(statusJson(await dataStatus(repo, ["foo.dvc"], { cwd: dir }))).toEqual({
      "foo.dvc": [{ "changed outs": { foo: "deleted" } }],
    });
    await rm(join(dir, ".dvc", "cache"), { recursive: true });
    expect(statusJson(await dataStatus(repo, [], { cwd: dir }))).toEqual({
      "d.dvc": [{ "changed outs": { d: "not in cache" } }],
      "foo.dvc": [{ "changed outs": { foo: "not in cache" } }],
    });
  });

  it("reports a directory whose file objects are missing as not in cache", async () => {
    await rm(join(dir, ".dvc", "cache", "files", "md5", "60"), { recursive: true });
    expect(statusJson(await dataStatus(repo, ["d"], { cwd: dir }))).toEqual({
      "d.dvc": [{ "changed outs": { d: "not in cache" } }],
    });
  });

  it("names paths relative to the cwd and rejects unknown targets", async () => {
    await writeFile(join(dir, "foo"), "bar\n");
    expect(statusJson(await dataStatus(repo, [], { cwd: join(dir, "d") }))).toEqual({
      "../foo.dvc": [{ "changed outs": { "../foo": "modified" } }],
    });
    await expect(dataStatus(repo, ["nope"], { cwd: dir })).rejects.toThrow(/'nope' does not exist/);
  });

  it("remembers a complete directory until an object is removed from the cache", async () => {
    const { md5 } = (await readDvcFile(join(dir, "d.dvc"), dir)).outs[0]!;
    // A listing changed in the last two seconds is not trusted; age the fan-out directories.
    const fanOut = join(dir, ".dvc", "cache", "files", "md5");
    const past = new Date(Date.now() - 60_000);
    for (const name of await readdir(fanOut)) await utimes(join(fanOut, name), past, past);
    expect(await cacheHasAll(repo, md5!)).toBe(true);
    const readManifest = vi.spyOn(repo.cache, "readDirManifest");
    expect(await cacheHasAll(repo, md5!)).toBe(true);
    expect(readManifest).not.toHaveBeenCalled();
    await rm(join(fanOut, "60"), { recursive: true });
    expect(await cacheHasAll(repo, md5!)).toBe(false);
    expect(readManifest).toHaveBeenCalled();
  });
});
