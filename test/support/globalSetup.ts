/**
 * Vitest global set-up: gives the store suites a PostgreSQL server. FLOWOPS_TEST_POSTGRES_URI wins when set
 * (CI may point it at its own server); otherwise a throwaway cluster starts from the local binaries. With
 * FLOWOPS_REQUIRE_POSTGRES=1 (set by .ci/run) a missing server fails the run instead of narrowing it.
 */
import { findPostgresBinDir, startPostgresCluster, type PostgresCluster } from "./postgresCluster.js";

let cluster: PostgresCluster | undefined;

export async function setup(): Promise<void> {
  if (process.env.FLOWOPS_TEST_POSTGRES_URI) return;
  const binDir = findPostgresBinDir();
  if (binDir === undefined) {
    if (process.env.FLOWOPS_REQUIRE_POSTGRES === "1") {
      throw new Error("FLOWOPS_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries were found");
    }
    console.warn("PostgreSQL server binaries not found: store suites run on SQLite only.");
    return;
  }
  cluster = await startPostgresCluster(binDir);
  process.env.FLOWOPS_TEST_POSTGRES_URI = cluster.uri;
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
