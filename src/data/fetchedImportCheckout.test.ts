/**
 * `data checkout` after `data fetch` of versioned imports made with `--no-download`, on moto: as dvc 3.67.1,
 * checkout restores them from what fetch brought although their `.dvc` files still record no hash.
 * Regression: checkout said "no hash recorded" for them; only pull, in the same process, could restore them.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { findMotoServer } from "../../test/support/moto.js";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { versionedBucketsOnMoto } from "../../test/support/versionedBucketsOnMoto.js";
import { checkoutTargets } from "./checkoutTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { importUrl } from "./importUrl.js";
import { fetch } from "./pushPull.js";

let dir: string;
let repo: DataRepo;

beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-fetched-import-checkout-", scm: "git" }));
});

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");
const file = (path: string): Promise<string> => readFile(join(dir, path), "utf8");

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("checkout of --no-download versioned imports after fetch, on moto", () => {
    const moto = versionedBucketsOnMoto(motoBinary, { versioned: "fetched" });
    const { bucket } = moto;
    let prefix: string;
    const put = (key: string, body: string): Promise<string> => moto.s3.put(bucket, `${prefix}/${key}`, body);
    const importNoDownload = async (key: string, out: string): Promise<string> => {
      await importUrl(repo, `s3://${bucket}/${prefix}/${key}`, out, {
        cwd: dir,
        versionAware: true,
        mode: { kind: "no-download" },
      });
      return file(`${out}.dvc`);
    };

    beforeEach(() => {
      prefix = randomUUID();
    });

    it("checks out what fetch brought at the recorded versions, leaving the .dvc files as they are", async () => {
      await put("a.csv", "x,y\n1,2\n");
      await put("dir/one.txt", "one\n");
      const fileDvc = await importNoDownload("a.csv", "a.csv");
      const dirDvc = await importNoDownload("dir", "nd");
      await put("a.csv", "later\n");

      const before = await checkoutTargets(repo, undefined, { cwd: dir });
      expect(before.failed.map((failure) => failure.reason)).toEqual([
        "no hash recorded in " + join(dir, "a.csv.dvc"),
        "no hash recorded in " + join(dir, "nd.dvc"),
      ]);

      expect(await fetch(repo)).toMatchObject({ transferred: 2, failed: [] });
      const checkout = await checkoutTargets(repo, undefined, { cwd: dir });
      // dvc lists directories first, then files (checkoutChangeOrder.ts).
      expect(checkout).toMatchObject({ added: ["nd/", "a.csv"], failed: [] });
      expect(await file("a.csv")).toBe("x,y\n1,2\n");
      expect(await file("nd/one.txt")).toBe("one\n");
      expect(await file("a.csv.dvc")).toBe(fileDvc);
      expect(await file("nd.dvc")).toBe(dirDvc);

      // A .dvc target alone, as `checkout nd.dvc` after the data was removed.
      await rm(join(dir, "nd"), { recursive: true });
      const again = await checkoutTargets(repo, ["nd.dvc"], { cwd: dir });
      expect(again).toMatchObject({ added: ["nd/"], failed: [] });
    });

    it("no longer uses the fetched hash once the .dvc file records another version", async () => {
      const first = await put("a.csv", "first\n");
      await importNoDownload("a.csv", "a.csv");
      await fetch(repo);
      const second = await put("a.csv", "second\n");
      const dvc = await file("a.csv.dvc");
      await writeFile(join(dir, "a.csv.dvc"), dvc.replace(`version_id: ${first}`, `version_id: ${second}`));

      const checkout = await checkoutTargets(repo, undefined, { cwd: dir });
      expect(checkout.failed).toEqual([
        { path: "a.csv", reason: `no hash recorded in ${join(dir, "a.csv.dvc")}` },
      ]);
      await expect(file("a.csv")).rejects.toThrow();
    });

    it("fails only the import whose fetched data has left the cache", async () => {
      await put("a.csv", "a\n");
      await put("b.csv", "b\n");
      await importNoDownload("a.csv", "a.csv");
      await importNoDownload("b.csv", "b.csv");
      await fetch(repo);
      const gone = md5("a\n");
      await rm(join(dir, ".dvc", "cache", "files", "md5", gone.slice(0, 2), gone.slice(2)));

      const checkout = await checkoutTargets(repo, undefined, { cwd: dir });
      expect(checkout.added).toEqual(["b.csv"]);
      expect(checkout.failed).toEqual([
        expect.objectContaining({
          path: "a.csv",
          missing: true,
          reason: expect.stringMatching(/a\.csv\.dvc/),
        }),
      ]);
    });
  });
}
