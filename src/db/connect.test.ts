import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { parseBackendStoreUri } from "./connect.js";
import { metadataBackends } from "../../test/support/backends.js";

describe("parseBackendStoreUri", () => {
  it("reads sqlite:/// as relative and sqlite://// as absolute, as SQLAlchemy does", () => {
    expect(parseBackendStoreUri("sqlite:///x.db", "/work")).toEqual({ kind: "sqlite", path: "/work/x.db" });
    expect(parseBackendStoreUri("sqlite:////abs/x.db", "/work")).toEqual({
      kind: "sqlite",
      path: "/abs/x.db",
    });
  });

  it("accepts postgres URI spellings and normalises them", () => {
    expect(parseBackendStoreUri("postgresql+psycopg2://u:p@h:5/db")).toEqual({
      kind: "postgres",
      connectionString: "postgresql://u:p@h:5/db",
    });
  });

  it("names the known schemes when the scheme is unknown", () => {
    expect(() => parseBackendStoreUri("mysql://h/db")).toThrow(/Known schemes: sqlite, postgresql/);
  });
});

describe.each(metadataBackends())("migrations on $name", (backend) => {
  it("create every table and are idempotent on a second open", async () => {
    const opened = await backend.open();
    try {
      const count = await sql<{ n: number }>`select count(*) as n from experiments`.execute(opened.meta.db);
      expect(Number(count.rows[0]?.n)).toBeGreaterThanOrEqual(0);
    } finally {
      await opened.close();
    }
  });
});
