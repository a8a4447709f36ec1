/**
 * The links record of dvc's state (dvc-data `State.save_link`/`get_unused_links`): each out that checkout or
 * add wrote from the cache, with its inode and modification token at that moment. A checkout without targets
 * (so `pull` too) removes every recorded path that no `.dvc` file or stage declares any more and that nobody
 * has touched since (same inode, same token), as `dvc checkout` prints `D` for them; a path changed by the user
 * or never written by us is left alone.
 *
 * dvc keeps its record in a pickled diskcache under its site cache dir (`/var/tmp/dvc/repo/<hash>/links`),
 * keyed by a hash of the user and dvc version, so it is no file two tools can share. FlowOps keeps its own in
 * `.dvc/tmp/flowops-links.sqlite`: each tool removes only what it wrote itself, never data the other left.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import Database from "better-sqlite3";
import { sqliteAddonOptions } from "../db/sqliteAddon.js";
import type { DvcIgnore } from "./dvcIgnore.js";

export const LINKS_FILE_NAME = "flowops-links.sqlite";

interface LinkRow {
  path: string;
  token: string;
}

/** What records and removes links: the repository root, its `.dvc/tmp`, and its `.dvcignore` rules. */
export interface LinksRepo {
  root: string;
  tmpDir: string;
  ignore: DvcIgnore;
}

function openLinks(tmpDir: string): Database.Database {
  mkdirSync(tmpDir, { recursive: true });
  const db = new Database(join(tmpDir, LINKS_FILE_NAME), sqliteAddonOptions());
  try {
    db.pragma("journal_mode = WAL");
    db.exec(
      "CREATE TABLE IF NOT EXISTS links (path TEXT PRIMARY KEY NOT NULL, token TEXT NOT NULL) WITHOUT ROWID",
    );
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}

/**
 * The path's inode and modification token, or undefined when it is gone. A directory's token covers the
 * path, mtime and size of every file in it that `.dvcignore` keeps (dvc hashes their mtimes), so a file
 * added, removed, moved or edited inside makes it a different directory.
 */
async function linkToken(repo: LinksRepo, abs: string): Promise<string | undefined> {
  let st;
  try {
    st = await stat(abs);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return `${st.ino}:${st.mtimeMs}`;
  const files: string[] = [];
  await listFileStamps(repo, abs, "", files);
  files.sort();
  return `${st.ino}:${createHash("md5").update(files.join("\n")).digest("hex")}`;
}

async function listFileStamps(repo: LinksRepo, dir: string, relDir: string, into: string[]): Promise<void> {
  for (const dirent of await readdir(dir, { withFileTypes: true })) {
    const abs = join(dir, dirent.name);
    const relpath = relDir === "" ? dirent.name : `${relDir}/${dirent.name}`;
    const fromRoot = toPosix(relative(repo.root, abs));
    let st;
    try {
      st = await stat(abs);
    } catch {
      continue; // a broken symlink, as dvc skips it
    }
    if (repo.ignore.ignores(fromRoot, st.isDirectory())) continue;
    if (st.isDirectory()) await listFileStamps(repo, abs, relpath, into);
    else into.push(`${relpath}\0${st.mtimeMs}\0${st.size}`);
  }
}

/** Records `absPaths` (outs just written from the cache) as links this tool made, with their current state. */
export async function recordLinks(repo: LinksRepo, absPaths: readonly string[]): Promise<void> {
  if (absPaths.length === 0) return;
  const rows: LinkRow[] = [];
  for (const abs of absPaths) {
    const token = await linkToken(repo, abs);
    if (token !== undefined) rows.push({ path: toPosix(relative(repo.root, abs)), token });
  }
  const db = openLinks(repo.tmpDir);
  try {
    const upsert = db.prepare("INSERT OR REPLACE INTO links (path, token) VALUES (?, ?)");
    db.transaction(() => {
      for (const row of rows) upsert.run(row.path, row.token);
    })();
  } finally {
    db.close();
  }
}

/**
 * dvc's `_remove_unused_links`: removes each recorded path that is not in `used` (the absolute paths of every
 * declared out) and is exactly as recorded, and returns them as dvc prints them. A path that is gone, or
 * changed, keeps its record, as dvc keeps it.
 */
export async function removeUnusedLinks(
  repo: LinksRepo,
  used: ReadonlySet<string>,
  cwd: string,
): Promise<string[]> {
  const db = openLinks(repo.tmpDir);
  try {
    const unused: string[] = [];
    for (const row of db.prepare("SELECT path, token FROM links").all() as LinkRow[]) {
      const abs = resolve(repo.root, row.path);
      if (used.has(abs)) continue;
      if ((await linkToken(repo, abs)) === row.token) unused.push(row.path);
    }
    const printed: string[] = [];
    for (const path of unused) printed.push(await printedPath(path, cwd));
    const forget = db.prepare("DELETE FROM links WHERE path = ?");
    for (const path of unused) {
      await rm(resolve(repo.root, path), { recursive: true, force: true });
      forget.run(path);
    }
    return printed;
  } finally {
    db.close();
  }
}

/**
 * dvc's `_fspath_dir` over the root-relative path: tested against the cwd, a path found there is printed
 * relative to the cwd with "/" after a directory, and one not found there is printed as recorded.
 */
async function printedPath(rootRelative: string, cwd: string): Promise<string> {
  const atCwd = resolve(cwd, rootRelative);
  try {
    const st = await stat(atCwd);
    const rel = toPosix(relative(cwd, atCwd));
    return st.isDirectory() ? `${rel}/` : rel;
  } catch {
    return rootRelative;
  }
}
