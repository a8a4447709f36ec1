/**
 * fetch for the outs of versioned imports (`import-url --version-aware`, dvc's `is_versioned_import`). Their
 * data never goes to a remote (`push: false`), so, as dvc's fetch does with the dep's version-aware filesystem
 * as the out's storage, it is downloaded from the source at the versions the dep records, with or without a
 * remote configured. Every object is checked against the out's md5 in a temp file before it is renamed into
 * the cache, so bytes other than the recorded ones never enter it; a directory's manifest is rebuilt from its
 * files and must hash to the recorded out. A version gone from the source is a failure naming the .dvc file
 * and the version. Each downloaded file counts as fetched (dvc's "N files fetched"); a manifest does not.
 * This module must not read a remote; pushPull.ts sends every other object there.
 */
import { mkdir, rm } from "node:fs/promises";
import { join, posix } from "node:path";
import { FlowOpsError, toFlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import { isDirOid, type DirEntry, type Oid } from "./hashInfo.js";
import { locateDep } from "./importLocation.js";
import { md5File } from "./md5File.js";
import type { S3SourceFile, S3SourceOptions } from "./s3Source.js";
import type { TransferEvent, TransferFailure, TransferResult } from "./transferObjects.js";
import type { UsedObject, VersionedImportSource } from "./usedObjects.js";

export type VersionedFetchRepo = Pick<DataRepo, "root" | "dvcDir" | "config" | "cache" | "tmpDir">;

export interface VersionedFetchOptions {
  /** Each object's event; `source` is the dep's URL, where a remote's name would be. */
  onProgress?: (event: TransferEvent, source: string) => void;
  /** Where a relative credentials path in a dep's `fs_config` is found; the cwd by default. */
  configDir?: string;
}

/** Whether the object belongs to a versioned import's out, and so comes from its source. */
export function isFromVersionedSource(owner: UsedObject): boolean {
  return owner.versionedImport !== undefined;
}

/** Brings the objects of versioned imports that the cache lacks from their sources, out by out. */
export async function fetchVersionedImports(
  repo: VersionedFetchRepo,
  objects: ReadonlyMap<Oid, UsedObject>,
  options: VersionedFetchOptions = {},
): Promise<TransferResult> {
  const total: TransferResult = { transferred: 0, skipped: 0, failed: [], bytes: 0 };
  for (const out of groupByOut(objects)) {
    const result = await fetchOut(repo, out, options).catch((error: unknown) => unreadableOut(out, error));
    total.transferred += result.transferred;
    total.skipped += result.skipped;
    total.bytes += result.bytes;
    total.failed.push(...result.failed);
  }
  return total;
}

/** One versioned out and the objects of it that were asked for. */
interface OutRequest {
  source: VersionedImportSource;
  dvcFile: string;
  objects: Map<Oid, UsedObject>;
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

/** What reading one out's source needs: its URL, how to reach it, and what the dep recorded of it. */
interface SourceRead {
  url: string;
  options: S3SourceOptions;
  request: OutRequest;
  onProgress: (event: TransferEvent) => void;
}

async function fetchOut(
  repo: VersionedFetchRepo,
  request: OutRequest,
  options: VersionedFetchOptions,
): Promise<TransferResult> {
  const { dep, outMd5 } = request.source;
  const location = locateDep(repo, dep, repo.root, options.configDir ?? process.cwd());
  const url = dep.path;
  const onProgress = (event: TransferEvent): void => options.onProgress?.(event, url);
  const read: SourceRead = {
    url,
    options: {
      versionAware: true,
      ...(location.kind === "url" && location.options.fsConfig !== undefined
        ? { fsConfig: location.options.fsConfig }
        : {}),
      ...(location.kind === "url" && location.options.configDir !== undefined
        ? { configDir: location.options.configDir }
        : {}),
    },
    request,
    onProgress,
  };
  if (!isDirOid(outMd5)) return fetchFiles(repo, read, [{ oid: outMd5, file: recordedObject(dep) }]);
  const manifest = request.objects.get(outMd5);
  const files = recordedFiles(request);
  if (manifest !== undefined && (manifest.unexpanded !== undefined || !(await repo.cache.has(outMd5)))) {
    return fetchWholeDirectory(repo, read, files);
  }
  // The manifest is here: only the files asked for that the cache lacks are read, each by its relpath.
  const byRelpath = new Map(files?.map((file) => [file.relpath, file]));
  const wanted = [...request.objects]
    .filter(([oid]) => oid !== outMd5)
    .map(([oid, owner]) => {
      const relpath = posix.relative(request.source.outPath, owner.path);
      return { oid, file: byRelpath.get(relpath), relpath };
    });
  const result = await fetchFiles(repo, read, wanted);
  if (manifest !== undefined) result.skipped += 1;
  return result;
}

/** An object dep's recorded version, ETag and size; undefined when the dep lacks them. */
function recordedObject(dep: VersionedImportSource["dep"]): S3SourceFile | undefined {
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

/** Downloads each file the cache lacks into a temp file beside its object, kept only when its md5 is the oid. */
async function fetchFiles(
  repo: VersionedFetchRepo,
  read: SourceRead,
  wanted: readonly { oid: Oid; file: S3SourceFile | undefined; relpath?: string }[],
): Promise<TransferResult> {
  const result: TransferResult = { transferred: 0, skipped: 0, failed: [], bytes: 0 };
  const { downloadS3 } = await import("./s3Source.js");
  read.onProgress({ type: "planned", total: wanted.length });
  for (const { oid, file, relpath } of wanted) {
    const owner = read.request.objects.get(oid);
    const path = owner?.path ?? read.request.source.outPath;
    if (await repo.cache.verify(oid)) {
      result.skipped += 1;
      read.onProgress({ type: "object", oid, ok: true, bytes: 0 });
      continue;
    }
    if (file === undefined) {
      result.failed.push(unrecorded(read, oid, path, relpath));
      read.onProgress({ type: "object", oid, ok: false, bytes: 0 });
      continue;
    }
    const url = relpath === undefined ? read.url : `${read.url.replace(/\/+$/, "")}/${relpath}`;
    const temp = await repo.cache.openTempFile(oid);
    try {
      await downloadS3(url, { kind: "file", ...file }, temp.path, undefined, read.options);
      await temp.commit();
      result.transferred += 1;
      result.bytes += file.size;
      read.onProgress({ type: "object", oid, ok: true, bytes: file.size });
    } catch (error) {
      await temp.abort();
      result.failed.push(sourceFailure(read, oid, path, error));
      read.onProgress({ type: "object", oid, ok: false, bytes: 0 });
    }
  }
  return result;
}

/**
 * A directory whose manifest the cache lacks: every recorded file is read at its version into a temp folder,
 * hashed, and the manifest rebuilt from them must be the out's before anything enters the cache.
 */
async function fetchWholeDirectory(
  repo: VersionedFetchRepo,
  read: SourceRead,
  files: S3SourceFile[] | undefined,
): Promise<TransferResult> {
  const { outMd5, outPath } = read.request.source;
  if (files === undefined) {
    return { transferred: 0, skipped: 0, bytes: 0, failed: [unrecorded(read, outMd5, `${outPath}/`)] };
  }
  const { downloadS3 } = await import("./s3Source.js");
  await mkdir(repo.tmpDir, { recursive: true });
  const temp = join(repo.tmpDir, `flowops-versioned-fetch-${process.pid}-${Date.now()}`);
  const size = files.reduce((sum, file) => sum + file.size, 0);
  read.onProgress({ type: "planned", total: files.length });
  try {
    await downloadS3(
      read.url,
      { kind: "directory", treeMd5: "", size, files },
      temp,
      undefined,
      read.options,
    );
    const entries: DirEntry[] = [];
    for (const file of files) {
      const { md5 } = await md5File(join(temp, ...file.relpath.split("/")));
      entries.push({ relpath: file.relpath, md5 });
    }
    const manifest = serializeDirManifest(entries);
    const oid = dirManifestOid(manifest);
    if (oid !== outMd5) {
      throw new FlowOpsError(
        "DATA_LOSS",
        `the files at the recorded versions hash to ${oid}, not to the recorded ${outMd5}`,
      );
    }
    let transferred = 0;
    for (const entry of entries) {
      if (!(await repo.cache.has(entry.md5))) {
        await repo.cache.addFile(join(temp, ...entry.relpath.split("/")), entry.md5, { move: true });
      }
      transferred += 1;
      read.onProgress({ type: "object", oid: entry.md5, ok: true, bytes: 0 });
    }
    await repo.cache.addBytes(outMd5, manifest);
    return { transferred, skipped: 0, bytes: size, failed: [] };
  } catch (error) {
    return {
      transferred: 0,
      skipped: 0,
      bytes: 0,
      failed: [sourceFailure(read, outMd5, `${outPath}/`, error)],
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Every object asked of an out whose dep could not be read at all, failed with the reason. */
function unreadableOut(request: OutRequest, error: unknown): TransferResult {
  const reason = `cannot be fetched from its source: ${toFlowOpsError(error).message}`;
  return {
    transferred: 0,
    skipped: 0,
    bytes: 0,
    failed: [...request.objects].map(([oid, owner]) => ({ oid, path: owner.path, reason })),
  };
}

/** A failure of an object whose source could not give the recorded bytes, naming the .dvc file. */
function sourceFailure(read: SourceRead, oid: Oid, path: string, error: unknown): TransferFailure {
  const dvcFile = read.request.dvcFile;
  const failure = toFlowOpsError(error);
  if (failure.code === "RESOURCE_DOES_NOT_EXIST") {
    return {
      oid,
      path,
      reason:
        `is not in the cache, and the source no longer has the version ${dvcFile} records: ` +
        `${failure.message}; \`flowops data update ${dvcFile}\` imports what is there now`,
      missing: true,
    };
  }
  if (failure.code === "DATA_LOSS") {
    return { oid, path, reason: `${read.url} does not hold what ${dvcFile} records: ${failure.message}` };
  }
  return { oid, path, reason: `could not be read from ${read.url} (${dvcFile}): ${failure.message}` };
}

/** A failure of an object the dep does not describe well enough to read it at a version. */
function unrecorded(read: SourceRead, oid: Oid, path: string, relpath?: string): TransferFailure {
  const what =
    relpath === undefined
      ? `the etag and size of ${read.url}`
      : `'${relpath}' among the files of ${read.url}`;
  return {
    oid,
    path,
    reason: `cannot be fetched from its source: ${read.request.dvcFile} does not record ${what}`,
  };
}
