/**
 * Opens the metadata database named by a backend-store URI and brings its schema up to date.
 * SQLite (the embedded default) and PostgreSQL (shared, multi-replica) are the two engines; the heavy
 * driver of the one not chosen is never loaded.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import { FlowOpsError } from "../errors.js";
import type { SqlDialectName } from "./dialect.js";
import { migrateToLatest } from "./migrate.js";
import { sqliteAddonOptions } from "./sqliteAddon.js";
import { registerSqliteRegexp } from "./sqliteRegexp.js";
import type { Database } from "./schema.js";

export interface MetadataDb {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialectName;
  /** A description safe to log: the path or the host, never a password. */
  readonly description: string;
  close(): Promise<void>;
}

export type BackendStoreLocation =
  { kind: "sqlite"; path: string } | { kind: "postgres"; connectionString: string };

/** Default location of the embedded store: `.flowops/` in the working directory, or `$FLOWOPS_HOME`. */
export function flowopsHome(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return resolve(cwd, env.FLOWOPS_HOME ?? ".flowops");
}

/**
 * Parses MLflow-style backend-store URIs: `sqlite:///relative.db`, `sqlite:////absolute.db`,
 * `postgresql://user:pass@host:port/db` (also `postgres://` and `postgresql+psycopg2://`), or a bare path.
 */
export function parseBackendStoreUri(uri: string, cwd: string = process.cwd()): BackendStoreLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || /^[a-z]$/i.test(scheme)) return { kind: "sqlite", path: resolve(cwd, uri) };
  if (scheme === "sqlite") {
    const rest = uri.slice("sqlite://".length);
    if (!uri.startsWith("sqlite://") || rest === "" || rest === "/") {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `Invalid SQLite URI '${uri}': expected sqlite:///path.db`,
      );
    }
    if (rest === "/:memory:") return { kind: "sqlite", path: ":memory:" };
    // sqlite:///x.db is relative, sqlite:////x.db absolute, as SQLAlchemy reads them.
    const path = rest.startsWith("//") ? rest.slice(1) : rest.slice(1);
    return { kind: "sqlite", path: rest.startsWith("//") ? path : resolve(cwd, path) };
  }
  if (scheme === "postgresql" || scheme === "postgres" || scheme.startsWith("postgresql+")) {
    return {
      kind: "postgres",
      connectionString: uri.replace(/^postgres(ql)?(\+[a-z0-9]+)?:/i, "postgresql:"),
    };
  }
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `Unsupported backend store URI scheme '${scheme}:'. Known schemes: sqlite, postgresql (postgres).`,
  );
}

export async function openMetadataDb(uri: string): Promise<MetadataDb> {
  const location = parseBackendStoreUri(uri);
  const opened = location.kind === "sqlite" ? await openSqlite(location.path) : await openPostgres(location);
  try {
    await migrateToLatest(opened.db, opened.dialect);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

async function openSqlite(path: string): Promise<MetadataDb> {
  const { default: SqliteDatabase } = await import("better-sqlite3");
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path, sqliteAddonOptions());
  sqlite.pragma("journal_mode = WAL");
  // NORMAL is durable across application crashes in WAL mode; only a power cut can lose the last commits.
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("foreign_keys = ON");
  registerSqliteRegexp(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: "sqlite", description: path, close: () => db.destroy() };
}

async function openPostgres(location: { connectionString: string }): Promise<MetadataDb> {
  const pg = await import("pg");
  const { Pool, types } = pg.default;
  // int8 columns hold epoch milliseconds and steps, which fit a double exactly; parse them as numbers.
  const pool = new Pool({
    connectionString: location.connectionString,
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === types.builtins.INT8
          ? (value: string) => Number(value)
          : types.getTypeParser(oid, format ?? "text")) as typeof types.getTypeParser,
    },
  });
  // An idle pooled connection can be dropped by the server (restart, admin termination); pg emits
  // that on the pool, and an unhandled 'error' event would crash the process. The pool discards the
  // dead client and the next query opens a fresh one, so there is nothing else to do here.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const url = new URL(location.connectionString);
  return {
    db,
    dialect: "postgres",
    description: `postgresql://${url.host}${url.pathname}`,
    close: () => db.destroy(),
  };
}
