/**
 * fetch and pull of versioned imports on moto: an import made with `--no-download` is fetched from its source
 * at the recorded versions (as dvc 3.67.1 does, leaving the `.dvc` file as it is), and versioned downloads run
 * side by side, at most `--jobs` at once.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { findMotoServer } from "../../test/support/moto.js";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { versionedBucketsOnMoto } from "../../test/support/versionedBucketsOnMoto.js";
import type { DataRepo } from "./dataRepo.js";
import { importUrl } from "./importUrl.js";
import { fetch, pull } from "./pushPull.js";

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");

let dir: string;
let repo: DataRepo;

beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-versioned-sources-", at: "repo", scm: "git" }));
});

const file = (path: string): Promise<string> => readFile(join(dir, path), "utf8");
const dropCacheAnd = async (...paths: string[]): Promise<void> => {
  for (const path of [".dvc/cache", ...paths]) await rm(join(dir, path), { recursive: true, force: true });
};

/** A proxy in front of moto that holds each object GET a while and counts how many were in flight at once. */
interface CountingProxy {
  endpoint: string;
  maxInFlight: () => number;
  reset: () => void;
  close: () => Promise<void>;
}

async function countingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let inFlight = 0;
  let max = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const counted = incoming.method === "GET" && !(incoming.url ?? "").includes("versions");
    if (counted) max = Math.max(max, ++inFlight);
    const forward = (): void => {
      const proxied = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
          answer.on("end", () => {
            if (counted) inFlight -= 1;
          });
        },
      );
      incoming.pipe(proxied);
    };
    // Held long enough that downloads allowed to overlap do overlap.
    if (counted) setTimeout(forward, 150);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    maxInFlight: () => max,
    reset: () => {
      max = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("versioned imports fetched from their sources on moto", () => {
    const moto = versionedBucketsOnMoto(motoBinary, { versioned: "vsources" });
    const { bucket, put } = moto;

    const importNoDownload = async (url: string, out: string): Promise<string> => {
      await importUrl(repo, url, out, { cwd: dir, versionAware: true, mode: { kind: "no-download" } });
      return file(`${out}.dvc`);
    };

    it("pulls a --no-download import at its recorded versions, leaving its .dvc file as it is", async () => {
      const prefix = randomUUID();
      await put(`${prefix}/a.csv`, "x,y\n1,2\n");
      await put(`${prefix}/dir/one.txt`, "one\n");
      await put(`${prefix}/dir/sub/two.txt`, "two\n");
      const fileDvc = await importNoDownload(`s3://${bucket}/${prefix}/a.csv`, "a.csv");
      const dirDvc = await importNoDownload(`s3://${bucket}/${prefix}/dir`, "nd");
      // Overwritten since: the recorded versions, not the latest, must land.
      await put(`${prefix}/a.csv`, "later\n");
      await put(`${prefix}/dir/one.txt`, "ONE\n");
      await put(`${prefix}/dir/three.txt`, "3\n");

      const pulled = await pull(repo);
      expect(pulled.fetch).toMatchObject({ transferred: 3, failed: [] });
      expect(pulled.checkout.failed).toEqual([]);
      expect(pulled.checkout.stats.added).toBe(3);
      expect(await file("a.csv")).toBe("x,y\n1,2\n");
      expect(await file("nd/one.txt")).toBe("one\n");
      expect(await file("nd/sub/two.txt")).toBe("two\n");
      await expect(file("nd/three.txt")).rejects.toThrow();
      expect(await file("a.csv.dvc")).toBe(fileDvc);
      expect(await file("nd.dvc")).toBe(dirDvc);
      expect(await repo.cache.verify(md5("x,y\n1,2\n"))).toBe(true);
    });

    it("fetches a --no-download import named by its .dvc file, and pulls one named by its out path", async () => {
      const prefix = randomUUID();
      await put(`${prefix}/a.csv`, "a\n");
      await put(`${prefix}/b.csv`, "b\n");
      await importNoDownload(`s3://${bucket}/${prefix}/a.csv`, "a.csv");
      await importNoDownload(`s3://${bucket}/${prefix}/b.csv`, "b.csv");

      expect(await fetch(repo, [join(dir, "a.csv.dvc")])).toMatchObject({ transferred: 1, failed: [] });
      expect(await repo.cache.verify(md5("a\n"))).toBe(true);
      expect(await repo.cache.verify(md5("b\n"))).toBe(false);

      const pulled = await pull(repo, [join(dir, "b.csv")]);
      expect(pulled.checkout.failed).toEqual([]);
      expect(await file("b.csv")).toBe("b\n");
      await expect(file("a.csv")).rejects.toThrow();
    });

    it("keeps differing workspace data of a --no-download import unless forced", async () => {
      const prefix = randomUUID();
      await put(`${prefix}/a.csv`, "source\n");
      await importNoDownload(`s3://${bucket}/${prefix}/a.csv`, "a.csv");
      await writeFile(join(dir, "a.csv"), "mine\n");

      const kept = await pull(repo);
      expect(kept.checkout.failed).toEqual([
        expect.objectContaining({
          path: expect.stringMatching(/a\.csv$/),
          reason: expect.stringMatching(/--force/),
        }),
      ]);
      expect(await file("a.csv")).toBe("mine\n");

      const forced = await pull(repo, undefined, { force: true });
      expect(forced.checkout.failed).toEqual([]);
      expect(await file("a.csv")).toBe("source\n");
    });

    it("runs at most --jobs versioned downloads at once, over all outs", async () => {
      const proxy = await countingProxy(moto.server.endpoint);
      try {
        const prefix = randomUUID();
        for (const name of ["1", "2", "3", "4", "5", "6"])
          await put(`${prefix}/dir/${name}.txt`, `${name}\n`);
        await put(`${prefix}/single.txt`, "single\n");
        await importUrl(repo, `s3://${bucket}/${prefix}/dir`, "dir", { cwd: dir, versionAware: true });
        await importUrl(repo, `s3://${bucket}/${prefix}/single.txt`, "single.txt", {
          cwd: dir,
          versionAware: true,
        });
        vi.stubEnv("AWS_ENDPOINT_URL", proxy.endpoint);

        await dropCacheAnd();
        const parallel = await fetch(repo, undefined, { jobs: 3 });
        expect(parallel).toMatchObject({ transferred: 7, failed: [] });
        expect(proxy.maxInFlight()).toBe(3);

        await dropCacheAnd();
        proxy.reset();
        expect(await fetch(repo, undefined, { jobs: 1 })).toMatchObject({ transferred: 7, failed: [] });
        expect(proxy.maxInFlight()).toBe(1);
      } finally {
        await proxy.close();
      }
    });
  });
}
