import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listLegacyObjects, migrateLegacyCache } from "./cacheMigrate.js";
import { migratedNames, translateLegacyOid } from "./cacheMigrateRecord.js";
import { cacheMigrate } from "./cacheMigrateRun.js";
import { closeDataRepo, initDataRepo, type DataRepo } from "./dataRepo.js";
import { ObjectCache } from "./objectCache.js";

// The repository the compat test builds (tests/compat/dvc/test_dvc_cache_migrate.py), with the hashes dvc
// 2 and dvc 3.67.1 give its files; the DVC 3 names are the ones `dvc cache migrate --dvc-files` wrote.
const CRLF = {
  text: "one\r\ntwo\r\n",
  legacy: "2094b601daac3d68f5aed51d3c20f7cd",
  md5: "4e03dd5f05f68ca4f8941fd80c63e0b2",
};
const PLAIN = { text: "plain\n", legacy: "5839145a19c13f3ffb0a3b9527e0a912" };
const DIR_A = {
  text: "alpha\r\nbeta\r\n",
  legacy: "852e77b490fb4e8653fbc11f4c6f89c2",
  md5: "def13413482e0578305eb033fa2c760a",
};
const DIR_B = {
  bytes: Buffer.from(Array.from({ length: 768 }, (_, i) => i % 256)),
  md5: "e6899eaaf06fd702f3ed3f988eb19362",
};
const LEGACY_DIR = "bafd0f3c8d3d001337fb2448bd45f46c.dir";
const LEGACY_MANIFEST = `[{"md5": "${DIR_A.legacy}", "relpath": "a.txt"}, {"md5": "${DIR_B.md5}", "relpath": "b.bin"}]`;
/** What dvc 3 recorded for `dir` after `cache migrate --dvc-files` re-hashed the workspace. */
const MIGRATED_DIR = "147a6ec29dd754976d82acf5cc8be49c.dir";

let dir: string;
let cacheDir: string;

async function putLegacy(oid: string, content: string | Buffer): Promise<string> {
  const path = join(cacheDir, oid.slice(0, 2), oid.slice(2));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, { mode: 0o444 });
  return path;
}

async function putDvc2Cache(): Promise<void> {
  await putLegacy(CRLF.legacy, CRLF.text);
  await putLegacy(PLAIN.legacy, PLAIN.text);
  await putLegacy(DIR_A.legacy, DIR_A.text);
  await putLegacy(DIR_B.md5, DIR_B.bytes);
  await putLegacy(LEGACY_DIR, LEGACY_MANIFEST);
}

const v3 = (oid: string): string => join(cacheDir, "files", "md5", oid.slice(0, 2), oid.slice(2));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-cache-migrate-"));
  cacheDir = join(dir, ".dvc", "cache");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("migrateLegacyCache", () => {
  it("places a CRLF text object under the md5 of its bytes and keeps the DVC 2 object", async () => {
    await putDvc2Cache();
    const result = await migrateLegacyCache(cacheDir);
    expect(result.migrated).toContainEqual({ from: CRLF.legacy, to: CRLF.md5 });
    expect(result.migrated).toContainEqual({ from: DIR_A.legacy, to: DIR_A.md5 });
    expect(await readFile(v3(CRLF.md5), "utf8")).toBe(CRLF.text);
    expect(await readFile(join(cacheDir, "20", CRLF.legacy.slice(2)), "utf8")).toBe(CRLF.text);
    expect((await stat(v3(CRLF.md5))).mode & 0o777).toBe(0o444);
    await expect(stat(v3(CRLF.legacy))).rejects.toThrow(/ENOENT/);
  });

  it("keeps the name of objects whose bytes have no CRLF, and copies .dir manifests byte for byte", async () => {
    await putDvc2Cache();
    const result = await migrateLegacyCache(cacheDir);
    expect(result.migrated).toHaveLength(5);
    expect(result.migrated).toContainEqual({ from: PLAIN.legacy, to: PLAIN.legacy });
    expect(result.migrated).toContainEqual({ from: LEGACY_DIR, to: LEGACY_DIR });
    expect(await readFile(v3(LEGACY_DIR), "utf8")).toBe(LEGACY_MANIFEST);
  });

  it("migrates nothing the second time: every object is already in place", async () => {
    await putDvc2Cache();
    await migrateLegacyCache(cacheDir);
    const again = await migrateLegacyCache(cacheDir);
    expect(again.migrated).toEqual([]);
    expect(again.present).toHaveLength(5);
  });

  it("reports an object whose bytes do not match its DVC 2 name and places it nowhere", async () => {
    const path = await putLegacy(CRLF.legacy, "tampered\r\n");
    const result = await migrateLegacyCache(cacheDir);
    expect(result.corrupt).toEqual([{ oid: CRLF.legacy, path, actual: "513464b728fd8dec2039cff5710be0ca" }]);
    expect(result.migrated).toEqual([]);
    await expect(readdir(join(cacheDir, "files"))).rejects.toThrow(/ENOENT/);
  });

  it("lists only DVC 2 objects: not files/, runs/, temp files or other names", async () => {
    await putDvc2Cache();
    await mkdir(join(cacheDir, "runs", "ab"), { recursive: true });
    await writeFile(join(cacheDir, "runs", "ab", "x"), "run");
    await writeFile(join(cacheDir, "20", `${CRLF.legacy.slice(2)}.a1b2c3.tmp`), "partial");
    await mkdir(join(cacheDir, "zz"));
    await writeFile(join(cacheDir, "zz", "0".repeat(30)), "x");
    await migrateLegacyCache(cacheDir);
    const oids = (await listLegacyObjects(cacheDir)).map((o) => o.oid).sort();
    expect(oids).toEqual([CRLF.legacy, PLAIN.legacy, DIR_A.legacy, LEGACY_DIR, DIR_B.md5].sort());
  });
});

