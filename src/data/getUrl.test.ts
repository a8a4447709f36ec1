import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getUrl } from "./getUrl.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-get-url-"));
  await mkdir(join(dir, "src", "tree", "sub"), { recursive: true });
  await writeFile(join(dir, "src", "tree", "a.txt"), "a\n");
  await writeFile(join(dir, "src", "tree", "sub", "b.txt"), "b\n");
  await writeFile(join(dir, "src", "f.txt"), "f\n");
  await mkdir(join(dir, "here"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("get-url (dvc get-url) of local sources", () => {
  const here = (): string => join(dir, "here");

  it("copies a file or a directory under its name, or to the path given", async () => {
    await getUrl("../src/f.txt", undefined, here());
    await getUrl(join(dir, "src", "tree"), "copy", here());
    expect(await readFile(join(here(), "f.txt"), "utf8")).toBe("f\n");
    expect(await readFile(join(here(), "copy", "sub", "b.txt"), "utf8")).toBe("b\n");
    expect((await readdir(here())).sort()).toEqual(["copy", "f.txt"]);
  });

  it("refuses an existing destination without force, and replaces it with", async () => {
    await writeFile(join(here(), "f.txt"), "old\n");
    await expect(getUrl("../src/f.txt", undefined, here())).rejects.toThrow(
      "The file 'f.txt' already exists locally.",
    );
    await getUrl("../src/f.txt", undefined, here(), { force: true });
    expect(await readFile(join(here(), "f.txt"), "utf8")).toBe("f\n");
  });

  it("names a missing source and an unknown remote, and leaves nothing behind", async () => {
    await expect(getUrl("../src/nope", undefined, here())).rejects.toThrow(
      "The path '../src/nope' does not exist",
    );
    await expect(getUrl("remote://x/y", undefined, here())).rejects.toThrow("remote 'x' doesn't exist");
    expect(await readdir(here())).toEqual([]);
  });
});
