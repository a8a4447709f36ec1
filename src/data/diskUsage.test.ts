import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diskUsage, formatDiskUsage, naturalSize } from "./diskUsage.js";
import { makeSourceRepo } from "./sourceRepoFixtures.js";

let base: string;
let source: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "flowops-du-"));
  source = await makeSourceRepo(base);
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe("diskUsage", () => {
  it("sizes each entry of the workspace view and totals them, hiding .dvc files", async () => {
    const entries = await diskUsage(source, undefined, base);
    const byPath = Object.fromEntries(entries.map((entry) => [entry.path, entry.bytes]));
    // data/ holds a.txt, sub/b.txt and c.txt: its .dvc file records 4 + 4 + 6 bytes.
    expect(byPath).toMatchObject({ data: 14, "model.bin": 8, "train.py": 9 });
    expect(Object.keys(byPath).some((path) => path.endsWith(".dvc"))).toBe(false);
    expect(entries.at(-1)).toEqual({
      path: "",
      bytes: entries.slice(0, -1).reduce((s, e) => s + e.bytes, 0),
    });
  });

  it("counts a directory output by its recorded size at a revision, and files inside it as 0", async () => {
    expect(
      (await diskUsage(source, undefined, base, { rev: "HEAD~1" })).find((e) => e.path === "data"),
    ).toEqual({
      path: "data",
      bytes: 8,
    });
    expect(await diskUsage(source, "data", base, { rev: "HEAD~1" })).toEqual([
      { path: "data/a.txt", bytes: 0 },
      { path: "data/sub", bytes: 0 },
      { path: "data", bytes: 0 },
    ]);
    expect(await diskUsage(source, "data", base, { summarize: true })).toEqual([{ path: "data", bytes: 14 }]);
  });

  it("spells sizes as dvc does", () => {
    expect([0, 1023, 1024, 1536, 20000, 3 * 1024 * 1024 + 5000].map(naturalSize)).toEqual([
      "0",
      "1023",
      "1.00k",
      "1.50k",
      "19.5k",
      "3.00M",
    ]);
    expect(
      formatDiskUsage([
        { path: "a", bytes: 1536 },
        { path: "", bytes: 3 },
      ]),
    ).toBe("1.50k  a\n3");
  });
});
