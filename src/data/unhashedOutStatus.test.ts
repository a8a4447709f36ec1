/**
 * Regression: an out or import source whose `.dvc` file records no hash read "new" in `data status`, where dvc
 * 3.67.1 says "modified" (its workspace_status compares hashes before it asks whether one was recorded).
 * Every expectation here is `dvc status` / `dvc status --json` run on the same files.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import { dataStatus, formatStatus, statusJson } from "./dataStatus.js";

interface UnhashedProject {
  dir: string;
  status: () => ReturnType<typeof dataStatus>;
  /** Puts `path`'s content in the cache, as the dvc runs had it, so its out reads up to date. */
  cache: (path: string) => Promise<unknown>;
}

async function unhashedProject(): Promise<UnhashedProject> {
  const { dir, repo } = await tempDataRepo({ prefix: "flowops-unhashed-status-", scm: "none" });
  return {
    dir,
    status: () => dataStatus(repo, [], { cwd: dir }),
    cache: (path) => addTargets(repo, [path], { cwd: dir }),
  };
}

describe("data status of an out that records no hash", () => {
  it("calls a present file, directory, empty directory or cache: false out modified, a missing one deleted", async () => {
    const { dir, status } = await unhashedProject();
    await writeFile(join(dir, "f"), "hi\n");
    await writeFile(join(dir, "f.dvc"), "outs:\n- path: f\n");
    await mkdir(join(dir, "d"));
    await writeFile(join(dir, "d", "a"), "a\n");
    await writeFile(join(dir, "d.dvc"), "outs:\n- path: d\n");
    await mkdir(join(dir, "ed"));
    await writeFile(join(dir, "ed.dvc"), "outs:\n- path: ed\n");
    await writeFile(join(dir, "nc"), "x\n");
    await writeFile(join(dir, "nc.dvc"), "outs:\n- path: nc\n  cache: false\n");
    await writeFile(join(dir, "gone.dvc"), "outs:\n- path: gone\n");
    const entries = await status();
    expect(statusJson(entries)).toEqual({
      "d.dvc": [{ "changed outs": { d: "modified" } }],
      "ed.dvc": [{ "changed outs": { ed: "modified" } }],
      "f.dvc": [{ "changed outs": { f: "modified" } }],
      "gone.dvc": [{ "changed outs": { gone: "deleted" } }],
      "nc.dvc": [{ "changed outs": { nc: "modified" } }],
    });
    expect(formatStatus(entries.filter((entry) => entry.dvcFile === "f.dvc"))).toBe(
      "f.dvc:\n\tchanged outs:\n\t\tmodified:           f\n",
    );
  });
});

describe("data status of an import source that records no hash", () => {
  it("calls a present local source modified", async () => {
    const { dir, status, cache } = await unhashedProject();
    await writeFile(join(dir, "src"), "s\n");
    await writeFile(join(dir, "x2"), "s\n");
    await cache("x2");
    await writeFile(
      join(dir, "x2.dvc"),
      "deps:\n- path: src\nouts:\n- md5: f4d5d0c0671be202bc241807c243e80b\n  size: 2\n  hash: md5\n  path: x2\n",
    );
    expect(statusJson(await status())).toEqual({
      "x2.dvc": [{ "changed deps": { src: "modified" } }, "changed checksum"],
    });
  });

  it("calls an http source whose checksum is not recorded modified", async () => {
    const { dir, status, cache } = await unhashedProject();
    const server: Server = createServer((request, response) => {
      response.writeHead(200, { "Content-Length": 5, ETag: '"abc"' });
      response.end(request.method === "HEAD" ? undefined : "data\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file`;
    await writeFile(join(dir, "f"), "data\n");
    await cache("f");
    await writeFile(
      join(dir, "f.dvc"),
      `deps:\n- size: 5\n  hash: md5\n  path: ${url}\n` +
        "outs:\n- md5: 6137cde4893c59f76f005a8123d8e8e6\n  size: 5\n  hash: md5\n  path: f\n",
    );
    expect(statusJson(await status())).toEqual({
      "f.dvc": [{ "changed deps": { [url]: "modified" } }, "changed checksum"],
    });
  });
});
