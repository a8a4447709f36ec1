/**
 * The objects of the repository `get` and `import` read: the importing repository's cache first (for
 * `import`), then the source's cache (verified), then the source's default remote (or the one named) through a
 * temporary cache, so the source's own cache is not written to.
 */
import { join } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { openDataRemote, type DataRemote } from "./dataRemote.js";
import type { DirEntry, Oid } from "./hashInfo.js";
import { ObjectCache } from "./objectCache.js";
import { fetchObjects, forEachLimited, type ObjectOwner } from "./transferObjects.js";

/** The source's objects: its cache first, then its remote through a temporary cache. */
export class ObjectSupply {
  private remote: DataRemote | undefined;
  private readonly fetched: ObjectCache;
  downloaded = 0;

  constructor(
    private readonly repo: DataRepo | undefined,
    scratch: string,
    private readonly options: {
      jobs?: number;
      remote?: string;
      /**
       * The importing repository's cache, looked in before the source's: dvc's import reads through its own
       * cache, so objects it already holds need no remote.
       */
      localCache?: ObjectCache;
    },
  ) {
    this.fetched = new ObjectCache(join(scratch, "cache"));
  }

  /** The path of a verified copy of each object, fetching the missing ones; an error names what failed. */
  async paths(owners: ReadonlyMap<Oid, ObjectOwner>): Promise<Map<Oid, string>> {
    const found = new Map<Oid, string>();
    const missing = new Map<Oid, ObjectOwner>();
    const local = this.options.localCache;
    await forEachLimited([...owners.keys()], this.options.jobs ?? 8, async (oid) => {
      if (local !== undefined && (await local.verify(oid))) {
        found.set(oid, (await local.locate(oid))!);
      } else if (this.repo !== undefined && (await this.repo.cache.verify(oid))) {
        found.set(oid, (await this.repo.cache.locate(oid))!);
      } else missing.set(oid, owners.get(oid)!);
    });
    if (missing.size === 0) return found;
    const remote = this.openRemote(missing);
    const result = await fetchObjects({ cache: this.fetched }, remote, missing, {
      ...(this.options.jobs !== undefined ? { jobs: this.options.jobs } : {}),
    });
    this.downloaded += result.transferred;
    if (result.failed.length > 0) {
      const failure = result.failed[0]!;
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `'${failure.path}' (${failure.oid}) is not in the repository's cache and ${failure.reason}`,
      );
    }
    for (const oid of missing.keys()) {
      // A DVC 2 remote's object lands in the legacy layout.
      found.set(oid, (await this.fetched.locate(oid)) ?? this.fetched.objectPath(oid));
    }
    return found;
  }

  /** The entries of a directory's manifest; an error says why neither the cache nor the remote gave it. */
  async manifest(oid: Oid, outPath: string): Promise<DirEntry[]> {
    const path = (await this.paths(new Map([[oid, { path: outPath, dvcFile: outPath }]]))).get(oid)!;
    if (path.startsWith(this.fetched.cacheDir)) return this.fetched.readDirManifest(oid);
    const local = this.options.localCache;
    return local !== undefined && path.startsWith(local.cacheDir)
      ? local.readDirManifest(oid)
      : this.repo!.cache.readDirManifest(oid);
  }

  private openRemote(missing: ReadonlyMap<Oid, ObjectOwner>): DataRemote {
    if (this.repo === undefined)
      throw new FlowOpsError("INTERNAL_ERROR", "a Git-only repository has no outs");
    try {
      this.remote ??= openDataRemote(this.repo, this.options.remote);
    } catch (error) {
      const [oid, owner] = [...missing][0]!;
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `'${owner.path}' (${oid}) is not in the repository's cache, and ` +
          `${error instanceof FlowOpsError ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return this.remote;
  }
}
