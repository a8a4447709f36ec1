/**
 * fetch for the outs of versioned imports (`import-url --version-aware`, dvc's `is_versioned_import`). Their
 * data never goes to a remote (`push: false`), so, as dvc's fetch does with the dep's version-aware filesystem
 * as the out's storage, it is downloaded from the source at the versions the dep records, with or without a
 * remote configured; that holds too for an import made with `--no-download`, whose out records no hash yet
 * (dvc fetches it all the same and leaves the `.dvc` file as it is; the hash found is kept for checkout in
 * fetchedImportHashes.ts). Downloads of every out run side by side,
 * at most `jobs` at once, as the remote transfers do; what each out accepts into the cache is
 * versionedFetchPlan.ts's job. A version gone from the source is a failure naming the .dvc file and the
 * version. Each downloaded file counts as fetched (dvc's "N files fetched"); a manifest does not.
 * This module must not read a remote; pushPull.ts sends every other object there.
 */
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import { defaultTransferJobs } from "./dataRemote.js";
import { recordFetchedImportHashes, type HashedVersionedImport } from "./fetchedImportHashes.js";
import { isDirOid, type Oid } from "./hashInfo.js";
import { locateDep } from "./importLocation.js";
import type { S3ObjectReader, S3SourceFile } from "./s3Source.js";
import {
  forEachLimited,
  type TransferEvent,
  type TransferFailure,
  type TransferResult,
} from "./transferObjects.js";
import type { UnhashedVersionedImport } from "./unhashedVersionedImports.js";
import type { UsedObject } from "./usedObjects.js";
import {
  UNKNOWN_OID,
  planFiles,
  planWholeOut,
  settled,
  wantedByRelpath,
  type OutRequest,
  type PlannedOut,
  type SourceRead,
  type VersionedFetchRepo,
} from "./versionedFetchPlan.js";

export type { VersionedFetchRepo } from "./versionedFetchPlan.js";

export interface VersionedFetchOptions {
  /** Each object's event; `source` is the dep's URL, where a remote's name would be. */
  onProgress?: (event: TransferEvent, source: string) => void;
  /** Where a relative credentials path in a dep's `fs_config` is found; the cwd by default. */
  configDir?: string;
  /** Downloads at once, over all outs; DVC's default (4 x cores) without one. */
  jobs?: number;
}

export type { HashedVersionedImport } from "./fetchedImportHashes.js";

export interface VersionedFetchResult extends TransferResult {
  /** The unhashed imports whose data is now in the cache, for pull to check out. */
  hashedImports: HashedVersionedImport[];
}

/** Whether the object belongs to a versioned import's out, and so comes from its source. */
export function isFromVersionedSource(owner: UsedObject): boolean {
  return owner.versionedImport !== undefined;
}

/**
 * Brings the objects of versioned imports that the cache lacks from their sources, and the data of the
 * `unhashed` imports (which the cache cannot be asked about, having no hash to ask by).
 */
