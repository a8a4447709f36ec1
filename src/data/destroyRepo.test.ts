import { existsSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { addTargets } from "./addTargets.js";
import { closeDataRepo, initDataRepo, openDataRepo } from "./dataRepo.js";
import { destroyDataRepo } from "./destroyRepo.js";
import { gitIn } from "./gitFixtures.js";
import { repro } from "../pipelines/repro.js";

let dir = "";
const git = gitIn(() => dir);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-destroy-"));
  git("init", "-q");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function write(rel: string, text: string): Promise<void> {
  await mkdir(join(dir, rel, ".."), { recursive: true });
  await writeFile(join(dir, rel), text);
}

it("keeps the data as plain files and removes what dvc destroy removes, leaving what it leaves", async () => {
  const external = `${dir}-cache`;
  await write("f.txt", "one\n");
  await write("dir/sub/b", "two\n");
  await write(
    "p/dvc.yaml",
    "stages:\n  s:\n    cmd: echo hi > o.txt && echo m > nc.txt\n    outs: [o.txt, {nc.txt: {cache: false}}]\n",
  );
  await write("dvc.yaml", "metrics: [m.json]\n");
  await write("m.json", "{}\n");
  await write("lk/dvc.lock", "schema: '2.0'\nstages: {}\n");
  await write("sub/.dvcignore", "x\n");
  let repo = await initDataRepo(dir);
  closeDataRepo(repo);
  await writeFile(join(dir, ".dvc/config"), `[cache]\n    dir = ${external}\n    type = symlink\n`);
  repo = await openDataRepo(dir);
  try {
    await addTargets(repo, ["f.txt", "dir"], { cwd: dir });
    await repro(repo, {});
  } finally {
    closeDataRepo(repo);
  }
  expect((await lstat(join(dir, "f.txt"))).isSymbolicLink()).toBe(true);

  await destroyDataRepo(join(dir, "dir"));

  for (const gone of [".dvc", ".dvcignore", "f.txt.dvc", "dir.dvc", "p/dvc.yaml", "p/dvc.lock"]) {
    expect(existsSync(join(dir, gone)), gone).toBe(false);
  }
  for (const [kept, text] of [
    ["f.txt", "one\n"],
    ["dir/sub/b", "two\n"],
    ["p/o.txt", "hi\n"],
    ["p/nc.txt", "m\n"],
  ] as const) {
    expect((await lstat(join(dir, kept))).isSymbolicLink(), kept).toBe(false);
    expect(await readFile(join(dir, kept), "utf8")).toBe(text);
  }
  // Not stages, so not dvc's to remove: a stageless dvc.yaml, a lone dvc.lock, nested .dvcignore, .gitignore.
  for (const kept of ["dvc.yaml", "lk/dvc.lock", "sub/.dvcignore", ".gitignore", "p/.gitignore"]) {
    expect(existsSync(join(dir, kept)), kept).toBe(true);
  }
  expect(await readdir(external)).toContain("files");
  await rm(external, { recursive: true, force: true });
});

it("deletes nothing when a .dvc file does not load", async () => {
  closeDataRepo(await initDataRepo(dir));
  await write("bad.dvc", "outs: [[\n");
  await expect(destroyDataRepo(dir)).rejects.toThrow(/bad\.dvc/);
  expect(existsSync(join(dir, ".dvc"))).toBe(true);
  expect(existsSync(join(dir, "bad.dvc"))).toBe(true);
});
