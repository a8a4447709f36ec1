/**
 * The record of hashes fetch found for `--no-download` versioned imports: a hash answers only its own `.dvc`
 * file, out path and dep, and a damaged record is empty rather than an error (it is disposable state).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  fetchedImportHashes,
  fetchedImportHashesPath,
  recordFetchedImportHashes,
  type HashedVersionedImport,
} from "./fetchedImportHashes.js";

let tmpDir: string;

beforeEach(async () => {
  tmpDir = await mkdtemp(join(tmpdir(), "flowops-fetched-import-hashes-"));
});

afterEach(async () => {
  await rm(tmpDir, { recursive: true, force: true });
});

const fetched: HashedVersionedImport = {
  dvcFile: "data/a.csv.dvc",
  outPath: "data/a.csv",
  dep: { path: "s3://bucket/a.csv", version_id: "v1", etag: "e1", size: 8 },
  md5: "0123456789abcdef0123456789abcdef",
};
const { md5: _md5, ...unhashed } = fetched;

describe("fetched import hashes", () => {
  it("answers the same .dvc file, out and dep, however the dep's fields are ordered", async () => {
    await recordFetchedImportHashes(tmpDir, [fetched]);
    const reordered = {
      ...unhashed,
      dep: { size: 8, etag: "e1", version_id: "v1", path: "s3://bucket/a.csv" },
    };
    expect(await fetchedImportHashes(tmpDir, [reordered])).toEqual([{ ...reordered, md5: fetched.md5 }]);
  });

  it("does not answer another version, another out path or another .dvc file", async () => {
    await recordFetchedImportHashes(tmpDir, [fetched]);
    const others = [
      { ...unhashed, dep: { ...unhashed.dep, version_id: "v2" } },
      { ...unhashed, outPath: "data/b.csv" },
      { ...unhashed, dvcFile: "b.csv.dvc" },
    ];
    expect(await fetchedImportHashes(tmpDir, others)).toEqual([]);
  });

  it("keeps other .dvc files' hashes when recording new ones", async () => {
    await recordFetchedImportHashes(tmpDir, [fetched]);
    const other = {
      ...fetched,
      dvcFile: "b.csv.dvc",
      outPath: "b.csv",
      md5: "fedcba9876543210fedcba9876543210",
    };
    await recordFetchedImportHashes(tmpDir, [other]);
    const { md5: _other, ...otherUnhashed } = other;
    expect(await fetchedImportHashes(tmpDir, [unhashed, otherUnhashed])).toEqual([fetched, other]);
  });

  it("reads a damaged record as empty and replaces it on the next fetch", async () => {
    const path = fetchedImportHashesPath(tmpDir);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{"data/a.csv.dvc": {"outPath": "data/a.csv", "dep": ');
    expect(await fetchedImportHashes(tmpDir, [unhashed])).toEqual([]);
    await recordFetchedImportHashes(tmpDir, [fetched]);
    expect(JSON.parse(readFileSync(path, "utf8"))).toHaveProperty(["data/a.csv.dvc", "md5"], fetched.md5);
  });
});
