import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { push } from "./pushPull.js";
import { makeRepo, md5, remoteHasObject, trackDir, trackFile, useScratchRoot } from "./pushPullFixtures.js";

useScratchRoot();

// dvc 3.67.1 (dvc-data's `_do_transfer`): a directory with a file missing everywhere is not sent, but its
// manifest is counted as pushed and only the missing file is warned of ("4 files pushed" for y, a, c and
// d's manifest when d/x is gone).
describe("push of a directory whose files are not all there", () => {
  it("counts a manifest held back for a file missing everywhere as pushed, with no warning of its own", async () => {
    const repo = await makeRepo("project");
    const data = await trackDir(repo, "d", { x: "x\n", y: "y\n" });
    await trackFile(repo, "a.txt", "a\n");
    rmSync(repo.cache.objectPath(md5("x\n")), { force: true });

    const result = await push(repo);

    expect(result.transferred).toBe(3);
    expect(result.failed).toEqual([]);
    expect(result.notPushed?.map((item) => item.oid)).toEqual([md5("x\n")]);
    // Still never sent before all of its files are on the remote.
    expect(remoteHasObject(data.oid)).toBe(false);
  });
});
