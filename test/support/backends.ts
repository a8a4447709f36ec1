/**
 * The metadata backends every store suite runs against: SQLite always, PostgreSQL whenever a server is
 * available (always in CI). Each call gets a fresh, empty database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { openMetadataDb, type MetadataDb } from "../../src/db/connect.js";

export interface TestBackend {
  name: "sqlite" | "postgres";
  /** Opens a new empty, migrated database; `close` drops it. */
  open(): Promise<{ meta: MetadataDb; uri: string; close(): Promise<void> }>;
}

export const sqliteBackend: TestBackend = {
  name: "sqlite",
  async open() {
    const dir = mkdtempSync(join(tmpdir(), "flowops-sqlite-"));
    const uri = `sqlite:///${join(dir, "flowops.db")}`;
    const meta = await openMetadataDb(uri);
    return {
      meta,
      uri,
      async close() {
        await meta.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresBackend: TestBackend = {
  name: "postgres",
  async open() {
    const adminUri = process.env.FLOWOPS_TEST_POSTGRES_URI;
    if (!adminUri) throw new Error("FLOWOPS_TEST_POSTGRES_URI is not set");
    const { default: pg } = await import("pg");
    const name = `flowops_test_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
    const admin = new pg.Client({ connectionString: adminUri });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUri);
    url.pathname = `/${name}`;
    const uri = url.toString();
    const meta = await openMetadataDb(uri);
    return {
      meta,
      uri,
      async close() {
        await meta.close();
        const cleanup = new pg.Client({ connectionString: adminUri });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await cleanup.end();
      },
    };
  },
};

/** Backends to loop over in a contract suite. */
export function metadataBackends(): TestBackend[] {
  return process.env.FLOWOPS_TEST_POSTGRES_URI ? [sqliteBackend, postgresBackend] : [sqliteBackend];
}
