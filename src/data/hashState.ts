/**
 * The state cache that spares rehashing: absolute path -> md5, valid while the file's (inode, mtime in ns,
 * size) are unchanged, as DVC's state database does (dvc-data `hashfile/state.py`). It lives in
 * `<repo>/.dvc/tmp/flowops-hashes.sqlite` (SQLite in WAL mode so concurrent commands can read while one
 * writes). Writes are buffered and flushed in one transaction: one commit per file would cost more than the
 * hashing it saves. It is only a cache: a lost or unreadable database is recreated empty.
 */
import { mkdirSync, rmSync, type Stats } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { sqliteAddonOptions } from "../db/sqliteAddon.js";

export const STATE_FILE_NAME = "flowops-hashes.sqlite";

/** Pending writes beyond this are flushed at once, bounding memory during a huge `add`. */
const AUTO_FLUSH_ROWS = 10_000;

interface StateRow {
  path: string;
  token: string;
  md5: string;
}

/**
 * A remembered conclusion about many files at once (a directory's hash, a cache holding every object of a
 * tree): valid while `token`, a digest of everything it was drawn from, is unchanged.
 */
export interface StateMemo {
  token: string;
  value: string;
}

/**
 * What must be unchanged for a recorded hash to still hold. From number stats, whose mtime in ms keeps about
 * a quarter of a microsecond (DVC's state keeps float seconds, no finer): bigint stats cost twice as much to
 * make, which an unchanged `status` of 10k files paid once per file.
 */
export function statToken(st: Pick<Stats, "ino" | "mtimeMs" | "size">): string {
  return `${st.ino}:${st.mtimeMs}:${st.size}`;
}

export class HashState {
  private readonly pending = new Map<string, { token: string; md5: string }>();
  /** Rows of preloaded directories, so hashing 10k files costs one query instead of 10k. */
  private readonly preloaded = new Map<string, { token: string; md5: string }>();
  private readonly preloadedDirs = new Set<string>();
  private readonly selectOne: Database.Statement<[string], StateRow>;
  private readonly selectUnder: Database.Statement<[string, string], StateRow>;
  private readonly upsert: Database.Statement<[string, string, string]>;
  private readonly writeAll: (rows: [string, { token: string; md5: string }][]) => void;
  private readonly selectMemo: Database.Statement<[string, string], StateMemo>;
  private readonly upsertMemo: Database.Statement<[string, string, string, string]>;
  private closed = false;

  private constructor(private readonly db: Database.Database) {
    this.selectOne = db.prepare("SELECT path, token, md5 FROM hashes WHERE path = ?");
    this.selectUnder = db.prepare("SELECT path, token, md5 FROM hashes WHERE path > ? AND path < ?");
    this.upsert = db.prepare("INSERT OR REPLACE INTO hashes (path, token, md5) VALUES (?, ?, ?)");
    this.writeAll = db.transaction((rows: [string, { token: string; md5: string }][]) => {
      for (const [path, { token, md5 }] of rows) this.upsert.run(path, token, md5);
    });
    this.selectMemo = db.prepare("SELECT token, value FROM memos WHERE kind = ? AND key = ?");
    this.upsertMemo = db.prepare(
      "INSERT OR REPLACE INTO memos (kind, key, token, value) VALUES (?, ?, ?, ?)",
    );
  }

  /** Opens (creating on demand) the state database in `stateDir`, normally `<repo>/.dvc/tmp`. */
  static open(stateDir: string): HashState {
    mkdirSync(stateDir, { recursive: true });
    const file = join(stateDir, STATE_FILE_NAME);
    try {
      return new HashState(openDatabase(file));
    } catch (error) {
      // A corrupt or foreign file: the state is only a cache, so start over rather than fail the command.
      if (!isCorruptDatabase(error)) throw error;
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
      return new HashState(openDatabase(file));
    }
  }

  /** The recorded md5 of `absPath` when `st` (a bigint stat of it, or its statToken) still matches. */
  lookup(absPath: string, st: Stats | string): string | undefined {
    const token = typeof st === "string" ? st : statToken(st);
    const row = this.pending.get(absPath) ?? this.findRow(absPath);
    return row !== undefined && row.token === token ? row.md5 : undefined;
  }

  /** Remembers `md5` for `absPath` at the state `st`; written by the next `flush()`. */
  record(absPath: string, st: Stats | string, md5: string): void {
    this.pending.set(absPath, { token: typeof st === "string" ? st : statToken(st), md5 });
    if (this.pending.size >= AUTO_FLUSH_ROWS) this.flush();
  }

  /**
   * Loads every row under directory `absDir` into memory, so the lookups of a directory walk hit a Map.
   * Optional: lookups work without it, one indexed query each.
   */
  preload(absDir: string): void {
    const dir = absDir.endsWith("/") ? absDir.slice(0, -1) : absDir;
    if (this.preloadedDirs.has(dir)) return;
    // Paths under `dir/` sort between `dir/` and `dir0` ('0' follows '/').
    for (const row of this.selectUnder.iterate(`${dir}/`, `${dir}0`)) {
      this.preloaded.set(row.path, { token: row.token, md5: row.md5 });
    }
    this.preloadedDirs.add(dir);
  }

  /** The memo of `kind` for `key` when it was recorded with this `token`, else undefined. */
  recall(kind: string, key: string, token: string): string | undefined {
    if (this.closed) return undefined;
    const memo = this.selectMemo.get(kind, key);
    return memo !== undefined && memo.token === token ? memo.value : undefined;
  }

  /** Remembers `value` for (`kind`, `key`) while `token` holds; written at once (memos are few). */
  remember(kind: string, key: string, token: string, value: string): void {
    if (this.closed) return;
    this.upsertMemo.run(kind, key, token, value);
  }

  /** Writes the buffered records in one transaction. */
  flush(): void {
    if (this.pending.size === 0 || this.closed) return;
    const rows = [...this.pending];
    this.writeAll(rows);
    if (this.preloadedDirs.size > 0) {
      for (const [path, value] of rows) this.preloaded.set(path, value);
    }
    this.pending.clear();
  }

  /** Flushes and closes; further calls are no-ops. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private findRow(absPath: string): { token: string; md5: string } | undefined {
    const cached = this.preloaded.get(absPath);
    if (cached !== undefined || this.isUnderPreloadedDir(absPath)) return cached;
    return this.selectOne.get(absPath);
  }

  private isUnderPreloadedDir(absPath: string): boolean {
    if (this.preloadedDirs.size === 0) return false;
    for (let slash = absPath.lastIndexOf("/"); slash > 0; slash = absPath.lastIndexOf("/", slash - 1)) {
      if (this.preloadedDirs.has(absPath.slice(0, slash))) return true;
    }
    return false;
  }
}

function openDatabase(file: string): Database.Database {
  const db = new Database(file, sqliteAddonOptions());
  try {
    db.pragma("journal_mode = WAL");
    // The state is a cache: losing the last transaction on power loss only costs a rehash.
    db.pragma("synchronous = NORMAL");
    db.exec(
      "CREATE TABLE IF NOT EXISTS hashes (path TEXT PRIMARY KEY NOT NULL, token TEXT NOT NULL, md5 TEXT NOT NULL) WITHOUT ROWID",
    );
    db.exec(
      "CREATE TABLE IF NOT EXISTS memos (kind TEXT NOT NULL, key TEXT NOT NULL, token TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID",
    );
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function isCorruptDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB";
}
