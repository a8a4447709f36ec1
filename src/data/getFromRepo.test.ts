import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { getFromRepo } from "./getFromRepo.js";
import { gitIn } from "./gitFixtures.js";
import { remoteObjectUrl } from "./remoteObjectUrl.js";
import { makeSourceRepo } from "./sourceRepoFixtures.js";

let base: string;
let source: string;
let dest: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "flowops-get-"));
  source = await makeSourceRepo(base);
  dest = join(base, "dest");
  await mkdir(dest);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const read = (path: string): Promise<string> => readFile(join(dest, path), "utf8");

async function failure(promise: Promise<unknown>): Promise<FlowOpsError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FlowOpsError);
  return error as FlowOpsError;
}

describe("getFromRepo", () => {
  it("copies a tracked directory, a tracked file and a Git file from the workspace", async () => {
    expect(await getFromRepo(source, "data", dest)).toMatchObject({ out: join(dest, "data"), files: 3 });
    expect([await read("data/a.txt"), await read("data/sub/b.txt"), await read("data/c.txt")]).toEqual([
      "one\n",
      "two\n",
      "three\n",
    ]);
    await getFromRepo(source, "model.bin", dest, { out: "m.bin" });
    expect(await read("m.bin")).toBe("weights\n");
    // Cache objects are read-only; the copy is an ordinary file.
    expect((await stat(join(dest, "m.bin"))).mode & 0o777).toBe(0o644);
    await getFromRepo(source, "train.py", dest);
    expect(await read("train.py")).toBe("print(1)\n");
  });

  it("reads a revision from Git and the cache, and a file inside a tracked directory", async () => {
    await getFromRepo(source, "data", dest, { rev: "HEAD~1", out: "first" });
    expect((await readdir(join(dest, "first"))).sort()).toEqual(["a.txt", "sub"]);
    await getFromRepo(source, "data/sub/b.txt", dest, { rev: "HEAD~1" });
    expect(await read("b.txt")).toBe("two\n");
  });

  it("downloads from the source's remote what its cache lacks, and names what neither has", async () => {
    await rm(join(source, ".dvc", "cache"), { recursive: true, force: true });
    const result = await getFromRepo(source, "data", dest, { rev: "HEAD~1" });
    expect(result.downloaded).toBe(3);
    expect(await read("data/sub/b.txt")).toBe("two\n");
    // HEAD's directory was never pushed.
    const error = await failure(getFromRepo(source, "data", dest, { rev: "HEAD", out: "head" }));
    expect(error.message).toMatch(
      /^'data' \(\w+\.dir\) is not in the repository's cache and is missing from remote 'store'$/,
    );
    expect((await readdir(dest)).sort()).toEqual(["data"]);
  });

  it("refuses an existing destination unless forced, and replaces it whole when forced", async () => {
    await getFromRepo(source, "data", dest);
    await writeFile(join(dest, "data", "extra.txt"), "mine\n");
    const error = await failure(getFromRepo(source, "data", dest));
    expect(error.message).toBe(
      "The directory 'data' already exists locally. \nTo override it, re-run with '--force'.",
    );
    await getFromRepo(source, "data", dest, { force: true, rev: "HEAD~1" });
    expect((await readdir(join(dest, "data"))).sort()).toEqual(["a.txt", "sub"]);
  });

  it("names a missing path, an unknown revision and a DVC file as the destination", async () => {
    expect((await failure(getFromRepo(source, "nope", dest))).message).toBe(
      `The path 'nope' does not exist in the target repository '${source}' neither as a DVC output nor as a ` +
        "Git-tracked file.",
    );
    expect((await failure(getFromRepo(source, "data", dest, { rev: "no-such" }))).message).toBe(
      "unknown Git revision 'no-such'",
    );
    expect((await failure(getFromRepo(source, "model.bin.dvc", dest))).message).toBe(
      "the given path is a DVC file, you must specify a data file or a directory",
    );
    expect(await readdir(dest)).toEqual([]);
  });

  it("reads a Git-only repository at HEAD, hiding nothing but .dvc files", async () => {
    const plain = join(base, "plain");
    await mkdir(plain);
    const gitPlain = gitIn(() => plain);
    gitPlain("init", "-q");
    await writeFile(join(plain, "notes.md"), "committed\n");
    await chmod(join(plain, "notes.md"), 0o755);
    gitPlain("add", "-A");
    gitPlain("commit", "-qm", "one");
    await writeFile(join(plain, "notes.md"), "edited, not committed\n");
    await getFromRepo(plain, ".", dest, { out: "copy" });
    expect(await readdir(join(dest, "copy"))).toEqual(["notes.md"]);
    expect(await read("copy/notes.md")).toBe("committed\n");
    expect(execFileSync("git", ["-C", plain, "status", "--porcelain"], { encoding: "utf8" })).toBe(
      " M notes.md\n",
    );
  });

  it("shows the remote URL of an out, of a file in a directory out, and refuses the rest", async () => {
    const remote = join(base, "remote", "files", "md5");
    expect(await remoteObjectUrl(source, "model.bin", dest)).toBe(
      join(remote, "fa", "d624b28208abf62b4d0db65c04757b"),
    );
    expect(await remoteObjectUrl(source, "data/a.txt", dest)).toBe(
      join(remote, "5b", "bf5a52328e7439ae6e719dfe712200"),
    );
    expect(await remoteObjectUrl(source, "data", dest, { rev: "HEAD~1" })).toMatch(/\.dir$/);
    expect((await failure(remoteObjectUrl(source, "train.py", dest))).message).toBe(
      "Unable to find DVC file with output 'train.py'",
    );
    expect((await failure(remoteObjectUrl(source, "data/sub", dest))).message).toMatch(
      /'data\/sub' is a directory inside the output 'data'/,
    );
  });
});
