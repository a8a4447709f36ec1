/**
 * Vitest global set-up: gives the store suites a PostgreSQL server. FLOWOPS_TEST_POSTGRES_URI wins when set
 * (CI may point it at its own server); otherwise a throwaway cluster starts from the local binaries. With
 * FLOWOPS_REQUIRE_POSTGRES=1 (set by .ci/run) a missing server fails the run instead of narrowing it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPostgresBinDir, startPostgresCluster, type PostgresCluster } from "./postgresCluster.js";

let cluster: PostgresCluster | undefined;
let dvcConfigRoot: string | undefined;

/**
 * The data layer reads dvc's global and system config (~/.config/dvc, /etc/xdg/dvc) as dvc does; the tests
 * point both at empty directories so a developer's own remotes cannot change their outcome. Forked workers
 * inherit the variables.
 */
function isolateDvcUserConfig(): void {
  dvcConfigRoot = mkdtempSync(join(tmpdir(), "flowops-dvc-user-config-"));
  process.env.DVC_GLOBAL_CONFIG_DIR = join(dvcConfigRoot, "global");
  process.env.DVC_SYSTEM_CONFIG_DIR = join(dvcConfigRoot, "system");
}

export async function setup(): Promise<void> {
  isolateDvcUserConfig();
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
  if (dvcConfigRoot !== undefined) rmSync(dvcConfigRoot, { recursive: true, force: true });
  await cluster?.stop();
}