describe("translateLegacyOid", () => {
  it("gives a directory the manifest dvc 3 would hash from the workspace", async () => {
    await putDvc2Cache();
    const names = migratedNames((await migrateLegacyCache(cacheDir)).migrated);
    const cache = new ObjectCache(cacheDir);
    expect(await translateLegacyOid({ cache }, names, LEGACY_DIR)).toBe(MIGRATED_DIR);
    expect(await readFile(v3(MIGRATED_DIR), "utf8")).toBe(
      `[{"md5": "${DIR_A.md5}", "relpath": "a.txt"}, {"md5": "${DIR_B.md5}", "relpath": "b.bin"}]`,
    );
  });

  it("gives up on a directory one of whose files is not in the cache", async () => {
    await putDvc2Cache();
    await rm(join(cacheDir, DIR_A.legacy.slice(0, 2), DIR_A.legacy.slice(2)), { force: true });
    const names = migratedNames((await migrateLegacyCache(cacheDir)).migrated);
    expect(await translateLegacyOid({ cache: new ObjectCache(cacheDir) }, names, LEGACY_DIR)).toBeUndefined();
  });
});

describe("cacheMigrate with dvcFiles", () => {
  let repo: DataRepo;
  beforeEach(async () => {
    repo = await initDataRepo(dir, { noScm: true });
    await putDvc2Cache();
    await writeFile(join(dir, "crlf.txt"), CRLF.text);
    await writeFile(
      join(dir, "crlf.txt.dvc"),
      `outs:\n- md5: ${CRLF.legacy}\n  size: 10\n  path: crlf.txt\n`,
    );
    // `dir` is not in the workspace: its record is derived from the migrated cache.
    await writeFile(
      join(dir, "dir.dvc"),
      `outs:\n- md5: ${LEGACY_DIR}\n  size: 781\n  nfiles: 2\n  path: dir\n`,
    );
  });
  afterEach(() => closeDataRepo(repo));

  it("lists the files to migrate on a dry run and changes nothing", async () => {
    const result = await cacheMigrate(repo, { dry: true, dvcFiles: true });
    expect(result).toEqual({ dry: true, objects: 5, dvcFiles: ["crlf.txt.dvc", "dir.dvc"] });
    await expect(readdir(join(cacheDir, "files"))).rejects.toThrow(/ENOENT/);
  });

  it("records md5 hashes with `hash: md5`, as dvc writes them", async () => {
    const result = await cacheMigrate(repo, { dvcFiles: true });
    expect(result.dry === false && result.dvcFiles?.updated).toEqual(["crlf.txt.dvc", "dir.dvc"]);
    expect(await readFile(join(dir, "crlf.txt.dvc"), "utf8")).toBe(
      `outs:\n- md5: ${CRLF.md5}\n  size: 10\n  path: crlf.txt\n  hash: md5\n`,
    );
    expect(await readFile(join(dir, "dir.dvc"), "utf8")).toBe(
      `outs:\n- md5: ${MIGRATED_DIR}\n  size: 781\n  nfiles: 2\n  path: dir\n  hash: md5\n`,
    );
    const again = await cacheMigrate(repo, { dry: true, dvcFiles: true });
    expect(again).toEqual({ dry: true, objects: 5, dvcFiles: [] });
  });

  it("records a dvc.lock out missing from the workspace under its migrated object's name", async () => {
    const out = {
      text: "out\r\n",
      legacy: "fb7792b6596fd12502dd132c0aba0568",
      md5: "587a1ade5e9be404a8dc997df0fa9f1c",
    };
    await putLegacy(out.legacy, out.text);
    await writeFile(join(dir, "plain.txt"), PLAIN.text);
    const cmd = "printf 'out\\r\\n' > out.txt";
    await writeFile(
      join(dir, "dvc.yaml"),
      `stages:\n  gen:\n    cmd: ${cmd}\n    deps:\n    - plain.txt\n    outs:\n    - out.txt\n`,
    );
    const lock = (dep: string, md5: string) =>
      `schema: '2.0'\nstages:\n  gen:\n    cmd: ${cmd}\n    deps:\n    - path: plain.txt\n${dep}` +
      `      md5: ${PLAIN.legacy}\n      size: 6\n    outs:\n    - path: out.txt\n${dep}      md5: ${md5}\n      size: 5\n`;
    await writeFile(join(dir, "dvc.lock"), lock("", out.legacy));
    const result = await cacheMigrate(repo, { dvcFiles: true });
    expect(result.dry === false && result.dvcFiles?.lockFiles).toEqual(["dvc.lock"]);
    expect(result.dry === false && result.dvcFiles?.leftLegacy).toEqual([]);
    expect(await readFile(join(dir, "dvc.lock"), "utf8")).toBe(lock("      hash: md5\n", out.md5));
  });

  it("rewrites no DVC file when a DVC 2 object is corrupted", async () => {
    const path = join(cacheDir, CRLF.legacy.slice(0, 2), CRLF.legacy.slice(2));
    await chmod(path, 0o644);
    await writeFile(path, "tampered\r\n");
    await expect(cacheMigrate(repo, { dvcFiles: true })).rejects.toThrow(
      new RegExp(`1 DVC 2 cache objects are corrupted[^]*${CRLF.legacy}`),
    );
    expect(await readFile(join(dir, "crlf.txt.dvc"), "utf8")).not.toContain("hash: md5");
  });
});
