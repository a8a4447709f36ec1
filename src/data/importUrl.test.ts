import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDataRepo } from "../../test/support/tempDataRepo.js";
import { repoImportDvcFile } from "./importFixtures.js";
import type { DataRepo } from "./dataRepo.js";
import { dataStatus, formatStatus } from "./dataStatus.js";
import { importUrl } from "./importUrl.js";
import { singleStageMd5 } from "./stageMd5.js";
import { updateImports } from "./updateImports.js";
import { readDvcFile } from "./dvcFile.js";

let base: string;
let dir: string;
let source: string;
let repo: DataRepo;

beforeEach(async () => {
  ({ base, dir, repo } = await tempDataRepo({ prefix: "flowops-import-url-", at: "repo", scm: "git" }));
  source = join(base, "src");
  await mkdir(join(source, "dir"), { recursive: true });
  await writeFile(join(source, "a.txt"), "hello\n");
  await writeFile(join(source, "dir", "x"), "x\n");
  await writeFile(join(source, "dir", "y"), "y\n");
});

const file = (path: string): Promise<string> => readFile(join(dir, path), "utf8");

describe("importUrl", () => {
  it("writes dvc's .dvc file for a file: the source as a dep, the stage md5, frozen", async () => {
    const lines: string[] = [];
    const result = await importUrl(repo, join(source, "a.txt"), undefined, {
      cwd: dir,
      onImporting: (from, to) => lines.push(`${from} -> ${to}`),
    });
    expect(lines).toEqual([`${join(source, "a.txt")} -> a.txt`]);
    expect(result.dvcFile).toBe(join(dir, "a.txt.dvc"));
    const text = await file("a.txt.dvc");
    const md5 = /^md5: ([0-9a-f]{32})$/m.exec(text)?.[1];
    expect(text).toBe(
      `md5: ${md5}\nfrozen: true\ndeps:\n- md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n  hash: md5\n` +
        `  path: ${join(source, "a.txt")}\nouts:\n- md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n` +
        `  hash: md5\n  path: a.txt\n`,
    );
    expect(md5).toBe(singleStageMd5((await readDvcFile(result.dvcFile, dir)).raw));
    expect(await file("a.txt")).toBe("hello\n");
    expect(await file(".gitignore")).toBe("/a.txt\n");
    expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);
  });

  it("imports a directory under a new name, with its manifest in the cache", async () => {
    await importUrl(repo, join(source, "dir"), "data", { cwd: dir });
    const text = await file("data.dvc");
    expect(text).toContain("- md5: 78e06c88520d5d3cb47549bf24ee3baf.dir\n  size: 4\n  nfiles: 2\n");
    expect(await file("data/y")).toBe("y\n");
    expect(await repo.cache.has("78e06c88520d5d3cb47549bf24ee3baf.dir")).toBe(true);
  });

  it("records a source inside the repository relative to the .dvc file", async () => {
    await mkdir(join(dir, "raw"));
    await writeFile(join(dir, "raw", "in.txt"), "in\n");
    await mkdir(join(dir, "sub"));
    await importUrl(repo, "raw/in.txt", "sub/copy.txt", { cwd: dir });
    expect(await file("sub/copy.txt.dvc")).toContain("  path: ../raw/in.txt\n");
  });

  it("writes only the .dvc file with --no-exec, and no out hashes with --no-download", async () => {
    await importUrl(repo, join(source, "a.txt"), "b.txt", { cwd: dir, noExec: true });
    expect(await file("b.txt.dvc")).toBe(
      `frozen: true\ndeps:\n- hash: md5\n  path: ${join(source, "a.txt")}\nouts:\n- hash: md5\n  path: b.txt\n`,
    );
    await importUrl(repo, join(source, "a.txt"), "c.txt", { cwd: dir, mode: { kind: "no-download" } });
    expect(await file("c.txt.dvc")).toContain("outs:\n- hash: md5\n  path: c.txt\n");
    expect(existsSync(join(dir, "b.txt")) || existsSync(join(dir, "c.txt"))).toBe(false);
    // dvc's own status for these: the --no-exec file has no stage md5, so its checksum changed.
    expect(formatStatus(await dataStatus(repo, [], { cwd: dir }))).toBe(
      "b.txt.dvc:\n\tchanged outs:\n\t\tdeleted:            b.txt\n\tchanged checksum\n" +
        "c.txt.dvc:\n\tchanged outs:\n\t\tdeleted:            c.txt\n",
    );
  });

  it("keeps --fs-config in the dep, after its path, and refuses it for an http source it would not apply to", async () => {
    const fsConfig = { endpointurl: "http://127.0.0.1:9", region: "us-east-1" };
    await importUrl(repo, join(source, "a.txt"), "f.txt", { cwd: dir, noExec: true, fsConfig });
    expect(await file("f.txt.dvc")).toBe(
      `frozen: true\ndeps:\n- hash: md5\n  path: ${join(source, "a.txt")}\n  fs_config:\n` +
        "    endpointurl: http://127.0.0.1:9\n    region: us-east-1\nouts:\n- hash: md5\n  path: f.txt\n",
    );
    await expect(
      importUrl(repo, "http://127.0.0.1:9/x", "h.txt", { cwd: dir, fsConfig: { auth: "basic" } }),
    ).rejects.toThrow(/does not apply --fs-config to http\(s\) sources yet \(given: auth\)/);
  });

  it("refuses a taken destination, a missing source, a git-ignored .dvc name and an overlapping output", async () => {
    await writeFile(join(dir, "a.txt"), "mine\n");
    await expect(importUrl(repo, join(source, "a.txt"), undefined, { cwd: dir })).rejects.toThrow(
      "The file 'a.txt' already exists locally. \nTo override it, re-run with '--force'.",
    );
    await expect(importUrl(repo, join(source, "nope"), "n", { cwd: dir })).rejects.toThrow(
      `dependency '${join(source, "nope")}' does not exist`,
    );
    await importUrl(repo, join(source, "dir"), "data", { cwd: dir });
    await expect(
      importUrl(repo, join(source, "a.txt"), "data/a.txt", { cwd: dir, force: true }),
    ).rejects.toThrow("bad DVC file name 'data/a.txt.dvc' is git-ignored.");
    // Where Git does not ignore the new .dvc file, the overlap with data.dvc's output is what stops it.
    await writeFile(join(dir, ".gitignore"), "");
    await expect(
      importUrl(repo, join(source, "a.txt"), "data/a.txt", { cwd: dir, force: true }),
    ).rejects.toThrow(/^The output paths:\n'data'\('data.dvc'\)/);
    expect(await file("a.txt")).toBe("mine\n");
    await importUrl(repo, join(source, "a.txt"), undefined, { cwd: dir, force: true });
    expect(await file("a.txt")).toBe("hello\n");
  });
});

