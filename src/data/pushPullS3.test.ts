import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBucket, findMotoServer, startMotoServer, type MotoServer } from "../../test/support/moto.js";
import { gc } from "./garbageCollect.js";
import { fetch, push } from "./pushPull.js";
import { cloneOf, makeRepo, trackDir, trackFile, useScratchRoot } from "./pushPullFixtures.js";

useScratchRoot();

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("an S3 remote (moto)", () => {
    let server: MotoServer;
    beforeAll(async () => {
      server = await startMotoServer(motoBinary);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("pushes, fetches only what is missing, and gc --cloud removes from the bucket", async () => {
      const bucket = `flowops-${randomUUID().slice(0, 8)}`;
      await createBucket(server, bucket);
      const s3Config =
        `['remote "s3"']\n    url = s3://${bucket}/dvcstore\n    endpointurl = ${server.endpoint}\n` +
        "    region = us-east-1\n    access_key_id = testing\n    secret_access_key = testing\n";
      const repo = await makeRepo("project", s3Config);
      const options = { remote: "s3", env: {} };
      const data = await trackDir(repo, "data", { a: "a\n", b: "b\n", c: "c\n" });
      const foo = await trackFile(repo, "foo", "foo\n");
      expect(await push(repo, undefined, options)).toMatchObject({ transferred: 5, failed: [] });
      expect(await push(repo, undefined, options)).toMatchObject({ transferred: 0, skipped: 5 });

      const clone = await cloneOf(repo, "clone");
      expect(await fetch(clone, undefined, options)).toMatchObject({ transferred: 5, failed: [] });
      expect(await clone.cache.verify(data.oid)).toBe(true);

      rmSync(join(repo.root, "foo.dvc"));
      const collected = await gc(repo, { workspace: true, cloud: true, ...options });
      expect(collected.cloudRemoved).toEqual([foo]);
      const third = await cloneOf(repo, "third");
      expect(await fetch(third, undefined, options)).toMatchObject({ transferred: 4, failed: [] });
    });
  });
}