export async function fetchVersionedImports(
  repo: VersionedFetchRepo,
  objects: ReadonlyMap<Oid, UsedObject>,
  options: VersionedFetchOptions = {},
  unhashed: readonly UnhashedVersionedImport[] = [],
): Promise<VersionedFetchResult> {
  const requests: (OutRequest & { unhashed?: UnhashedVersionedImport })[] = [
    ...groupByOut(objects),
    ...unhashed.map((found) => ({
      source: { dep: found.dep, outPath: found.outPath },
      dvcFile: found.dvcFile,
      objects: new Map<Oid, UsedObject>(),
      unhashed: found,
    })),
  ];
  const readers: Promise<S3ObjectReader>[] = [];
  const planned: PlannedOut[] = [];
  for (const request of requests) {
    planned.push(
      await planOut(repo, request, options, readers).catch((error: unknown) =>
        settled(unreadableOut(request, error)),
      ),
    );
  }
  const total: VersionedFetchResult = { transferred: 0, skipped: 0, failed: [], bytes: 0, hashedImports: [] };
  try {
    await forEachLimited(
      planned.flatMap((plan) => plan.downloads),
      options.jobs ?? defaultTransferJobs(),
      (download) => download(),
    );
    for (const [index, plan] of planned.entries()) {
      const result = await plan.finish();
      total.transferred += result.transferred;
      total.skipped += result.skipped;
      total.bytes += result.bytes;
      total.failed.push(...result.failed);
      const found = requests[index]?.unhashed;
      if (found !== undefined && result.outMd5 !== undefined && result.failed.length === 0) {
        total.hashedImports.push({ ...found, md5: result.outMd5 });
      }
    }
  } finally {
    for (const reader of readers) (await reader.catch(() => undefined))?.close();
  }
  // Kept for a later `checkout`, which reads no source: the `.dvc` files stay without these hashes.
  await recordFetchedImportHashes(repo.tmpDir, total.hashedImports);
  return total;
}

function groupByOut(objects: ReadonlyMap<Oid, UsedObject>): OutRequest[] {
  const outs = new Map<string, OutRequest>();
  for (const [oid, owner] of objects) {
    const source = owner.versionedImport;
    if (source === undefined) continue;
    const key = `${owner.dvcFile}\0${source.outPath}`;
    let out = outs.get(key);
    if (out === undefined) outs.set(key, (out = { source, dvcFile: owner.dvcFile, objects: new Map() }));
    out.objects.set(oid, owner);
  }
  return [...outs.values()];
}

/** The downloads one out needs; its reader (one S3 client) is opened on first use and kept in `readers`. */
async function planOut(
  repo: VersionedFetchRepo,
  request: OutRequest,
  options: VersionedFetchOptions,
  readers: Promise<S3ObjectReader>[],
): Promise<PlannedOut> {
  const { dep, outMd5 } = request.source;
  const location = locateDep(repo, dep, repo.root, options.configDir ?? process.cwd());
  const url = dep.path;
  const readOptions = {
    versionAware: true,
    ...(location.kind === "url" && location.options.fsConfig !== undefined
      ? { fsConfig: location.options.fsConfig }
      : {}),
    ...(location.kind === "url" && location.options.configDir !== undefined
      ? { configDir: location.options.configDir }
      : {}),
  };
  let reader: Promise<S3ObjectReader> | undefined;
  const read: SourceRead = {
    url,
    request,
    reader: () => {
      if (reader === undefined) {
        reader = import("./s3Source.js").then(({ openS3ObjectReader }) =>
          openS3ObjectReader(url, readOptions),
        );
        readers.push(reader);
      }
      return reader;
    },
    onProgress: (event) => options.onProgress?.(event, url),
    failure: (oid, path, error) => sourceFailure(url, request.dvcFile, oid, path, error),
    unrecorded: (oid, path, relpath) => unrecorded(url, request.dvcFile, oid, path, relpath),
  };
  const object = recordedObject(dep);
  const files = recordedFiles(request);
  if (outMd5 === undefined) {
    if (files !== undefined) return planWholeOut(repo, read, files, "directory");
    if (object !== undefined) return planWholeOut(repo, read, [object], "file");
    return settled({
      transferred: 0,
      skipped: 0,
      bytes: 0,
      failed: [read.unrecorded(UNKNOWN_OID, request.source.outPath)],
    });
  }
  if (!isDirOid(outMd5)) return planFiles(repo, read, [{ oid: outMd5, file: object }]);
  const manifest = request.objects.get(outMd5);
  if (manifest !== undefined && (manifest.unexpanded !== undefined || !(await repo.cache.has(outMd5)))) {
    if (files === undefined) {
      return settled({
        transferred: 0,
        skipped: 0,
        bytes: 0,
        failed: [read.unrecorded(outMd5, `${request.source.outPath}/`)],
      });
    }
    return planWholeOut(repo, read, files, "directory");
  }
  // The manifest is here: only the files asked for that the cache lacks are read, each by its relpath.
  const plan = await planFiles(repo, read, wantedByRelpath(request, files));
  if (manifest === undefined) return plan;
  return {
    downloads: plan.downloads,
    finish: async () => {
      const result = await plan.finish();
      return { ...result, skipped: result.skipped + 1 };
    },
  };
}

