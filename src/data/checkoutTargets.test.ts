import { chmod, lstat, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import { checkoutTargets } from "./checkoutTargets.js";
import { closeDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";
import { writeDvc2CrlfFile } from "../../test/support/dvc2Entries.js";

let dir: string;
let repo: DataRepo;
beforeEach(async () => {
  ({ dir, repo } = await tempDataRepo({ prefix: "flowops-checkout-", scm: "none" }));
  await writeFile(join(dir, "foo"), "foo\n");
  await mkdir(join(dir, "d"));
  await writeFile(join(dir, "d", "a"), "a\n");
  await writeFile(join(dir, "d", "b"), "b\n");
  await addTargets(repo, ["foo", "d"], { cwd: dir });
});
// A test opens the repo again; the helper closes only the one it opened.
afterEach(() => closeDataRepo(repo));

const read = (...parts: string[]): Promise<string> => readFile(join(dir, ...parts), "utf8");

describe("checkoutTargets", () => {
  it("does nothing when the workspace matches", async () => {
    expect(await checkoutTargets(repo, [], { cwd: dir })).toEqual({
      added: [],
      modified: [],
      deleted: [],
      removed: [],
      failed: [],
      stats: { added: 0, modified: 0, deleted: 0 },
    });
  });

  it("restores deleted outs and reports them as added", async () => {
    await rm(join(dir, "foo"));
    await rm(join(dir, "d"), { recursive: true });
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.added.sort()).toEqual(["d/", "foo"]);
    expect(await read("foo")).toBe("foo\n");
    expect((await readdir(join(dir, "d"))).sort()).toEqual(["a", "b"]);
  });

  it("restores an edited file whose content is in the cache without --force", async () => {
    await writeFile(join(dir, "foo"), "v1\n");
    await addTargets(repo, ["foo"], { cwd: dir });
    await writeFile(
      join(dir, "foo.dvc"),
      "outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: 4\n  hash: md5\n  path: foo\n",
    );
    expect((await checkoutTargets(repo, [], { cwd: dir })).modified).toEqual(["foo"]);
    expect(await read("foo")).toBe("foo\n");
  });

  it("refuses to remove a directory's unsaved files when its manifest is gone, even with the files unchanged", async () => {
    await rm(join(dir, ".dvc", "cache"), { recursive: true, force: true });
    await expect(checkoutTargets(repo, ["d"], { cwd: dir })).rejects.toThrow(
      `Can't remove the following unsaved files without confirmation. Use \`--force\` to force.\n${join(dir, "d", "a")}\n${join(dir, "d", "b")}`,
    );
    expect(await read("d", "a")).toBe("a\n");
    const forced = await checkoutTargets(repo, ["d"], { cwd: dir, force: true });
    expect(forced.failed.map((failure) => failure.path)).toEqual(["d/"]);
  });

  it("refuses to overwrite unsaved content without force, touching nothing, and lists every such file", async () => {
    await writeFile(join(dir, "foo"), "bar\n");
    await writeFile(join(dir, "d", "c"), "c\n");
    await rm(join(dir, "d", "a"));
    await expect(checkoutTargets(repo, [], { cwd: dir })).rejects.toThrow(
      `Can't remove the following unsaved files without confirmation. Use \`--force\` to force.\n${join(dir, "d", "c")}\n${join(dir, "foo")}`,
    );
    expect(await read("foo")).toBe("bar\n");
    await expect(stat(join(dir, "d", "a"))).rejects.toThrow(/ENOENT/);

    const summary = await checkoutTargets(repo, [], { cwd: dir, force: true });
    expect(summary.modified.sort()).toEqual(["d/", "foo"]);
    expect(summary.deleted).toEqual(["d/c"]);
    expect(summary.stats).toEqual({ added: 1, modified: 1, deleted: 1 });
    expect(await read("foo")).toBe("foo\n");
    expect((await readdir(join(dir, "d"))).sort()).toEqual(["a", "b"]);
  });

  it("reports an out whose object is missing and still restores the others", async () => {
    await rm(join(dir, "foo"));
    await rm(join(dir, "d", "a"));
    await rm(join(dir, ".dvc", "cache", "files", "md5", "d3"), { recursive: true });
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.failed.map((f) => f.path)).toEqual(["foo"]);
    expect(summary.failed[0]?.reason).toMatch(/d3b07384d113edec49eaa6238ad5ff00/);
    expect(summary.modified).toEqual(["d/"]);
    expect(await read("d", "a")).toBe("a\n");
  });

  it("marks a directory whose file objects the cache lacks as missing, a corrupt one as not", async () => {
    await rm(join(dir, "d"), { recursive: true });
    // md5 of "a\n" and "b\n": the directory's file objects.
    const objectA = join(dir, ".dvc", "cache", "files", "md5", "60", "b725f10c9c85c70d97880dfe8191b3");
    const objectB = join(dir, ".dvc", "cache", "files", "md5", "3b", "5d5c3712955042212316173ccf37be");
    await rm(objectA);
    // dvc's checkout lists such a directory by name alone and `--allow-missing` lets it pass.
    const summary = await checkoutTargets(repo, ["d"], { cwd: dir });
    expect(summary.failed).toEqual([expect.objectContaining({ path: "d/", missing: true })]);
    await chmod(objectB, 0o644);
    await writeFile(objectB, "corrupt\n");
    const corrupt = await checkoutTargets(repo, ["d"], { cwd: dir });
    expect(corrupt.failed).toEqual([{ path: "d/", reason: expect.stringContaining("corrupted") }]);
    await expect(lstat(join(dir, "d"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("checks out only the targets given", async () => {
    await rm(join(dir, "foo"));
    await rm(join(dir, "d", "a"));
    expect((await checkoutTargets(repo, ["foo.dvc"], { cwd: dir })).added).toEqual(["foo"]);
    await expect(stat(join(dir, "d", "a"))).rejects.toThrow(/ENOENT/);
  });

  it("relinks a copied file as a hardlink after the cache type changes, reporting no change as dvc does", async () => {
    closeDataRepo(repo);
    await writeFile(join(dir, ".dvc", "config"), "[core]\n    no_scm = True\n[cache]\n    type = hardlink\n");
    repo = await openDataRepo(dir);
    expect((await lstat(join(dir, "foo"))).nlink).toBe(1);
    const summary = await checkoutTargets(repo, ["foo"], { cwd: dir, relink: true });
    expect(summary.modified).toEqual([]);
    expect((await lstat(join(dir, "foo"))).nlink).toBe(2);
  });
});

describe("checkoutTargets with dvc.lock outs", () => {
  /**
   * Turns `foo` (already in the cache) into the out of stage `train` of `<sub>/dvc.yaml`, with an uncached
   * metric beside it, and forgets foo.dvc.
   */
  async function pipelineOut(sub: string, isexec = false): Promise<string> {
    const md5 = "d3b07384d113edec49eaa6238ad5ff00";
    await rm(join(dir, "foo.dvc"), { force: true });
    await rm(join(dir, "foo"), { force: true });
    await mkdir(join(dir, sub), { recursive: true });
    await writeFile(
      join(dir, sub, "dvc.yaml"),
      "stages:\n  train:\n    cmd: make\n    outs:\n    - model\n    metrics:\n    - m.json:\n        cache: false\n",
    );
    await writeFile(
      join(dir, sub, "dvc.lock"),
      `schema: '2.0'\nstages:\n  train:\n    cmd: make\n    outs:\n    - path: m.json\n      hash: md5\n      md5: 99914b932bd37a50b983c5e7c90ae93b\n      size: 2\n    - path: model\n      hash: md5\n      md5: ${md5}\n      size: 4\n${isexec ? "      isexec: true\n" : ""}`,
    );
    return sub === "." ? "model" : `${sub}/model`;
  }

  it("restores a deleted stage out and leaves cache: false outs alone", async () => {
    const model = await pipelineOut(".");
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary).toMatchObject({ added: [model], modified: [], deleted: [], failed: [] });
    expect(await read("model")).toBe("foo\n");
    await expect(stat(join(dir, "m.json"))).rejects.toThrow(/ENOENT/);
    expect((await checkoutTargets(repo, [], { cwd: dir })).added).toEqual([]);
  });

  it("accepts a stage name, dvc.yaml:name and a subdirectory's sub/dvc.yaml:name as targets", async () => {
    await pipelineOut(".");
    expect((await checkoutTargets(repo, ["train"], { cwd: dir })).added).toEqual(["model"]);
    await rm(join(dir, "model"));
    expect((await checkoutTargets(repo, ["dvc.yaml:train"], { cwd: dir })).added).toEqual(["model"]);
    await rm(join(dir, "dvc.yaml"));
    await rm(join(dir, "dvc.lock"));
    await rm(join(dir, "model"));
    await pipelineOut("sub");
    expect((await checkoutTargets(repo, ["sub/dvc.yaml:train"], { cwd: dir })).added).toEqual(["sub/model"]);
    await rm(join(dir, "sub", "model"));
    // From inside sub/, a bare name is a stage of sub/dvc.yaml, and paths print relative to the cwd.
    expect((await checkoutTargets(repo, ["train"], { cwd: join(dir, "sub") })).added).toEqual(["model"]);
  });

  it("names a stage that no dvc.lock records", async () => {
    await pipelineOut(".");
    await expect(checkoutTargets(repo, ["evaluate"], { cwd: dir })).rejects.toThrow(
      "Did you mean `git checkout evaluate`?: 'evaluate' does not exist as an output or a stage name in " +
        "'dvc.yaml': Stage 'evaluate' not found inside 'dvc.yaml' file",
    );
  });

  it("refuses to overwrite an edited stage out without force, then restores it with force", async () => {
    await pipelineOut(".");
    await writeFile(join(dir, "model"), "edited\n");
    await expect(checkoutTargets(repo, ["train"], { cwd: dir })).rejects.toThrow(/unsaved files/);
    expect(await read("model")).toBe("edited\n");
    const summary = await checkoutTargets(repo, ["train"], { cwd: dir, force: true });
    expect(summary.modified).toEqual(["model"]);
    expect(await read("model")).toBe("foo\n");
  });

  it("leaves alone a text file with CRLF that a DVC 2 entry records by its md5-dos2unix hash", async () => {
    const { text } = await writeDvc2CrlfFile(dir);
    expect(await checkoutTargets(repo, [], { cwd: dir })).toMatchObject({ added: [], modified: [] });
    expect(await read("crlf.txt")).toBe(text);
  });

  it("gives back the executable bit a .dvc file records, to a file whose content is right", async () => {
    await writeFile(join(dir, "run.sh"), "echo\n");
    await chmod(join(dir, "run.sh"), 0o755);
    await addTargets(repo, ["run.sh"], { cwd: dir });
    await chmod(join(dir, "run.sh"), 0o644);
    expect(await checkoutTargets(repo, ["run.sh"], { cwd: dir })).toMatchObject({
      modified: ["run.sh"],
      stats: { modified: 1 },
    });
    expect((await stat(join(dir, "run.sh"))).mode & 0o777).toBe(0o744);
    expect((await checkoutTargets(repo, ["run.sh"], { cwd: dir })).modified).toEqual([]);
  });

  it("makes an out executable when dvc.lock records isexec", async () => {
    await pipelineOut(".", true);
    await checkoutTargets(repo, [], { cwd: dir });
    expect((await stat(join(dir, "model"))).mode & 0o111).not.toBe(0);
  });
});

describe("checkoutTargets of a path inside a tracked directory (dvc's granular checkout)", () => {
  describe("with the directory edited", () => {
    beforeEach(async () => {
      await mkdir(join(dir, "d", "sub"));
      await writeFile(join(dir, "d", "sub", "s1"), "s1\n");
      await writeFile(join(dir, "d", "sub", "s2"), "s2\n");
      await addTargets(repo, ["d"], { cwd: dir });
    });

    it("restores only that path, leaving unsaved edits elsewhere in the directory alone", async () => {
      await rm(join(dir, "d", "sub"), { recursive: true });
      await writeFile(join(dir, "d", "a"), "my edit\n");
      for (const force of [false, true]) {
        const summary = await checkoutTargets(repo, ["d/sub"], { cwd: dir, force });
        expect(await read("d", "a")).toBe("my edit\n");
        expect((await readdir(join(dir, "d", "sub"))).sort()).toEqual(["s1", "s2"]);
        expect(summary.modified).toEqual(force ? [] : ["d/"]);
      }
      await rm(join(dir, "d", "sub", "s2"));
      expect(await checkoutTargets(repo, ["d/sub/s2"], { cwd: dir })).toMatchObject({
        modified: ["d/"],
        stats: { added: 1, modified: 0, deleted: 0 },
      });
      expect(await read("d", "sub", "s2")).toBe("s2\n");
      expect(await read("d", "a")).toBe("my edit\n");
    });

    it("refuses unsaved content inside the path without force, and with force removes extras only there", async () => {
      await writeFile(join(dir, "d", "sub", "s1"), "unsaved\n");
      await writeFile(join(dir, "d", "sub", "extra"), "extra\n");
      await writeFile(join(dir, "d", "outside"), "outside\n");
      await expect(checkoutTargets(repo, ["d/sub"], { cwd: dir })).rejects.toThrow(
        `Use \`--force\` to force.\n${join(dir, "d", "sub", "extra")}\n${join(dir, "d", "sub", "s1")}`,
      );
      const summary = await checkoutTargets(repo, ["d/sub"], { cwd: dir, force: true });
      expect(summary).toMatchObject({ modified: ["d/"], deleted: ["d/sub/extra"] });
      expect((await readdir(join(dir, "d", "sub"))).sort()).toEqual(["s1", "s2"]);
      expect(await read("d", "sub", "s1")).toBe("s1\n");
      expect(await read("d", "outside")).toBe("outside\n");
    });

    it("does nothing for a path the directory does not hold, as dvc", async () => {
      await writeFile(join(dir, "d", "a"), "my edit\n");
      expect((await checkoutTargets(repo, ["d/nope"], { cwd: dir })).modified).toEqual([]);
      expect(await read("d", "a")).toBe("my edit\n");
    });
  });

  it("restores a tracked directory that holds no files", async () => {
    await mkdir(join(dir, "empty", "sub"), { recursive: true });
    await addTargets(repo, ["empty"], { cwd: dir });
    await rm(join(dir, "empty"), { recursive: true });
    const summary = await checkoutTargets(repo, [], { cwd: dir });
    expect(summary.added).toEqual(["empty/"]);
    expect(summary.stats).toEqual({ added: 0, modified: 0, deleted: 0 });
    expect((await lstat(join(dir, "empty"))).isDirectory()).toBe(true);
    expect((await checkoutTargets(repo, [], { cwd: dir })).added).toEqual([]);
  });
});
