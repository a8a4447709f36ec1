/**
 * Regression: a file deleted between the readdir and the lstat of a listing (a concurrent DELETE through the
 * artifact proxy, found by the tracking-server fuzz test) made the whole listing fail with ENOENT, a 500.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as fsPromises from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LocalArtifactStore } from "./local.js";

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof fsPromises>();
  return { ...actual, readdir: vi.fn(actual.readdir) };
});

describe("LocalArtifactStore listing while files are deleted", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("leaves out an entry removed after the directory was read", async () => {
    dir = mkdtempSync(join(tmpdir(), "flowops-local-race-"));
    writeFileSync(join(dir, "kept.txt"), "k");
    writeFileSync(join(dir, "gone.txt"), "g");
    const store = new LocalArtifactStore(dir);
    const readdir = vi.mocked(fsPromises.readdir);
    const actualReaddir = (await vi.importActual<typeof fsPromises>("node:fs/promises")).readdir;
    readdir.mockImplementationOnce((async (path: string, options: { withFileTypes: true }) => {
      const entries = await actualReaddir(path, options);
      rmSync(join(path, "gone.txt"));
      return entries;
    }) as unknown as typeof fsPromises.readdir);
    expect(await store.list("")).toEqual([{ path: "kept.txt", is_dir: false, file_size: 1 }]);
  });
});
