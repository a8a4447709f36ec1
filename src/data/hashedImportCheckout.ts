/**
 * checkout (and so pull) of the versioned imports made with `--no-download` that a fetch has brought from their
 * sources: their `.dvc` files record no hash (dvc leaves them so), so checkoutTargets first reports each as
 * "no hash recorded"; the hash fetch found (fetchedImportHashes.ts) replaces that failure here and the out is
 * checked out by it, as dvc's checkout restores them from the data its fetch kept. Workspace content that
 * differs is replaced only with `force`; data gone from the cache since is a failure of that out alone.
 */
import { lstat, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { toFlowOpsError } from "../errors.js";
import type { CheckoutSummary } from "./checkoutTargets.js";
import type { DataRepo } from "./dataRepo.js";
import { isDirOid } from "./hashInfo.js";
import { HashPool } from "./hashPool.js";
import { hashPath } from "./hashTree.js";
import { materializeOut } from "./materialize.js";
import type { HashedVersionedImport } from "./fetchedImportHashes.js";
import { sortCheckoutChanges } from "./checkoutChangeOrder.js";

export interface HashedImportCheckoutOptions {
  force?: boolean;
  cwd?: string;
}

/** `checkout` with each fetched import that it could not check out (no hash recorded) checked out by its hash. */
export async function checkoutHashedImports(
  repo: DataRepo,
  imports: readonly HashedVersionedImport[],
  checkout: CheckoutSummary,
  options: HashedImportCheckoutOptions = {},
): Promise<CheckoutSummary> {
  const cwd = options.cwd ?? process.cwd();
  const summary: CheckoutSummary = {
    ...checkout,
    added: [...checkout.added],
    modified: [...checkout.modified],
    deleted: [...checkout.deleted],
    stats: { ...checkout.stats },
  };
  for (const found of imports) {
    const abs = join(repo.root, ...found.outPath.split("/"));
    const unhashedPath = relative(cwd, abs).split(sep).join("/");
    // Only outs that this checkout selected and could not check out: pull's targets decide, as they did there.
    if (!summary.failed.some((failure) => failure.path === unhashedPath)) continue;
    summary.failed = summary.failed.filter((failure) => failure.path !== unhashedPath);
    const display = isDirOid(found.md5) ? `${unhashedPath}/` : unhashedPath;
    const existed = await exists(abs);
    if (existed) {
      const current = await hashPath(abs, {
        root: repo.root,
        state: repo.state,
        ignore: repo.ignore,
        pool: HashPool.shared(),
      });
      if (current.md5 === found.md5) continue;
      if (options.force !== true) {
        summary.failed.push({
          path: display,
          reason: `holds other data than ${found.dvcFile}'s source at its recorded versions; use --force to replace it`,
        });
        continue;
      }
      if ((current.kind === "dir") !== isDirOid(found.md5)) await rm(abs, { recursive: true, force: true });
    }
    let result: Awaited<ReturnType<typeof materializeOut>>;
    try {
      result = await materializeOut(repo.cache, { md5: found.md5 }, abs, {
        linkTypes: repo.linkTypes,
        state: repo.state,
        ignore: repo.ignore,
        root: repo.root,
      });
    } catch (error) {
      const failure = toFlowOpsError(error);
      if (failure.code !== "DATA_LOSS" && failure.code !== "RESOURCE_DOES_NOT_EXIST") throw failure;
      summary.failed.push({
        path: display,
        reason: `${failure.message} (fetched for ${found.dvcFile}; \`flowops data fetch\` brings it again)`,
        ...(failure.code === "RESOURCE_DOES_NOT_EXIST" ? { missing: true } : {}),
      });
      continue;
    }
    summary.deleted.push(...result.deleted.map((path) => relative(cwd, path).split(sep).join("/")));
    summary.stats.added += result.added.length;
    summary.stats.modified += result.modified.length;
    summary.stats.deleted += result.deleted.length;
    (existed ? summary.modified : summary.added).push(display);
  }
  sortCheckoutChanges(summary.added);
  sortCheckoutChanges(summary.modified);
  sortCheckoutChanges(summary.deleted);
  repo.state.flush();
  return summary;
}

async function exists(abs: string): Promise<boolean> {
  try {
    await lstat(abs);
    return true;
  } catch {
    return false;
  }
}
