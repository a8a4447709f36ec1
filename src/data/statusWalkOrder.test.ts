import { mkdir, mkdtemp, opendir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sortByWalkOrder } from "./statusWalkOrder.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "flowops-walk-order-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The directory's names as the filesystem lists them (os.scandir's order), not sorted. */
async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of await opendir(dir)) names.push(entry.name);
  return names;
}

describe("sortByWalkOrder", () => {
  it("orders files as os.walk meets them: the filesystem's listing, a directory's files before its subdirectories", async () => {
    const names = ["dvc.yaml", ...Array.from({ length: 8 }, (_, i) => `f${i}.dvc`)];
    await mkdir(join(root, "a"));
    await writeFile(join(root, "a", "dvc.yaml"), "");
    await writeFile(join(root, "a", "x.dvc"), "");
    for (const name of names) await writeFile(join(root, name), "");
    const files = [
      join(root, "a", "x.dvc"),
      join(root, "a", "dvc.yaml"),
      ...[...names].sort().map((name) => join(root, name)),
    ];
    const rootOrder = (await listing(root)).filter((name) => names.includes(name));
    const subOrder = (await listing(join(root, "a"))).filter((name) => name !== ".");
    expect(await sortByWalkOrder(root, files, (file) => file)).toEqual([
      ...rootOrder.map((name) => join(root, name)),
      ...subOrder.map((name) => join(root, "a", name)),
    ]);
  });

  it("keeps the items of one file in their order (a dvc.yaml's stages)", async () => {
    await writeFile(join(root, "dvc.yaml"), "");
    await writeFile(join(root, "d.dvc"), "");
    const items = [
      { key: "d.dvc", file: join(root, "d.dvc") },
      { key: "zeta", file: join(root, "dvc.yaml") },
      { key: "alpha", file: join(root, "dvc.yaml") },
    ];
    const sorted = await sortByWalkOrder(root, items, (item) => item.file);
    expect(sorted.filter((item) => item.key !== "d.dvc").map((item) => item.key)).toEqual(["zeta", "alpha"]);
  });
});