describe("updateImports", () => {
  it("skips an unchanged import and re-imports a changed source, over the old text", async () => {
    await importUrl(repo, join(source, "a.txt"), undefined, { cwd: dir });
    await writeFile(join(dir, "a.txt.dvc"), `# keep me\n${await file("a.txt.dvc")}`);
    const said: string[] = [];
    const options = {
      cwd: dir,
      onSkipped: (m: string) => said.push(m),
      onImporting: () => said.push("import"),
    };
    expect(await updateImports(repo, ["a.txt.dvc"], options)).toEqual([]);
    expect(said).toEqual(["'a.txt.dvc' didn't change, skipping"]);

    await writeFile(join(source, "a.txt"), "hello\nmore\n");
    expect(await updateImports(repo, ["a.txt.dvc"], options)).toEqual([join(dir, "a.txt.dvc")]);
    expect(await file("a.txt")).toBe("hello\nmore\n");
    const text = await file("a.txt.dvc");
    expect(text).toContain("# keep me\n");
    expect(text).toContain("- md5: 738bb2e514e4c8141281efa630650db0\n  size: 11\n");
    const doc = await readDvcFile(join(dir, "a.txt.dvc"), dir);
    expect(doc.md5).toBe(singleStageMd5(doc.raw));
    expect(await dataStatus(repo, [], { cwd: dir })).toEqual([]);
  });

  it("restores a deleted copy from the cache when the source is unchanged", async () => {
    await importUrl(repo, join(source, "dir"), "data", { cwd: dir });
    await rm(join(dir, "data"), { recursive: true });
    await rm(join(source, "dir", "x"));
    await writeFile(join(source, "dir", "x"), "x\n");
    expect(await updateImports(repo, ["data.dvc"], { cwd: dir })).toEqual([join(dir, "data.dvc")]);
    expect(await file("data/x")).toBe("x\n");
  });

  it("clears the out and removes the copy with --no-download when the source changed", async () => {
    await importUrl(repo, join(source, "a.txt"), undefined, { cwd: dir });
    await writeFile(join(source, "a.txt"), "changed\n");
    await updateImports(repo, ["a.txt.dvc"], { cwd: dir, mode: { kind: "no-download" } });
    expect(existsSync(join(dir, "a.txt"))).toBe(false);
    const doc = await readDvcFile(join(dir, "a.txt.dvc"), dir);
    expect(doc.outs[0]).toEqual({ hash: "md5", path: "a.txt" });
    expect((doc.deps?.[0] as { size: number }).size).toBe(8);
  });

  it("warns about a file that is not an import, and names a missing target", async () => {
    await writeFile(join(dir, "plain.txt"), "p\n");
    await writeFile(
      join(dir, "plain.txt.dvc"),
      "outs:\n- md5: 0\n  path: plain.txt\n".replace("0", "a".repeat(32)),
    );
    const warnings: string[] = [];
    expect(await updateImports(repo, ["plain.txt.dvc"], { cwd: dir, warn: (m) => warnings.push(m) })).toEqual(
      [],
    );
    expect(warnings).toEqual(["Could not update 'plain.txt', it was never pushed to a remote"]);
    await expect(updateImports(repo, ["nope.dvc"], { cwd: dir })).rejects.toThrow(
      `'${join(dir, "nope.dvc")}' does not exist`,
    );
  });

  it("names the repository an import from another repository (dvc import) cannot reach, in update and status", async () => {
    const gone = join(base, "no-such-repo");
    await writeFile(join(dir, "f.txt.dvc"), repoImportDvcFile(false).replace("/tmp/up", gone));
    await writeFile(join(dir, "f.txt"), "hi\n");
    await expect(updateImports(repo, ["f.txt.dvc"], { cwd: dir })).rejects.toThrow(
      `Failed to clone repo '${gone}' to `,
    );
    // dvc's line ends with dulwich's cause for a local path that is not there.
    await expect(updateImports(repo, ["f.txt.dvc"], { cwd: dir })).rejects.toThrow(
      new RegExp(`/clone': No git repository was found at ${gone}$`),
    );
    // dvc's status asks the repository too, frozen or not, unless --no-updates; then the file is not frozen-warned.
    await expect(dataStatus(repo, [], { cwd: dir })).rejects.toThrow(`Failed to clone repo '${gone}' to `);
    await writeFile(join(dir, "f.txt.dvc"), repoImportDvcFile(true));
    const frozen: string[] = [];
    expect(
      await dataStatus(repo, [], { cwd: dir, checkUpdates: false, onFrozen: (f) => frozen.push(f) }),
    ).toEqual([{ dvcFile: "f.txt.dvc", changedOuts: { "f.txt": "not in cache" } }]);
    expect(frozen).toEqual([]);
  });

  it("reports an unfrozen import's changed source in status", async () => {
    await importUrl(repo, join(source, "a.txt"), undefined, { cwd: dir });
    await writeFile(join(dir, "a.txt.dvc"), (await file("a.txt.dvc")).replace("frozen: true\n", ""));
    await writeFile(join(source, "a.txt"), "changed\n");
    const frozen: string[] = [];
    expect(await dataStatus(repo, [], { cwd: dir, onFrozen: (f) => frozen.push(f) })).toEqual([
      { dvcFile: "a.txt.dvc", changedDeps: { [join(source, "a.txt")]: "modified" }, changedOuts: {} },
    ]);
    expect(frozen).toEqual([]);
  });
});