/** An object dep's recorded version, ETag and size; undefined when the dep lacks them. */
function recordedObject(dep: OutRequest["source"]["dep"]): S3SourceFile | undefined {
  const fields = dep as Record<string, unknown>;
  if (typeof fields.etag !== "string" || typeof fields.size !== "number") return undefined;
  return {
    relpath: "",
    etag: fields.etag,
    size: fields.size,
    ...(typeof fields.version_id === "string" ? { versionId: fields.version_id } : {}),
  };
}

/**
 * A prefix dep's `files` list; undefined when it has none. An entry without a relpath, ETag or size, or whose
 * relpath could leave the directory, is an error naming the .dvc file and the entry.
 */
function recordedFiles(request: OutRequest): S3SourceFile[] | undefined {
  const files = (request.source.dep as { files?: unknown }).files;
  if (!Array.isArray(files)) return undefined;
  const parsed: S3SourceFile[] = [];
  for (const [index, entry] of (files as Record<string, unknown>[]).entries()) {
    if (
      typeof entry?.relpath !== "string" ||
      typeof entry.etag !== "string" ||
      typeof entry.size !== "number" ||
      entry.relpath.split("/").some((part) => part === "" || part === "." || part === "..")
    ) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `${request.dvcFile}: deps[0].files[${index}] needs a relpath inside the directory, an etag and a size`,
      );
    }
    parsed.push({
      relpath: entry.relpath,
      etag: entry.etag,
      size: entry.size,
      ...(typeof entry.version_id === "string" ? { versionId: entry.version_id } : {}),
    });
  }
  return parsed;
}

/** Every object asked of an out whose dep could not be read at all, failed with the reason. */
function unreadableOut(request: OutRequest, error: unknown): TransferResult {
  const reason = `cannot be fetched from its source: ${toFlowOpsError(error).message}`;
  const objects = [...request.objects].map(([oid, owner]) => ({ oid, path: owner.path, reason }));
  return {
    transferred: 0,
    skipped: 0,
    bytes: 0,
    failed: objects.length > 0 ? objects : [{ oid: UNKNOWN_OID, path: request.source.outPath, reason }],
  };
}

/** A failure of an object whose source could not give the recorded bytes, naming the .dvc file. */
function sourceFailure(
  url: string,
  dvcFile: string,
  oid: Oid,
  path: string,
  error: unknown,
): TransferFailure {
  const failure = toFlowOpsError(error);
  if (failure.code === "RESOURCE_DOES_NOT_EXIST") {
    return {
      oid,
      path,
      reason:
        `is not in the cache, and the source no longer has the version ${dvcFile} records: ` +
        `${failure.message}; \`flowops data update ${dvcFile}\` imports what is there now`,
      missing: true,
      goneAtSource: true,
    };
  }
  if (failure.code === "DATA_LOSS") {
    return { oid, path, reason: `${url} does not hold what ${dvcFile} records: ${failure.message}` };
  }
  return { oid, path, reason: `could not be read from ${url} (${dvcFile}): ${failure.message}` };
}

/** A failure of an object the dep does not describe well enough to read it at a version. */
function unrecorded(url: string, dvcFile: string, oid: Oid, path: string, relpath?: string): TransferFailure {
  const what =
    relpath === undefined ? `the etag and size of ${url}` : `'${relpath}' among the files of ${url}`;
  return { oid, path, reason: `cannot be fetched from its source: ${dvcFile} does not record ${what}` };
}
