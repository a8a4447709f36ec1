/**
 * Set-up shared by the push, pull and gc tests: DVC projects in a scratch root per test, each with a local
 * default remote, files and directories tracked as `dvc add` leaves them, and second checkouts of a project.
 * Test-only; nothing in the product imports it.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "./dataRepo.js";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import { objectKey, type Oid } from "./hashInfo.js";

export function md5(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

let root: string;
let remoteDir: string;
const openRepos: DataRepo[] = [];

/** Gives each test of the calling file a fresh scratch root, closing its repos and removing the root after. */
export function useScratchRoot(): void {
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-pushpull-"));
    remoteDir = join(root, "remote");
  });

  afterEach(() => {
    for (const repo of openRepos.splice(0)) closeDataRepo(repo);
    rmSync(root, { recursive: true, force: true });
  });
}

/** The current test's scratch root, which holds its repos and their local remote. */
export const scratchRoot = (): string => root;

/** The local directory that is the default remote `storage` of every repo `makeRepo` makes. */
export const remoteDirectory = (): string => remoteDir;

/** A repo whose default remote `storage` is `url` (a local path relative to .dvc/, or s3://...). */
export async function makeRepo(
  name: string,
  extraConfig = "",
  options: { git?: boolean } = {},
): Promise<DataRepo> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  if (options.git === true) {
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["config", "user.email", "t@example.com"], { cwd: dir });
    execFileSync("git", ["config", "user.name", "t"], { cwd: dir });
  }
  closeDataRepo(await initDataRepo(dir, { noScm: options.git !== true }));
  const core = options.git === true ? "[core]\n" : "[core]\n    no_scm = True\n";
  writeFileSync(
    join(dir, ".dvc", "config"),
    `${core}    remote = storage\n['remote "storage"']\n    url = ../../remote\n${extraConfig}`,
  );
  const repo = await openDataRepo(dir);
  openRepos.push(repo);
  return repo;
}

/** Tracks a file as `dvc add` would leave it: workspace file, cache object, `<path>.dvc`. */
export async function trackFile(repo: DataRepo, path: string, content: string, extra = ""): Promise<Oid> {
  const abs = join(repo.root, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  const oid = md5(content);
  await repo.cache.addBytes(oid, Buffer.from(content));
  writeFileSync(
    `${abs}.dvc`,
    `outs:\n- md5: ${oid}\n  size: ${Buffer.byteLength(content)}\n  hash: md5\n  path: ${path.split("/").at(-1)}\n${extra}`,
  );
  return oid;
}

export async function trackDir(repo: DataRepo, path: string, files: Record<string, string>) {
  const entries = [];
  for (const [relpath, content] of Object.entries(files)) {
    const abs = join(repo.root, path, relpath);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    await repo.cache.addBytes(md5(content), Buffer.from(content));
    entries.push({ relpath, md5: md5(content) });
  }
  const manifest = serializeDirManifest(entries);
  const oid = dirManifestOid(manifest);
  await repo.cache.addBytes(oid, manifest);
  const size = Object.values(files).reduce((sum, content) => sum + Buffer.byteLength(content), 0);
  writeFileSync(
    join(repo.root, `${path}.dvc`),
    `outs:\n- md5: ${oid}\n  size: ${size}\n  nfiles: ${entries.length}\n  hash: md5\n  path: ${path}\n`,
  );
  return { oid, fileOids: entries.map((e) => e.md5) };
}

/** A second checkout of the same project: the .dvc files and config, but an empty cache and no data. */
export async function cloneOf(repo: DataRepo, name: string): Promise<DataRepo> {
  const clone = await makeRepo(name);
  writeFileSync(join(clone.dvcDir, "config"), readFileSync(join(repo.dvcDir, "config")));
  for (const file of execFileSync("find", [".", "-name", "*.dvc", "-type", "f"], {
    cwd: repo.root,
    encoding: "utf8",
  })
    .split("\n")
    .filter((line) => line !== "")) {
    mkdirSync(dirname(join(clone.root, file)), { recursive: true });
    writeFileSync(join(clone.root, file), readFileSync(join(repo.root, file)));
  }
  closeDataRepo(clone);
  openRepos.splice(openRepos.indexOf(clone), 1);
  const reopened = await openDataRepo(clone.root);
  openRepos.push(reopened);
  return reopened;
}

export function remoteHasObject(oid: Oid): boolean {
  return existsSync(join(remoteDir, objectKey(oid)));
}
