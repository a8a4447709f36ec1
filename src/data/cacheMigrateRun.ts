/**
 * The whole of `data cache migrate`, as dvc's CmdCacheMigrate runs it: the cache first (cacheMigrate.ts), then,
 * with `dvcFiles`, the `.dvc` files and dvc.lock entries (cacheMigrateDvcFiles.ts). `dry` reads and writes
 * nothing but answers what dvc's `--dry` prints. Printing is the CLI's job.
 */
import { FlowOpsError } from "../errors.js";
import { type CacheMigration, listLegacyObjects, migrateLegacyCache } from "./cacheMigrate.js";
import { migratedNames } from "./cacheMigrateRecord.js";
import { findLegacyDvcFiles, migrateDvcFiles, type DvcFilesMigration } from "./cacheMigrateDvcFiles.js";
import type { DataRepo } from "./dataRepo.js";

export interface CacheMigrateOptions {
  dry?: boolean;
  dvcFiles?: boolean;
  /** Hears each DVC 2 object as it is migrated, for progress. */
  onObject?: () => void;
}

export type CacheMigrateResult =
  | {
      dry: true;
      /** How many DVC 2 objects a run would re-hash (dvc counts every one, migrated before or not). */
      objects: number;
      /** With `dvcFiles`: the files whose entries a run would rewrite, as dvc names them. */
      dvcFiles?: string[];
    }
  | {
      dry: false;
      cache: CacheMigration;
      dvcFiles?: DvcFilesMigration;
    };

export async function cacheMigrate(
  repo: DataRepo,
  options: CacheMigrateOptions = {},
): Promise<CacheMigrateResult> {
  if (options.dry === true) {
    const objects = (await listLegacyObjects(repo.cacheDir)).length;
    if (options.dvcFiles !== true) return { dry: true, objects };
    return { dry: true, objects, dvcFiles: (await findLegacyDvcFiles(repo)).names };
  }
  const cache = await migrateLegacyCache(repo.cacheDir, options.onObject);
  // The records are committed from the workspace only when the objects they name could all be read: a corrupt
  // object means data someone may still need, and the user should see that before anything is rewritten.
  if (cache.corrupt.length > 0) throw corruptLegacyObjects(cache);
  if (options.dvcFiles !== true) return { dry: false, cache };
  const names = migratedNames([...cache.migrated, ...cache.present]);
  const dvcFiles = await migrateDvcFiles(repo, await findLegacyDvcFiles(repo), names);
  return { dry: false, cache, dvcFiles };
}

function corruptLegacyObjects(cache: CacheMigration): FlowOpsError {
  const list = cache.corrupt.map((o) => `\n\t${o.oid} (${o.path}): its md5-dos2unix is ${o.actual}`).join("");
  return new FlowOpsError(
    "DATA_LOSS",
    `Migrated ${cache.migrated.length} files to DVC 3.0 cache location, but ${cache.corrupt.length} DVC 2 ` +
      `cache objects are corrupted (their content does not match their name) and were left where they are:` +
      `${list}\nrestore them from a remote (dvc 2 layout) or remove them, then run the migration again`,
  );
}
