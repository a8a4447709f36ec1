import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import type { DataRepo } from "./dataRepo.js";
import { httpSourceInfo } from "./httpSource.js";
import { importStatus } from "./importStatus.js";
import { importUrl } from "./importUrl.js";
import { readDvcFile } from "./dvcFile.js";
import { updateImports } from "./updateImports.js";

let dir: string;
let repo: DataRepo;
let server: Server;
let url: string;
let body = "a,b\n1,2\n";
const LAST_MODIFIED = "Fri, 04 Dec 2026 08:28:50 GMT";

beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-import-http-", at: "repo", scm: "git" }));
  body = "a,b\n1,2\n";
  server = createServer((request, response) => {
    if (request.url !== "/data.csv") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
      ETag: `"${createHash("md5").update(body).digest("hex")}"`,
      "Last-Modified": LAST_MODIFIED,
    });
    response.end(request.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.csv`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("http sources of import-url", () => {
  it("computes fsspec's checksum: the md5 of Python's str of the one-element info tuple, as an integer", async () => {
    const etag = `"${createHash("md5").update(body).digest("hex")}"`;
    const repr =
      `({'name': '${url}', 'size': 8, 'mimetype': 'text/csv', 'url': '${url}', 'ETag': '${etag}', ` +
      `'Last-Modified': '${LAST_MODIFIED}', 'type': 'file'},)`;
    const expected = BigInt(`0x${createHash("md5").update(repr).digest("hex")}`).toString();
    expect(await httpSourceInfo(url)).toEqual({ size: 8, checksum: expected });
  });

  it("imports, reports a changed source of an unfrozen import, and updates it", async () => {
    await importUrl(repo, url, undefined, { cwd: dir });
    expect(await readFile(join(dir, "data.csv"), "utf8")).toBe(body);
    const doc = await readDvcFile(join(dir, "data.csv.dvc"), dir);
    const dep = doc.deps![0] as unknown as Record<string, unknown>;
    expect(Object.keys(dep)).toEqual(["checksum", "size", "hash", "path"]);
    expect(dep).toMatchObject({
      size: 8,
      hash: "md5",
      path: url,
      checksum: (await httpSourceInfo(url)).checksum,
    });

    body = "a,b\n1,2\n3,4\n";
    const unfrozen = { ...doc, raw: { ...doc.raw, frozen: false } };
    expect(await importStatus(repo, join(dir, "data.csv.dvc"), unfrozen, dir)).toMatchObject({
      changedDeps: { [url]: "modified" },
    });
    expect(await updateImports(repo, ["data.csv.dvc"], { cwd: dir })).toEqual([join(dir, "data.csv.dvc")]);
    expect(await readFile(join(dir, "data.csv"), "utf8")).toBe(body);
    expect(await updateImports(repo, ["data.csv.dvc"], { cwd: dir })).toEqual([]);
  });

  it("names a missing source as dvc does", async () => {
    await expect(
      importUrl(repo, url.replace("data.csv", "nope.csv"), undefined, { cwd: dir }),
    ).rejects.toThrow(/dependency 'http:\/\/127\.0\.0\.1:\d+\/nope\.csv' does not exist/);
  });
});
